package prompt

import (
	"fmt"
	"math"
	"time"
)

// Gaps to loop the built-in clips with.
const (
	// RingtoneGap is the silence between two plays of DefaultRingtone.
	RingtoneGap = 2 * time.Second
	// RecordingReminderGap repeats RecordingBeeps during a recorded call
	// (the customary "beep every 15 seconds").
	RecordingReminderGap = 15 * time.Second
)

// note is one sound of a built-in clip: a frequency (0: silence), with a
// second harmonic for a warmer sound, for ms milliseconds.
type note struct {
	hz, ms    int
	harmonic  float64 // level of the 2nd harmonic relative to the note
	amplitude float64 // peak, 0..1 of full scale
}

// DefaultRingtone returns the phone's own ringtone at rate Hz: a rising
// three-note figure played twice and a high note (1.36 s), made in code. Loop it
// with RingtoneGap. It fails only with ErrRate.
func DefaultRingtone(rate int) (*Clip, error) {
	const a = 0.45 // −7 dBFS peak: loud on the speaker, volume scales it down
	figure := []note{{659, 110, 0.25, a}, {831, 110, 0.25, a}, {988, 160, 0.25, a}, {0, 90, 0, 0}}
	var notes []note
	notes = append(notes, figure...)
	notes = append(notes, figure...)
	notes = append(notes, note{1319, 220, 0.2, a}, note{0, 200, 0, 0})
	return synthesize(notes, rate)
}

// RecordingBeeps returns the announcement that a call is being recorded,
// at rate Hz: three short 1400 Hz beeps (0.6 s), made in code. Play it
// once when recording starts, or loop it with RecordingReminderGap. It
// fails only with ErrRate.
func RecordingBeeps(rate int) (*Clip, error) {
	const a = 0.25 // −12 dBFS: heard over the call, not startling
	b := note{1400, 150, 0, a}
	gap := note{0, 75, 0, 0}
	return synthesize([]note{b, gap, b, gap, b}, rate)
}

// synthesize renders notes with 5 ms raised-cosine edges (no clicks).
func synthesize(notes []note, rate int) (*Clip, error) {
	if err := checkRate(rate); err != nil {
		return nil, fmt.Errorf("prompt: built-in clip: %w", err)
	}
	total := 0
	for _, n := range notes {
		total += n.ms * rate / 1000
	}
	out := make([]int16, 0, total)
	ramp := 5 * rate / 1000
	for _, n := range notes {
		length := n.ms * rate / 1000
		for i := range length {
			if n.hz == 0 {
				out = append(out, 0)
				continue
			}
			env := 1.0
			if e := min(i, length-1-i); e < ramp {
				env = 0.5 - 0.5*math.Cos(math.Pi*float64(e)/float64(ramp))
			}
			ph := 2 * math.Pi * float64(n.hz) * float64(i) / float64(rate)
			v := math.Sin(ph)
			if 2*n.hz < rate/2 {
				v += n.harmonic * math.Sin(2*ph)
			}
			v *= n.amplitude / (1 + n.harmonic) * env
			out = append(out, int16(math.Round(v*32767)))
		}
	}
	return &Clip{rate: rate, samples: out}, nil
}
