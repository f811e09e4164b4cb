package sim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	if err := checkFormat(port, f); err != nil {
		return nil, err
	}
	return &nullStream{port: port, size: f.FrameSamples * f.Channels}, nil
}

func checkFormat(port hal.AudioPort, f hal.AudioFormat) error {
	if (f.SampleRate != 8000 && f.SampleRate != 16000) || (f.Channels != 1 && f.Channels != 2) || f.FrameSamples <= 0 {
		return fmt.Errorf("sim: open %v at %d Hz, %d channels, %d samples: %w",
			port, f.SampleRate, f.Channels, f.FrameSamples, ErrFormat)
	}
	return nil
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

// fileAudio opens ports on raw files in a directory, for the simulator
// and CI: each port's playback goes to <dir>/<port>.raw and its
// microphone reads <dir>/<port>-in.raw, both signed 16-bit little-endian
// interleaved samples at the format the port was opened with. Nothing
// paces the files: the caller's clock (the media engine's) does. It is
// safe for concurrent use.
type fileAudio struct{ dir string }

var _ hal.AudioOpener = fileAudio{}

// OpenAudio implements hal.AudioOpener. It creates (or truncates)
// <port>.raw and opens <port>-in.raw if it exists; without it the
// microphone is silent.
func (a fileAudio) OpenAudio(port hal.AudioPort, f hal.AudioFormat) (hal.AudioStream, error) {
	if int(port) >= hal.NumAudioPorts {
		return nil, fmt.Errorf("sim: open %v: %w", port, hal.ErrOutOfRange)
	}
	if err := checkFormat(port, f); err != nil {
		return nil, err
	}
	out, err := os.Create(filepath.Join(a.dir, port.String()+".raw"))
	if err != nil {
		return nil, fmt.Errorf("sim: open %v: %w", port, err)
	}
	s := &fileStream{nullStream: nullStream{port: port, size: f.FrameSamples * f.Channels}, out: out, rout: newRawFile(out)}
	s.buf = make([]byte, 2*s.size)
	in, err := os.Open(filepath.Join(a.dir, port.String()+"-in.raw"))
	switch {
	case err == nil:
		s.in, s.rin = in, newRawFile(in)
	case !errors.Is(err, os.ErrNotExist):
		_ = out.Close()
		return nil, fmt.Errorf("sim: open %v microphone: %w", port, err)
	}
	return s, nil
}

// fileStream is one port open on files. Like every hal.AudioStream it is
// used by one goroutine at a time.
type fileStream struct {
	nullStream
	out  *os.File
	in   *os.File // nil when there is no input file, and after its end
	buf  []byte   // one frame of bytes, reused
	rin  rawFile  // in, for reads
	rout rawFile  // out, for writes
}

// ReadFrame fills frame with the next samples of <port>-in.raw: silence
// once the file has ended (a last partial frame is padded), or without
// one. It allocates nothing.
func (s *fileStream) ReadFrame(frame []int16) error {
	if err := s.check("read", frame); err != nil {
		return err
	}
	if s.in == nil {
		clear(frame)
		return nil
	}
	n, err := readFull(s.rin, s.buf)
	for i := range frame {
		if 2*i+1 < n {
			frame[i] = int16(binary.LittleEndian.Uint16(s.buf[2*i:]))
		} else {
			frame[i] = 0
		}
	}
	if err != nil {
		in := s.in
		s.in = nil
		cerr := in.Close()
		if err != io.EOF && err != io.ErrUnexpectedEOF {
			return fmt.Errorf("sim: read %v: %w", s.port, err)
		}
		if cerr != nil {
			return fmt.Errorf("sim: read %v: %w", s.port, cerr)
		}
	}
	return nil
}

// WriteFrame appends frame to <port>.raw. It allocates nothing.
func (s *fileStream) WriteFrame(frame []int16) error {
	if err := s.check("write", frame); err != nil {
		return err
	}
	for i, v := range frame {
		binary.LittleEndian.PutUint16(s.buf[2*i:], uint16(v))
	}
	if err := s.rout.write(s.buf); err != nil {
		return fmt.Errorf("sim: write %v: %w", s.port, err)
	}
	return nil
}

// Close closes the files; later reads and writes fail with hal.ErrClosed.
// A second Close does nothing.
func (s *fileStream) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	var errs []error
	if s.in != nil {
		errs = append(errs, s.in.Close())
	}
	if err := s.out.Close(); err != nil {
		errs = append(errs, fmt.Errorf("sim: close %v: %w", s.port, err))
	}
	return errors.Join(errs...)
}

// readFull reads len(p) bytes unless the file ends first: io.EOF with no
// bytes, io.ErrUnexpectedEOF with some.
func readFull(r rawFile, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.read(p[n:])
		if err != nil {
			return n, err
		}
		if m == 0 {
			if n == 0 {
				return 0, io.EOF
			}
			return n, io.ErrUnexpectedEOF
		}
		n += m
	}
	return n, nil
}
