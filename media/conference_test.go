package media

import (
	"errors"
	"testing"

	"ccphone/hal"
)

// TestConference: the agent (1 kHz) joins B (600 Hz) and C (1.4 kHz).
// Each party hears the other two and never itself; afterwards B and C
// no longer hear each other.
func TestConference(t *testing.T) {
	const agent, fb, fc = 1000, 600, 1400
	audioX, audioB, audioC := newFakeAudio(agent, 5000), newFakeAudio(fb, 5000), newFakeAudio(fc, 5000)
	x, b, c := newEngine(t, audioX, nil), newEngine(t, audioB, nil), newEngine(t, audioC, nil)
	l1, l2 := addLeg(t, x, "line1"), addLeg(t, x, "line2")
	lb, lc := addLeg(t, b, "b"), addLeg(t, c, "c")
	connect(t, l1, lb, nil, true)
	connect(t, l2, lc, nil, true)
	step := func(n int) {
		for range n {
			x.Step()
			b.Step()
			c.Step()
		}
	}
	// A listener must (true) or must not (false) hear each tone.
	type listener struct {
		who   string
		audio *fakeAudio
		tones map[float64]bool
	}
	check := func(phase string, listeners []listener) {
		t.Helper()
		for _, l := range listeners {
			sig := l.audio.heard(hal.PortHeadset, 4000)
			for f, want := range l.tones {
				s, _ := power(sig, f)
				if want && s < 0.2 || !want && s > 0.005 {
					t.Errorf("%s: %s hears %.3f of its energy at %.0f Hz; want it %v", phase, l.who, s, f, want)
				}
			}
		}
	}
	if err := x.Conference(l1, l2, true); err != nil {
		t.Fatal(err)
	}
	step(60)
	check("conference", []listener{
		{"agent", audioX, map[float64]bool{fb: true, fc: true, agent: false}},
		{"B", audioB, map[float64]bool{agent: true, fc: true, fb: false}},
		{"C", audioC, map[float64]bool{agent: true, fb: true, fc: false}},
	})

	// C muted by the agent's hold: B no longer hears C, C hears nothing.
	l2.SetHold(true)
	step(30)
	check("C held", []listener{
		{"B", audioB, map[float64]bool{agent: true, fc: false}},
		{"agent", audioX, map[float64]bool{fb: true, fc: false}},
	})
	l2.SetHold(false)

	if err := x.Conference(l1, l2, false); err != nil {
		t.Fatal(err)
	}
	step(60)
	check("split", []listener{
		{"agent", audioX, map[float64]bool{fb: true, fc: true}},
		{"B", audioB, map[float64]bool{agent: true, fc: false}},
		{"C", audioC, map[float64]bool{agent: true, fb: false}},
	})

	// Removing a leg ends its conference.
	x.Conference(l1, l2, true)
	l2.Remove()
	step(60)
	check("C gone", []listener{{"B", audioB, map[float64]bool{agent: true, fc: false}}})
}

func TestConferenceErrors(t *testing.T) {
	x, y := newEngine(t, newFakeAudio(0, 0), nil), newEngine(t, newFakeAudio(0, 0), nil)
	l1, l2, other := addLeg(t, x, "1"), addLeg(t, x, "2"), addLeg(t, y, "y")
	for _, pair := range [][2]*Leg{{l1, l1}, {l1, nil}, {l1, other}} {
		if err := x.Conference(pair[0], pair[1], true); !errors.Is(err, ErrConference) {
			t.Errorf("Conference(%v, %v): %v", pair[0], pair[1], err)
		}
	}
	if err := x.Conference(l1, l2, true); err != nil {
		t.Errorf("Conference of two legs: %v", err)
	}
}
