package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// TestConferenceThreeWay: the agent calls baresip B (1004) on line 1,
// then baresip A (1003) on line 2 (B is held), and joins them with the
// Conf softkey. In the conference each party hears the other two and not
// itself: A hears the agent (1 kHz) and B (1.3 kHz) but not its own
// 700 Hz, and the agent's ear carries A and B but not the 1 kHz
// microphone. Checked by frequency in what A decoded and in the sim
// board's headset output. B's ear is not checked here: baresip 1.0 stops
// its decode dump when a call is held and does not start it again on
// resume (the phone's RTP to it goes on, tone after the resume); the
// media package's conference test covers each leg's mix.
func TestConferenceThreeWay(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	audio := t.TempDir()
	writeRawTone(t, filepath.Join(audio, "headset-in.raw"), 1000, 60*time.Second)
	cfg := registrarConfig(t, kam)
	p := startPhone(t, "--config", cfg, "--state", t.TempDir(), "--audio-dir", audio)
	logOnFailure(t, p)
	p.waitState("registered", bothRegistered)
	a := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User3, Password: kamailiotest.Password3,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700, Record: true})
	b := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User4, Password: kamailiotest.Password4,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 1300, Record: true})
	kam.WaitRegistered(t, kamailiotest.User3, true, 15*time.Second)
	kam.WaitRegistered(t, kamailiotest.User4, true, 15*time.Second)

	p.press("1", "0", "0", "4", "ok")
	p.waitState("B connected", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	b.WaitEvent(t, "CALL_ESTABLISHED")
	p.press("line2", "1", "0", "0", "3", "ok")
	p.waitState("B held, A connected", func(s apiState) bool { return sameStrings(callStates(s), "held", "connected") })
	a.WaitEvent(t, "CALL_ESTABLISHED")

	p.press("soft3") // Conf
	p.waitState("conference", func(s apiState) bool { return sameStrings(callStates(s), "connected", "connected") })
	headset := filepath.Join(audio, "headset.raw")
	mark := rawSize(t, headset)
	waitGrowth(t, headset, mark+3*2*8000) // three seconds of conference
	ear := rawSince(t, headset, mark)
	ear = ear[len(ear)-8000:] // its last second

	a.Command(t, "hangup", "")
	a.WaitEvent(t, "CALL_CLOSED")
	b.Command(t, "hangup", "")
	b.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })

	// baresip starts a new decode dump each time the stream restarts
	// (the hold and the resume re-INVITEs): the newest holds the
	// conference.
	heard := func(ph *baresiptest.Phone) []int16 {
		var newest string
		var at time.Time
		for _, f := range ph.Recordings() {
			if fi, err := os.Stat(f); err == nil && strings.Contains(f, "dec") && !fi.ModTime().Before(at) {
				newest, at = f, fi.ModTime()
			}
		}
		if newest == "" {
			t.Fatalf("no recording of what baresip heard: %v", ph.Recordings())
		}
		return lastSecondWithSound(readWAV(t, newest))
	}
	for _, c := range []struct {
		who     string
		samples []int16
		hears   []float64
		notSelf float64
	}{
		{"A", heard(a), []float64{1000, 1300}, 700},
		{"the agent", ear, []float64{700, 1300}, 1000},
	} {
		for _, hz := range c.hears {
			if !dominant(c.samples, 8000, hz, c.notSelf, 440, 1700) {
				t.Errorf("%s does not hear %v Hz above its own %v Hz (and 440, 1700 Hz): powers %.3g, %.3g, %.3g, %.3g (%d samples)", c.who, hz, c.notSelf,
					goertzel(c.samples, 8000, hz), goertzel(c.samples, 8000, c.notSelf), goertzel(c.samples, 8000, 440), goertzel(c.samples, 8000, 1700), len(c.samples))
			}
		}
	}
}
