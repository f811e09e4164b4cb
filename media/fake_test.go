package media

import (
	"math"
	"sync"

	"ccphone/hal"
)

// fakeAudio is a board whose headset mic plays a sine (or silence) and
// whose ports record what they are given.
type fakeAudio struct {
	mu      sync.Mutex
	micFreq float64 // Hz; 0 is silence
	micAmp  float64
	n       int // samples of mic made
	played  map[hal.AudioPort][]int16
}

func newFakeAudio(freq, amp float64) *fakeAudio {
	return &fakeAudio{micFreq: freq, micAmp: amp, played: map[hal.AudioPort][]int16{}}
}

func (a *fakeAudio) OpenAudio(p hal.AudioPort, f hal.AudioFormat) (hal.AudioStream, error) {
	if f.SampleRate != 8000 || f.Channels != 1 || f.FrameSamples != 160 {
		return nil, hal.ErrOutOfRange
	}
	return &fakeStream{a: a, port: p}, nil
}

// heard returns the last n samples written to port.
func (a *fakeAudio) heard(p hal.AudioPort, n int) []int16 {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.played[p]
	if len(s) < n {
		return append([]int16(nil), s...)
	}
	return append([]int16(nil), s[len(s)-n:]...)
}

type fakeStream struct {
	a    *fakeAudio
	port hal.AudioPort
}

func (s *fakeStream) ReadFrame(frame []int16) error {
	a := s.a
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range frame {
		if s.port == hal.PortHeadset && a.micFreq > 0 {
			frame[i] = int16(a.micAmp * math.Sin(2*math.Pi*a.micFreq*float64(a.n)/8000))
			a.n++
		} else {
			frame[i] = 0
		}
	}
	return nil
}

func (s *fakeStream) WriteFrame(frame []int16) error {
	s.a.mu.Lock()
	s.a.played[s.port] = append(s.a.played[s.port], frame...)
	s.a.mu.Unlock()
	return nil
}

func (s *fakeStream) Close() error { return nil }

// power returns the share of the signal's energy at freq (Goertzel),
// 0..1, and the signal's RMS.
func power(sig []int16, freq float64) (share, rms float64) {
	c := 2 * math.Cos(2*math.Pi*freq/8000)
	var s1, s2, e float64
	for _, v := range sig {
		x := float64(v)
		e += x * x
		s := x + c*s1 - s2
		s2, s1 = s1, s
	}
	if e == 0 {
		return 0, 0
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	n := float64(len(sig))
	return 2 * p / (n * e), math.Sqrt(e / n)
}
