package media

import (
	"errors"
	"math"
	"testing"

	"ccphone/hal"
	"ccphone/hal/haltest"
	"ccphone/media/sdpneg"
)

// TestSetGain: a port's gain scales all it plays, saturating; the
// speaker keeps its own; bad gains and ports are refused.
func TestSetGain(t *testing.T) {
	audio := newFakeAudio(0, 0)
	e, err := New(Options{Audio: audio, Addr: loopback, Speaker: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, bad := range []float64{-1, MaxGain + 1, math.NaN()} {
		if err := e.SetGain(hal.PortHeadset, bad); !errors.Is(err, ErrGain) {
			t.Errorf("gain %v: %v, want ErrGain", bad, err)
		}
	}
	if err := e.SetGain(hal.PortMonitor, 1); !errors.Is(err, ErrPort) {
		t.Errorf("gain on the monitor: %v, want ErrPort", err)
	}
	for _, tt := range []struct {
		gain  float64
		level int32
		want  int16
	}{
		{1, 1000, 1000},
		{2, 1000, 2000},
		{math.Pow(10, 3.0/20), 1000, 1412}, // +3 dB, in Q12
		{0.5, -1000, -500},
		{0, 1000, 0},
		{MaxGain, 10000, 32767},   // saturates
		{MaxGain, -10000, -32768}, // both ways
	} {
		if err := e.SetGain(hal.PortHeadset, tt.gain); err != nil {
			t.Fatal(err)
		}
		e.PlayClip(hal.PortHeadset, &countdownClip{frames: 1, level: tt.level})
		e.PlayClip(hal.PortSpeaker, &countdownClip{frames: 1, level: tt.level})
		e.Step()
		for _, v := range audio.heard(hal.PortHeadset, FrameSamples) {
			if v != tt.want {
				t.Fatalf("gain %v, level %d: headset plays %d, want %d", tt.gain, tt.level, v, tt.want)
			}
		}
		for _, v := range audio.heard(hal.PortSpeaker, FrameSamples) {
			if int32(v) != max(min(tt.level, 32767), -32768) {
				t.Fatalf("the speaker played %d for %d with the headset's gain at %v", v, tt.level, tt.gain)
			}
		}
	}
}

// TestGainOnACall: the far end's voice in the agent's ear follows the
// headset gain, and a tick with a gain set allocates nothing.
func TestGainOnACall(t *testing.T) {
	audioA, audioB := newFakeAudio(1000, 4000), newFakeAudio(0, 0)
	a, b := newEngine(t, audioA, nil), newEngine(t, audioB, nil)
	la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
	connect(t, la, lb, []sdpneg.Codec{sdpneg.PCMU}, false)
	stepBoth(a, b, 50)
	_, before := power(audioB.heard(hal.PortHeadset, 4000), 1000)
	if err := b.SetGain(hal.PortHeadset, 2); err != nil {
		t.Fatal(err)
	}
	stepBoth(a, b, 50)
	_, after := power(audioB.heard(hal.PortHeadset, 4000), 1000)
	if before < 2500 || math.Abs(after/before-2) > 0.05 {
		t.Errorf("RMS %.0f at gain 1, %.0f at gain 2: want about twice", before, after)
	}

	e, _, _ := loopedLegs(t, &haltest.Audio{})
	defer e.Close()
	e.SetGain(hal.PortHeadset, 1.5)
	for range 10 {
		e.Step()
	}
	if n := testing.AllocsPerRun(100, e.Step); n != 0 {
		t.Errorf("%v allocations per tick with a gain, want 0", n)
	}
}
