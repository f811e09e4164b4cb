package main

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// TestVolumeKeysInACall calls baresip (which sends a 700 Hz tone) and
// presses Vol+ during the call: the level in the headset output rises by
// one step (3 dB). The level is kept in the state directory: after a
// restart the next call plays at it.
func TestVolumeKeysInACall(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	cfg := singleLineConfig(t, kam)
	state := t.TempDir()
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	audio := t.TempDir()
	headset := filepath.Join(audio, "headset.raw")
	p := startPhone(t, "--config", cfg, "--state", state, "--audio-dir", audio)
	dialBaresipFromLine1(t, p, bs)
	before := waitLevel(t, headset, "the call's audio", func(rms float64) bool { return rms > 4000 })
	p.press("volup")
	after := waitLevel(t, headset, "a louder ear after Vol+", func(rms float64) bool { return rms > before*1.2 })
	step := 20 * math.Log10(after/before)
	t.Logf("headset RMS %.0f before Vol+, %.0f after (%+.2f dB)", before, after, step)
	if math.Abs(step-3) > 0.5 {
		t.Errorf("Vol+ changed the headset level by %+.2f dB, want +3", step)
	}
	if heard := readRaw(t, headset); !dominant(heard[len(heard)-4000:], 8000, 700, 1000, 440, 1400) {
		t.Error("the louder ear does not carry baresip's 700 Hz")
	}
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
	p.stop()

	// Restarted, the phone plays the next call at the level it kept.
	audio = t.TempDir()
	headset = filepath.Join(audio, "headset.raw")
	p = startPhone(t, "--config", cfg, "--state", state, "--audio-dir", audio)
	dialBaresipFromLine1(t, p, bs)
	level := waitLevel(t, headset, "the second call's audio", func(rms float64) bool { return rms > 4000 })
	kept := 20 * math.Log10(level/(toneAmplitude/math.Sqrt2))
	t.Logf("after the restart: headset RMS %.0f (%+.2f dB over what baresip sends)", level, kept)
	if math.Abs(kept-3) > 0.7 {
		t.Errorf("after a restart the headset plays %+.2f dB over what baresip sends, want +3 (the level kept)", kept)
	}
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
}

// dialBaresipFromLine1 dials 1002 from line 1 and waits for the call to connect.
func dialBaresipFromLine1(t *testing.T, p *phone, bs *baresiptest.Phone) {
	t.Helper()
	p.waitState("line 1 registered", func(s apiState) bool {
		return len(s.Lines) == 2 && s.Lines[0].Registration == "registered"
	})
	p.press("1", "0", "0", "2", "ok")
	p.waitState("connected", func(s apiState) bool {
		return len(s.Calls) == 1 && callField(s, "state") == "connected"
	})
	bs.WaitEvent(t, "CALL_ESTABLISHED")
}

// waitLevel polls an 8 kHz raw output file until the RMS of its last
// quarter second satisfies cond, then returns the RMS of the half second
// that follows (the level settled).
func waitLevel(t *testing.T, path, what string, cond func(rms float64) bool) float64 {
	t.Helper()
	const quarter, half = 2000, 4000
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := readRaw(t, path)
		if len(s) >= quarter && cond(rms(s[len(s)-quarter:])) {
			from := len(s)
			for {
				s = readRaw(t, path)
				if len(s) >= from+half {
					return rms(s[from : from+half])
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: the headset output stopped growing", what)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		if time.Now().After(deadline) {
			r := 0.0
			if len(s) >= quarter {
				r = rms(s[len(s)-quarter:])
			}
			t.Fatalf("waiting for %s: the headset's level is %.0f", what, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
