package main

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// writeRawTone writes d of an hz sine as s16le at 8 kHz: the sim board's
// headset microphone.
func writeRawTone(t testing.TB, path string, hz float64, d time.Duration) {
	t.Helper()
	n := int(d.Seconds() * 8000)
	buf := make([]byte, 2*n)
	for i := range n {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(int16(8000*math.Sin(2*math.Pi*hz*float64(i)/8000))))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// goertzel returns the power of hz in samples at rate.
func goertzel(samples []int16, rate, hz float64) float64 {
	k := 2 * math.Cos(2*math.Pi*hz/rate)
	var s1, s2 float64
	for _, x := range samples {
		s0 := float64(x) + k*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - k*s1*s2
}

// dominant reports whether hz stands out in samples: it carries at least
// ten times the power of each of the other frequencies probed.
func dominant(samples []int16, rate, hz float64, others ...float64) bool {
	if len(samples) == 0 {
		return false
	}
	p := goertzel(samples, rate, hz)
	if p == 0 {
		return false
	}
	for _, o := range others {
		if goertzel(samples, rate, o)*10 > p {
			return false
		}
	}
	return true
}

func readRaw(t *testing.T, path string) []int16 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, len(data)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
	}
	return out
}

// readWAV returns the samples of a 16-bit mono WAV's data chunk.
func readWAV(t *testing.T, path string) []int16 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := 12
	for i+8 <= len(data) {
		id, size := string(data[i:i+4]), int(binary.LittleEndian.Uint32(data[i+4:]))
		i += 8
		if id == "data" {
			end := min(i+size, len(data))
			out := make([]int16, (end-i)/2)
			for j := range out {
				out[j] = int16(binary.LittleEndian.Uint16(data[i+2*j:]))
			}
			return out
		}
		i += size + size%2
	}
	t.Fatalf("%s: no data chunk", path)
	return nil
}

// loudest returns the last second of samples with sound, skipping
// silence (the samples before the call and after it).
func lastSecondWithSound(s []int16) []int16 {
	end := len(s)
	for end > 0 && abs16(s[end-1]) < 100 {
		end--
	}
	return s[max(0, end-8000):end]
}

func abs16(v int16) int16 {
	if v < 0 {
		return -v
	}
	return v
}

// TestCallBaresip places and takes real calls from the front panel's keys:
// ccphoned (line 1, 1001) and baresip (1002) through Kamailio, with the
// audio checked both ways by frequency: the agent's microphone sends
// 1 kHz, baresip sends 700 Hz.
func TestCallBaresip(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	audio := t.TempDir()
	writeRawTone(t, filepath.Join(audio, "headset-in.raw"), 1000, 60*time.Second)
	p := startPhone(t, "--config", registrarConfig(t, kam), "--state", t.TempDir(), "--audio-dir", audio)
	p.waitState("registered", bothRegistered)
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700, Record: true})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	// The agent dials 1002 on the pad and sends it with OK.
	p.press("1", "0", "0", "2", "ok")
	p.waitState("connected", func(s apiState) bool {
		return len(s.Calls) == 1 && callField(s, "state") == "connected"
	})
	s := p.state()
	if s.LEDs["line1"].Color != "red" || s.LEDs["headset"].Color != "red" {
		t.Errorf("LEDs in a call: line1 %+v headset %+v", s.LEDs["line1"], s.LEDs["headset"])
	}
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	time.Sleep(2 * time.Second) // two seconds of conversation
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })

	heard := lastSecondWithSound(readRaw(t, filepath.Join(audio, "headset.raw")))
	if !dominant(heard, 8000, 700, 1000, 440, 480) {
		t.Errorf("the agent's ear does not carry baresip's 700 Hz (%d samples)", len(heard))
	}
	var far []int16
	for _, f := range bs.Recordings() {
		if strings.Contains(f, "dec") {
			far = lastSecondWithSound(readWAV(t, f))
		}
	}
	if !dominant(far, 8000, 1000, 700, 440) {
		t.Errorf("baresip does not hear the agent's 1 kHz (recordings %v)", bs.Recordings())
	}

	// baresip calls; the line LED flashes; the headset key answers.
	bs.Command(t, "dial", "sip:1001@"+kam.Host())
	s = p.waitState("ringing", func(s apiState) bool { return callField(s, "state") == "ringing" })
	if s.LEDs["line1"].Color != "green" || s.LEDs["line1"].Pattern != "fast" {
		t.Errorf("line1 LED while ringing %+v", s.LEDs["line1"])
	}
	p.press("headset")
	p.waitState("answered", func(s apiState) bool { return callField(s, "state") == "connected" })
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	bs.Command(t, "hangup", "")
	p.waitState("ended", func(s apiState) bool { return len(s.Calls) == 0 })
}

// callField returns a field of the first call in s as text.
func callField(s apiState, name string) string {
	if len(s.Calls) == 0 {
		return ""
	}
	m, _ := s.Calls[0].(map[string]any)
	v, _ := m[name].(string)
	return v
}
