package dtmf

import (
	"fmt"
	"time"

	"ccphone/media/internal/osc"
)

// Levels of the in-band tone pair (ITU-T Q.23/Q.24 allow −3 to −12 dBm0
// per frequency, the high group up to 4 dB above the low group).
const (
	LowGroupLevel  = -10.0 // dBm0, row frequency
	HighGroupLevel = -8.0  // dBm0, column frequency
)

// Generator plays queued digits as in-band tone pairs for phones that
// negotiated no telephone-event: each digit sounds for its duration
// (40-100 ms is usual), then Gap of silence. Frames that carry a tone
// replace the microphone audio.
//
// A Generator is used by one goroutine at a time.
type Generator struct {
	rate      int
	q         queue
	low, high osc.Osc
	left      uint32 // samples of tone still to play
	gap       uint32 // samples of silence still to play
	mix       []int32
}

// NewGenerator returns a generator at sampleRate Hz for frames of up to
// frameSamples samples.
func NewGenerator(sampleRate, frameSamples int) *Generator {
	return &Generator{rate: sampleRate, mix: make([]int32, frameSamples)}
}

// Enqueue queues digit d for duration (0 means DefaultDuration).
func (g *Generator) Enqueue(d Digit, duration time.Duration) error {
	if d >= Flash {
		return fmt.Errorf("in-band %v: %w", d, ErrDigit)
	}
	if err := g.q.push(d, durationSamples(duration, g.rate)); err != nil {
		return fmt.Errorf("enqueue %v: %w", d, err)
	}
	return nil
}

// Busy reports whether a digit or its gap is playing or digits wait.
func (g *Generator) Busy() bool { return g.left > 0 || g.gap > 0 || g.q.size > 0 }

// Reset stops the digit in progress and drops the queue.
func (g *Generator) Reset() { g.q, g.left, g.gap = queue{}, 0, 0 }

// Read writes the next frame into frame (len(frame) at most the
// frameSamples given to NewGenerator) and reports whether it holds DTMF
// (tone or inter-digit silence); if not, frame is untouched.
func (g *Generator) Read(frame []int16) bool {
	if !g.Busy() {
		return false
	}
	mix := g.mix[:len(frame)]
	clear(mix)
	for i := 0; i < len(mix); {
		switch {
		case g.left > 0:
			n := min(int(g.left), len(mix)-i)
			g.low.Add(mix[i : i+n])
			g.high.Add(mix[i : i+n])
			g.left -= uint32(n)
			i += n
			if g.left == 0 {
				g.gap = uint32(Gap * time.Duration(g.rate) / time.Second)
			}
		case g.gap > 0:
			n := min(int(g.gap), len(mix)-i)
			g.gap -= uint32(n)
			i += n
		default:
			it, ok := g.q.pop()
			if !ok {
				i = len(mix)
				break
			}
			lo, hi, _ := it.digit.Frequencies()
			g.low.Set(lo, osc.DBm0(LowGroupLevel), g.rate)
			g.high.Set(hi, osc.DBm0(HighGroupLevel), g.rate)
			g.low.Reset()
			g.high.Reset()
			g.left = it.duration
		}
	}
	osc.Saturate(frame, mix)
	return true
}
