package media

import (
	"errors"
	"testing"

	"ccphone/hal"
)

// TestMonitorModes: A's agent talks at 1 kHz, B at 600 Hz, and A's
// supervisor at 1.8 kHz into the monitor headset. Who hears what, by
// frequency, in each mode; off writes nothing to the monitor port.
func TestMonitorModes(t *testing.T) {
	const agent, far, sup = 1000, 600, 1800
	tests := []struct {
		mode MonitorMode
		// what each listener must (true) or must not (false) hear
		monitor, agentEar, farEar map[float64]bool
	}{
		{MonitorOff, map[float64]bool{agent: false, far: false}, map[float64]bool{far: true, sup: false}, map[float64]bool{agent: true, sup: false}},
		{MonitorListen, map[float64]bool{agent: true, far: true, sup: false}, map[float64]bool{far: true, sup: false}, map[float64]bool{agent: true, sup: false}},
		{MonitorWhisper, map[float64]bool{agent: true, far: true, sup: false}, map[float64]bool{far: true, sup: true}, map[float64]bool{agent: true, sup: false}},
		{MonitorBarge, map[float64]bool{agent: true, far: true, sup: false}, map[float64]bool{far: true, sup: true}, map[float64]bool{agent: true, sup: true}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			audioA, audioB := newFakeAudio(agent, 6000).supervisor(sup, 6000), newFakeAudio(far, 6000)
			a, err := New(Options{Audio: audioA, Addr: loopback, Monitor: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			b := newEngine(t, audioB, nil)
			la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
			connect(t, la, lb, nil, true)
			if err := a.SetMonitor(tt.mode); err != nil {
				t.Fatal(err)
			}
			stepBoth(a, b, 60)
			for _, c := range []struct {
				who   string
				sig   []int16
				tones map[float64]bool
			}{
				{"monitor", audioA.heard(hal.PortMonitor, 4000), tt.monitor},
				{"A's agent", audioA.heard(hal.PortHeadset, 4000), tt.agentEar},
				{"B", audioB.heard(hal.PortHeadset, 4000), tt.farEar},
			} {
				if c.who == "monitor" && tt.mode == MonitorOff {
					continue // checked below
				}
				if len(c.sig) != 4000 {
					t.Fatalf("%s got %d samples", c.who, len(c.sig))
				}
				for f, want := range c.tones {
					s, _ := power(c.sig, f)
					if want && s < 0.2 || !want && s > 0.005 {
						t.Errorf("%s hears %.3f of its energy at %.0f Hz; want it %v", c.who, s, f, want)
					}
				}
			}
			if tt.mode == MonitorOff {
				// Off (the jack unplugged): the port is left alone, its
				// device plays silence.
				if n := len(audioA.heard(hal.PortMonitor, 4000)); n != 0 {
					t.Errorf("monitor off: %d samples written to the port", n)
				}
			}
		})
	}
}

func TestMonitorNeedsPort(t *testing.T) {
	e := newEngine(t, newFakeAudio(0, 0), nil)
	if err := e.SetMonitor(MonitorListen); !errors.Is(err, ErrPort) {
		t.Errorf("SetMonitor without Options.Monitor: %v", err)
	}
	for _, m := range []MonitorMode{MonitorOff, MonitorListen, MonitorWhisper, MonitorBarge} {
		if p, ok := ParseMonitorMode(m.String()); !ok || p != m {
			t.Errorf("%v does not round-trip", m)
		}
	}
	if MonitorMode(9).String() != "MonitorMode(9)" {
		t.Error("unknown mode name")
	}
}
