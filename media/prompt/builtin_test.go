package prompt

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

func TestBuiltins(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		t.Run(fmt.Sprint("ringtone@", rate), func(t *testing.T) {
			c, err := DefaultRingtone(rate)
			if err != nil {
				t.Fatal(err)
			}
			if c.Rate() != rate || c.Duration() != 1360*time.Millisecond {
				t.Fatalf("rate %d, duration %v", c.Rate(), c.Duration())
			}
			s := c.Samples()
			// The first note is E5 (659 Hz), the last E6 (1319 Hz).
			note := func(from, ms int) []int16 { return s[from*rate/1000 : (from+ms)*rate/1000] }
			if a := amplitude(note(10, 90), rate, 659); a < 8000 {
				t.Errorf("first note at 659 Hz has amplitude %.0f", a)
			}
			if a := amplitude(note(950, 200), rate, 1319); a < 8000 {
				t.Errorf("last note at 1319 Hz has amplitude %.0f", a)
			}
			checkNoClick(t, s)
		})
		t.Run(fmt.Sprint("recording@", rate), func(t *testing.T) {
			c, err := RecordingBeeps(rate)
			if err != nil {
				t.Fatal(err)
			}
			if c.Duration() != 600*time.Millisecond {
				t.Fatalf("duration %v", c.Duration())
			}
			s := c.Samples()
			beeps := 0
			for ms := 0; ms+25 <= 600; ms += 25 {
				on := amplitude(s[ms*rate/1000:(ms+25)*rate/1000], rate, 1400) > 4000
				if on && (ms == 0 || amplitude(s[(ms-25)*rate/1000:ms*rate/1000], rate, 1400) <= 4000) {
					beeps++
				}
			}
			if beeps != 3 {
				t.Fatalf("%d beeps at 1400 Hz, want 3", beeps)
			}
			checkNoClick(t, s)
		})
	}
	if _, err := DefaultRingtone(4000); !errors.Is(err, ErrRate) {
		t.Fatalf("rate 4000: %v", err)
	}
}

// checkNoClick: every sound fades in from silence and out to it: the
// samples next to a run of silence are small.
func checkNoClick(t *testing.T, s []int16) {
	t.Helper()
	edge := func(i int) bool { return i < 0 || i >= len(s) || s[i] == 0 }
	for i, v := range s {
		if (edge(i-1) && edge(i-2)) || (edge(i+1) && edge(i+2)) {
			if math.Abs(float64(v)) > 1500 {
				t.Fatalf("sample %d next to silence is %d: a click", i, v)
			}
		}
	}
}
