package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// The supervisor's monitor modes are chosen from the keys with the menu
// path Menu → Settings → Monitor (monitorModeKeys), or by the
// provisioning default monitor.mode; the choice takes effect at once
// while the monitor headset is plugged in.

// Tones of the monitor test: each party's voice is a frequency.
const (
	agentHz      = 1000 // the agent's headset microphone
	customerHz   = 700  // baresip
	supervisorHz = 1300 // the monitor headset's microphone
)

// monitorModeKeys opens Menu → Settings → Monitor, moves the cursor
// steps rows down from the mode in force (negative: up), takes it with
// OK and returns to the calls or the idle screen.
func monitorModeKeys(steps int) []string {
	keys := []string{"menu", "2", "ok", "2", "ok"}
	for ; steps > 0; steps-- {
		keys = append(keys, "8")
	}
	for ; steps < 0; steps++ {
		keys = append(keys, "2")
	}
	return append(keys, "ok", "menu")
}

// heard reports whether hz is in samples at a tenth of the power of the
// loudest of hz and others, at least.
func heard(samples []int16, hz float64, others ...float64) bool {
	p := goertzel(samples, 8000, hz)
	loudest := p
	for _, o := range others {
		loudest = max(loudest, goertzel(samples, 8000, o))
	}
	return len(samples) > 0 && p > 0 && p*10 >= loudest
}

// absent reports whether hz is in samples at less than a hundredth of
// the power of the loudest of others.
func absent(samples []int16, hz float64, others ...float64) bool {
	p := goertzel(samples, 8000, hz)
	loudest := 0.0
	for _, o := range others {
		loudest = max(loudest, goertzel(samples, 8000, o))
	}
	return len(samples) > 0 && loudest > 0 && p*100 < loudest
}

// lastHeard returns the last second with sound of the raw file a port of
// the sim board plays into.
func lastHeard(t *testing.T, path string) []int16 {
	t.Helper()
	return lastSecondWithSound(readRaw(t, path))
}

