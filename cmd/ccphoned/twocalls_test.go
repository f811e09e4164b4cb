package main

import (
	"path/filepath"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
	"ccphone/sip/sipptest"
)

// TestTwoCallsWaitingHoldSwap drives two simultaneous calls from the
// panel's keys. sipp (A) calls line 1 and the Headset key answers; during
// that call baresip (1003, B) calls line 2 through Kamailio: it rings with
// the call-waiting tone in the headset (440 Hz, found by frequency in the
// sim board's headset output) and line 2's LED flashing. Line 2 answers B
// and holds A (sipp fails unless the re-INVITE says sendonly or
// inactive); line 1 swaps back (sipp fails unless that re-INVITE resumes).
// The LEDs follow DESIGN.md at each step: active steady red, held slow
// red.
func TestTwoCallsWaitingHoldSwap(t *testing.T) {
	sipptest.Require(t)
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	audio := t.TempDir()
	cfg := registrarConfig(t, kam)
	p := startPhone(t, "--config", cfg, "--state", t.TempDir(), "--audio-dir", audio)
	logOnFailure(t, p)
	p.waitState("registered", bothRegistered)
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User3, Password: kamailiotest.Password3,
		Registrar: kam.Addr()})
	kam.WaitRegistered(t, kamailiotest.User3, true, 15*time.Second)

	// A calls line 1; the agent answers with the Headset key.
	a := sipptest.Start(t, "held_resumed.xml", sipAddr(t, cfg), sipptest.Options{Service: kamailiotest.User1, Timeout: 60 * time.Second})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("A (sipp): %v", a.Wait())
		}
	})
	p.waitState("A ringing", func(s apiState) bool { return sameStrings(callStates(s), "ringing") })
	p.press("headset")
	p.waitState("A connected", func(s apiState) bool { return sameStrings(callStates(s), "connected") })

	// B calls line 2 during the call.
	headset := filepath.Join(audio, "headset.raw")
	mark := rawSize(t, headset)
	bs.Command(t, "dial", "sip:"+kamailiotest.User2+"@"+kam.Host())
	s := p.waitState("B waiting", func(s apiState) bool { return sameStrings(callStates(s), "connected", "ringing") })
	if calls := callList(t, s); calls[1].Line != 2 || calls[1].Direction != "in" {
		t.Errorf("the waiting call %+v, want incoming on line 2", calls[1])
	}
	if !ledIs(s, "line1", "red", "steady") || !ledIs(s, "line2", "green", "fast") {
		t.Errorf("LEDs with a call waiting: line1 %+v line2 %+v, want steady red and flashing", s.LEDs["line1"], s.LEDs["line2"])
	}
	// The tone started before the state said ringing; 600 ms more of
	// headset output holds its whole 300 ms burst.
	waitGrowth(t, headset, rawSize(t, headset)+2*8000*6/10)
	tone := burst(rawSince(t, headset, mark), 500, 2000)
	if tone == nil {
		t.Fatal("the headset stayed silent while the second call rang")
	}
	if !dominant(tone, 8000, 440, 350, 400, 480, 620, 1000) {
		t.Errorf("the headset's sound while B rang is not the 440 Hz call-waiting tone")
	}

	// Line 2 answers B and holds A.
	p.press("line2")
	s = p.waitState("B answered, A held", func(s apiState) bool { return sameStrings(callStates(s), "held", "connected") })
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	if !ledIs(s, "line1", "red", "slow") || !ledIs(s, "line2", "red", "steady") {
		t.Errorf("LEDs with A held, B active: line1 %+v line2 %+v", s.LEDs["line1"], s.LEDs["line2"])
	}

	// Line 1 swaps: A resumed, B held.
	p.press("line1")
	s = p.waitState("A resumed, B held", func(s apiState) bool { return sameStrings(callStates(s), "connected", "held") })
	if !ledIs(s, "line1", "red", "steady") || !ledIs(s, "line2", "red", "slow") || !ledIs(s, "headset", "red", "steady") {
		t.Errorf("LEDs with A active, B held: line1 %+v line2 %+v headset %+v", s.LEDs["line1"], s.LEDs["line2"], s.LEDs["headset"])
	}

	// The Headset key ends A, the call in front; sipp checks the BYE.
	p.press("headset")
	if res := a.Wait(); res.Exit != 0 || res.Successful != 1 {
		t.Errorf("A (sipp): %v", res)
	}
	p.waitState("only B, held", func(s apiState) bool { return sameStrings(callStates(s), "held") })
	p.press("hold")
	s = p.waitState("B resumed", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	if !ledIs(s, "line2", "red", "steady") || !ledIs(s, "line1", "off", "off") {
		t.Errorf("LEDs with B alone: line1 %+v line2 %+v", s.LEDs["line1"], s.LEDs["line2"])
	}
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
}

// waitGrowth waits until the audio output file at path holds size bytes
// (the sim board writes it as the media clock runs).
func waitGrowth(t *testing.T, path string, size int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for rawSize(t, path) < size {
		if time.Now().After(deadline) {
			t.Fatalf("%s stopped growing below %d bytes", path, size)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
