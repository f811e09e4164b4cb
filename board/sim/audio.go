package sim

import (
	"fmt"
	"sync/atomic"

	"ccphone/hal"
)

// nullAudio opens ports that capture silence and discard playback. It is
// safe for concurrent use.
type nullAudio struct{}

var _ hal.AudioOpener = nullAudio{}

// OpenAudio implements hal.AudioOpener.
func (nullAudio) OpenAudio(port hal.AudioPort, f hal.AudioFormat) (hal.AudioStream, error) {
	if int(port) >= hal.NumAudioPorts {
		return nil, fmt.Errorf("sim: open %v: %w", port, hal.ErrOutOfRange)
	}
	if (f.SampleRate != 8000 && f.SampleRate != 16000) || (f.Channels != 1 && f.Channels != 2) || f.FrameSamples <= 0 {
		return nil, fmt.Errorf("sim: open %v at %d Hz, %d channels, %d samples: %w",
			port, f.SampleRate, f.Channels, f.FrameSamples, ErrFormat)
	}
	return &nullStream{port: port, size: f.FrameSamples * f.Channels}, nil
}

// nullStream is one open null port. Like every hal.AudioStream it is used
// by one goroutine at a time; Close may race with nothing but is atomic
// anyway so that a late Read after Close reliably fails.
type nullStream struct {
	port   hal.AudioPort
	size   int
	closed atomic.Bool
}

func (s *nullStream) check(op string, frame []int16) error {
	if s.closed.Load() {
		return fmt.Errorf("sim: %s %v: %w", op, s.port, hal.ErrClosed)
	}
	if len(frame) != s.size {
		return fmt.Errorf("sim: %s %v: %d values, want %d: %w", op, s.port, len(frame), s.size, ErrFrameSize)
	}
	return nil
}

// ReadFrame fills frame with silence.
func (s *nullStream) ReadFrame(frame []int16) error {
	if err := s.check("read", frame); err != nil {
		return err
	}
	clear(frame)
	return nil
}

// WriteFrame discards frame.
func (s *nullStream) WriteFrame(frame []int16) error {
	return s.check("write", frame)
}

// Close closes the stream; later reads and writes fail with hal.ErrClosed.
func (s *nullStream) Close() error {
	s.closed.Store(true)
	return nil
}
