package prompt

import (
	"fmt"
	"slices"
	"time"
)

// Limits on what Decode and Load accept. A ringtone or an announcement is
// seconds long; anything near these limits is a mistake, and refusing it
// keeps the phone's memory for calls.
const (
	// MaxFileSize is the largest file accepted, in bytes: room for a
	// minute of 128 kbit/s MP3 or 45 s of CD-quality stereo WAV.
	MaxFileSize = 8 << 20
	// MaxDuration is the longest clip accepted.
	MaxDuration = 60 * time.Second
)

// Clip is decoded audio ready to play: 16-bit mono samples at one rate.
// It never changes after it is made, so any number of Players on any
// goroutines may share it.
type Clip struct {
	rate    int
	samples []int16
}

// NewClip returns a clip holding a copy of samples at rate Hz (8000 to
// 48000), for audio made in code. It fails with ErrEmpty, ErrRate or
// ErrTooLong.
func NewClip(samples []int16, rate int) (*Clip, error) {
	if err := checkRate(rate); err != nil {
		return nil, err
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("%w: clip of 0 samples", ErrEmpty)
	}
	if max := maxSamples(rate); len(samples) > max {
		return nil, fmt.Errorf("%w: %v, at most %v", ErrTooLong, samplesDuration(len(samples), rate), MaxDuration)
	}
	return &Clip{rate: rate, samples: slices.Clone(samples)}, nil
}

// Rate returns the clip's sample rate in Hz.
func (c *Clip) Rate() int { return c.rate }

// Len returns the clip's length in samples.
func (c *Clip) Len() int { return len(c.samples) }

// Duration returns the clip's length in time.
func (c *Clip) Duration() time.Duration { return samplesDuration(len(c.samples), c.rate) }

// Samples returns a copy of the clip's samples.
func (c *Clip) Samples() []int16 { return slices.Clone(c.samples) }

func samplesDuration(n, rate int) time.Duration {
	return time.Duration(int64(n) * int64(time.Second) / int64(rate))
}

func maxSamples(rate int) int { return int(int64(MaxDuration) * int64(rate) / int64(time.Second)) }

// checkRate accepts the rates a clip may have: those media/resample
// converts to.
func checkRate(rate int) error {
	if rate < 8000 || rate > 48000 {
		return fmt.Errorf("%w: %d Hz (8000..48000; the phone uses 8000 or 16000)", ErrRate, rate)
	}
	return nil
}
