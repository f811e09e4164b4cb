package media

import (
	"math"
	"sync"

	"ccphone/hal"
)

// fakeAudio is a board whose microphones (headset, and monitor if set
// with supervisor) play a sine or silence, and whose ports record what
// they are given. It runs at the rate the engine opens it with.
type fakeAudio struct {
	mu     sync.Mutex
	rate   int
	mics   map[hal.AudioPort]*sine
	played map[hal.AudioPort][]int16
}

type sine struct {
	freq, amp float64 // Hz; 0 is silence
	n         int     // samples made
}

func newFakeAudio(freq, amp float64) *fakeAudio {
	return &fakeAudio{
		mics:   map[hal.AudioPort]*sine{hal.PortHeadset: {freq: freq, amp: amp}},
		played: map[hal.AudioPort][]int16{},
	}
}

// supervisor makes the monitor port's microphone play a sine.
func (a *fakeAudio) supervisor(freq, amp float64) *fakeAudio {
	a.mics[hal.PortMonitor] = &sine{freq: freq, amp: amp}
	return a
}

func (a *fakeAudio) OpenAudio(p hal.AudioPort, f hal.AudioFormat) (hal.AudioStream, error) {
	if f.SampleRate != 8000 && f.SampleRate != 16000 || f.Channels != 1 || f.FrameSamples != f.SampleRate/50 {
		return nil, hal.ErrOutOfRange
	}
	a.mu.Lock()
	a.rate = f.SampleRate
	a.mu.Unlock()
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
	m := a.mics[s.port]
	for i := range frame {
		if m != nil && m.freq > 0 {
			frame[i] = int16(m.amp * math.Sin(2*math.Pi*m.freq*float64(m.n)/float64(a.rate)))
			m.n++
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

// power returns the share of the 8 kHz signal's energy at freq
// (Goertzel), 0..1, and the signal's RMS.
func power(sig []int16, freq float64) (share, rms float64) {
	return powerAt(sig, freq, 8000)
}

// powerAt is power for a signal sampled at rate Hz.
func powerAt(sig []int16, freq float64, rate int) (share, rms float64) {
	c := 2 * math.Cos(2*math.Pi*freq/float64(rate))
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