// TestMonitorModes runs the supervisor's monitor port through the phone
// with baresip as the customer: the provisioning default (whisper) when
// the jack is plugged, then barge and listen chosen from the keys, with
// each party's audio checked by frequency in the sim board's port files
// and in what baresip received.
func TestMonitorModes(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	audio := t.TempDir()
	writeRawTone(t, filepath.Join(audio, "headset-in.raw"), agentHz, 60*time.Second)
	writeRawTone(t, filepath.Join(audio, "monitor-in.raw"), supervisorHz, 60*time.Second)
	cfg := registrarConfig(t, kam)
	appendConfig(t, cfg, "monitor.mode = whisper\nmonitor.indicator = 1\n")
	p := startPhone(t, "--config", cfg, "--state", t.TempDir(), "--audio-dir", audio)
	p.waitState("registered", bothRegistered)
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: customerHz, Record: true})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)
	headset, monitor := filepath.Join(audio, "headset.raw"), filepath.Join(audio, "monitor.raw")

	if s := p.storageState(); s.Monitor != "unplugged" {
		t.Fatalf("monitor %q before the jack is plugged", s.Monitor)
	}
	p.press("monitor-jack")
	p.waitStorage("the provisioning default", 10*time.Second, func(s storageState) bool { return s.Monitor == "whisper" })

	// Whisper: the agent hears the supervisor; the customer does not.
	p.press("1", "0", "0", "2", "ok")
	p.waitState("connected", func(s apiState) bool { return callField(s, "state") == "connected" })
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	time.Sleep(2 * time.Second)
	ear := lastHeard(t, headset)
	if !heard(ear, supervisorHz, customerHz) || !heard(ear, customerHz, supervisorHz) {
		t.Errorf("whisper: the agent's headset lacks the supervisor's %d Hz or the customer's %d Hz", supervisorHz, customerHz)
	}
	sup := lastHeard(t, monitor)
	if !heard(sup, agentHz, customerHz) || !heard(sup, customerHz, agentHz) {
		t.Errorf("whisper: the supervisor does not hear both parties")
	}

	// Barge, from the keys in the middle of the call: the customer hears
	// the supervisor too.
	p.press(monitorModeKeys(1)...)
	p.waitStorage("barge", 10*time.Second, func(s storageState) bool { return s.Monitor == "barge" })
	if s := p.state(); callField(s, "state") != "connected" || s.Screen != "idle" {
		t.Errorf("after choosing the mode: screen %q, calls %v", s.Screen, s.Calls)
	}
	time.Sleep(2 * time.Second)
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
	received := baresipReceived(t, bs, 3*time.Second)
	start := firstSound(received)
	whisper := received[start+4000 : start+12000] // 0.5 to 1.5 s into the call
	if !heard(whisper, agentHz, supervisorHz) || !absent(whisper, supervisorHz, agentHz) {
		t.Errorf("whisper: what baresip received carries the supervisor's %d Hz (or lacks the agent's)", supervisorHz)
	}
	barge := lastSecondWithSound(received)
	if !heard(barge, supervisorHz, agentHz) || !heard(barge, agentHz, supervisorHz) {
		t.Errorf("barge: baresip does not hear the supervisor's %d Hz with the agent", supervisorHz)
	}

	// Listen, from the keys: the supervisor hears both parties, and
	// nobody hears the supervisor.
	p.press(monitorModeKeys(-2)...)
	p.waitStorage("listen", 10*time.Second, func(s storageState) bool { return s.Monitor == "listen" })
	p.press("1", "0", "0", "2", "ok")
	p.waitState("connected", func(s apiState) bool { return callField(s, "state") == "connected" })
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	time.Sleep(2 * time.Second)
	sup = lastHeard(t, monitor)
	if !heard(sup, agentHz, customerHz, supervisorHz) || !heard(sup, customerHz, agentHz, supervisorHz) {
		t.Errorf("listen: the monitor port does not carry both the agent's %d Hz and the customer's %d Hz", agentHz, customerHz)
	}
	if ear := lastHeard(t, headset); !absent(ear, supervisorHz, customerHz) {
		t.Errorf("listen: the agent hears the supervisor")
	}
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	if !absent(lastSecondWithSound(baresipReceived(t, bs, time.Second)), supervisorHz, agentHz) {
		t.Errorf("listen: baresip hears the supervisor")
	}

	// Unplugged, the port goes quiet whatever the mode.
	p.press("monitor-jack")
	p.waitStorage("unplugged", 10*time.Second, func(s storageState) bool { return s.Monitor == "unplugged" })
}

// baresipReceived returns what baresip played of its latest call (its
// sndfile "-dec" recording), at least minLen of it.
func baresipReceived(t *testing.T, bs *baresiptest.Phone, minLen time.Duration) []int16 {
	t.Helper()
	var decs []string
	for _, f := range bs.Recordings() {
		if strings.Contains(filepath.Base(f), "dec") {
			decs = append(decs, f)
		}
	}
	if len(decs) == 0 {
		t.Fatalf("baresip recorded nothing: %v", bs.Recordings())
	}
	sort.Slice(decs, func(i, j int) bool {
		a, _ := os.Stat(decs[i])
		b, _ := os.Stat(decs[j])
		return a.ModTime().Before(b.ModTime())
	})
	// baresip finishes the file a moment after the call closed: wait for
	// its size to settle.
	last := decs[len(decs)-1]
	size := int64(-1)
	for range 50 {
		st, err := os.Stat(last)
		if err == nil && st.Size() == size {
			break
		}
		if err == nil {
			size = st.Size()
		}
		time.Sleep(100 * time.Millisecond)
	}
	s := readWAV(t, last)
	if len(s) < int(minLen.Seconds()*8000) {
		t.Fatalf("%s: %d samples, want a call of %v or more", last, len(s), minLen)
	}
	return s
}

// firstSound returns the index of the first sample with sound.
func firstSound(s []int16) int {
	for i, v := range s {
		if abs16(v) >= 100 {
			return i
		}
	}
	return len(s)
}
