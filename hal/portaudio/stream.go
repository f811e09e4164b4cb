//go:build cgo

package portaudio

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pa "github.com/gordonklaus/portaudio"

	"ccphone/hal"
)

// libMu serialises calls that touch the PortAudio binding's package state
// (its initialisation count and cached device list are not synchronised)
// and PortAudio's own global state: Initialize, Terminate, the device
// list, opening and closing streams. It guards no state of this package.
var libMu sync.Mutex

// maxDeviceErrors is how many device transfers in a row may fail (one
// second of 20 ms periods) before the pump gives up and the stream reports
// ErrDevice.
const maxDeviceErrors = 50

// stream is one open port: a PortAudio blocking stream driven by a pump
// goroutine, and a ring per direction between the pump and the engine.
// ReadFrame and WriteFrame are for one goroutine at a time, like every
// hal.AudioStream; Stats and Close may be called from any goroutine.
type stream struct {
	port   hal.AudioPort
	device string
	format hal.AudioFormat
	size   int // values per frame

	pa       *pa.Stream
	inBuf    []int16 // device period buffers, owned by the pump
	outBuf   []int16
	capture  *ring // nil for playback-only ports
	playback *ring
	latency  time.Duration // the device's output (or input) latency

	started      time.Time
	refNanos     atomic.Int64  // since started, when the drift reference was taken; 0 before
	refSamples   atomic.Uint64 // device-side samples moved by then
	moved        atomic.Uint64 // samples per direction the device has moved
	xruns        atomic.Uint64
	deviceErrors atomic.Uint64
	failed       atomic.Pointer[error] // set when the pump gave up

	stop      atomic.Bool
	done      chan struct{}
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var _ StatsReporter = (*stream)(nil)

func (o *Opener) open(port hal.AudioPort, name string, f hal.AudioFormat) (hal.AudioStream, error) {
	duplex := port != hal.PortSpeaker
	libMu.Lock()
	defer libMu.Unlock()
	if err := pa.Initialize(); err != nil {
		return nil, fmt.Errorf("portaudio: open %v (%q): initialise: %w: %w", port, name, ErrDevice, err)
	}
	s, err := o.openLocked(port, name, f, duplex)
	if err != nil {
		_ = pa.Terminate()
		return nil, err
	}
	return s, nil
}

func (o *Opener) openLocked(port hal.AudioPort, name string, f hal.AudioFormat, duplex bool) (*stream, error) {
	where := fmt.Sprintf("portaudio: open %v (%q)", port, name)
	dev, err := findDevice(name, duplex)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	s := &stream{port: port, device: name, format: f, size: f.FrameSamples * f.Channels, done: make(chan struct{})}
	params := pa.StreamParameters{
		SampleRate:      float64(f.SampleRate),
		FramesPerBuffer: f.FrameSamples,
		Flags:           pa.ClipOff | pa.DitherOff,
		Output:          pa.StreamDeviceParameters{Device: dev, Channels: f.Channels, Latency: o.opts.DeviceLatency},
	}
	if dev.MaxOutputChannels < f.Channels {
		return nil, fmt.Errorf("%s: %d playback channels, device %q has %d: %w", where, f.Channels, dev.Name, dev.MaxOutputChannels, ErrFormat)
	}
	s.outBuf = make([]int16, s.size)
	args := []any{&s.outBuf}
	if duplex {
		if dev.MaxInputChannels < f.Channels {
			return nil, fmt.Errorf("%s: %d capture channels, device %q has %d: %w", where, f.Channels, dev.Name, dev.MaxInputChannels, ErrFormat)
		}
		params.Input = pa.StreamDeviceParameters{Device: dev, Channels: f.Channels, Latency: o.opts.DeviceLatency}
		s.inBuf = make([]int16, s.size)
		args = []any{&s.inBuf, &s.outBuf}
	}
	if err := pa.IsFormatSupported(params, args...); err != nil {
		return nil, fmt.Errorf("%s: device %q at %d Hz, %d channels (resampling is not done here): %w: %w",
			where, dev.Name, f.SampleRate, f.Channels, ErrFormat, err)
	}
	paStream, err := pa.OpenStream(params, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: device %q: %w: %w", where, dev.Name, ErrDevice, err)
	}
	s.pa = paStream
	if err := paStream.Start(); err != nil {
		_ = paStream.Close()
		return nil, fmt.Errorf("%s: start device %q: %w: %w", where, dev.Name, ErrDevice, err)
	}
	if info := paStream.Info(); info != nil {
		s.latency = max(info.OutputLatency, info.InputLatency)
	}
	prefill, capacity := o.ringSizes(f)
	s.playback = newRing(capacity, prefill)
	if duplex {
		s.capture = newRing(capacity, prefill)
	}
	s.started = time.Now()
	go s.pump()
	return s, nil
}

// findDevice returns the device called name: "default" is PortAudio's
// default (output) device, else an exact name, else an ALSA hardware
// device whose name ends in "(name)". Called with libMu held.
func findDevice(name string, duplex bool) (*pa.DeviceInfo, error) {
	devs, err := pa.Devices()
	if err != nil {
		return nil, fmt.Errorf("%w: device list: %w", ErrDevice, err)
	}
	for _, d := range devs {
		if d.Name == name {
			return d, nil
		}
	}
	if name == "default" {
		d, err := pa.DefaultOutputDevice()
		if err != nil {
			return nil, fmt.Errorf("%w: default: %w", ErrNoDevice, err)
		}
		if duplex {
			in, err := pa.DefaultInputDevice()
			if err != nil {
				return nil, fmt.Errorf("%w: default input: %w", ErrNoDevice, err)
			}
			if in != d {
				return nil, fmt.Errorf("%w: default input %q and output %q differ; name one duplex device", ErrNoDevice, in.Name, d.Name)
			}
		}
		return d, nil
	}
	for _, d := range devs {
		if strings.HasSuffix(d.Name, "("+name+")") {
			return d, nil
		}
	}
	if len(devs) == 0 {
		return nil, fmt.Errorf("%w %q (PortAudio has no devices)", ErrNoDevice, name)
	}
	names := make([]string, len(devs))
	for i, d := range devs {
		names[i] = fmt.Sprintf("%q", d.Name)
	}
	return nil, fmt.Errorf("%w %q (PortAudio has %s)", ErrNoDevice, name, strings.Join(names, ", "))
}

// pump moves one device period per turn between the device and the rings
// until stop is set, then plays out what the engine had written. It paces
// itself: it never gets more than the device's latency plus two periods
// ahead of real time, so that a device that does not block (ALSA null and
// file) runs at the nominal rate.
func (s *stream) pump() {
	defer close(s.done)
	period := time.Duration(s.format.FrameSamples) * time.Second / time.Duration(s.format.SampleRate)
	ahead := s.latency + 2*period
	start := s.started
	var periods int64
	failures := 0
	for {
		stopping := s.stop.Load()
		if stopping && s.playback.buffered() == 0 {
			return
		}
		ok := true
		if s.capture != nil {
			if err := s.pa.Read(); err != nil && !s.deviceError(err) {
				ok = false
			} else if !stopping {
				s.capture.write(s.inBuf)
			}
		}
		s.playback.read(s.outBuf)
		if err := s.pa.Write(); err != nil && !s.deviceError(err) {
			ok = false
		}
		if ok {
			failures = 0
		} else if failures++; failures >= maxDeviceErrors {
			err := fmt.Errorf("portaudio: %v (%q): %d transfers failed: %w", s.port, s.device, failures, ErrDevice)
			s.failed.Store(&err)
			return
		}
		periods++
		s.moved.Add(uint64(s.size))
		if s.refNanos.Load() == 0 && time.Since(s.started) >= time.Second {
			s.refSamples.Store(s.moved.Load())
			s.refNanos.Store(int64(time.Since(s.started)))
		}
		due := start.Add(time.Duration(periods) * period)
		now := time.Now()
		switch {
		case now.Add(ahead).Before(due):
			time.Sleep(due.Sub(now) - ahead + period) // back to one period less than ahead
		case now.Sub(due) > 4*period:
			// The device (or the machine) stalled: do not rush to catch up.
			start, periods = now, 0
		}
	}
}

// deviceError counts a failed transfer and reports whether it was only an
// xrun, after which the stream carries on.
func (s *stream) deviceError(err error) bool {
	if errors.Is(err, pa.OutputUnderflowed) || errors.Is(err, pa.InputOverflowed) {
		s.xruns.Add(1)
		return true
	}
	s.deviceErrors.Add(1)
	return false
}

func (s *stream) check(op string, frame []int16) error {
	if s.closed.Load() {
		return fmt.Errorf("portaudio: %s %v: %w", op, s.port, hal.ErrClosed)
	}
	if len(frame) != s.size {
		return fmt.Errorf("portaudio: %s %v: %d values, want %d: %w", op, s.port, len(frame), s.size, ErrFrameSize)
	}
	if err := s.failed.Load(); err != nil {
		return *err
	}
	return nil
}

// ReadFrame implements hal.AudioStream: it takes one frame of captured
// audio from the ring without waiting, silence where there is none (and
// always on the speaker). It allocates nothing.
func (s *stream) ReadFrame(frame []int16) error {
	if err := s.check("read", frame); err != nil {
		return err
	}
	if s.capture == nil {
		clear(frame)
		return nil
	}
	s.capture.read(frame)
	return nil
}

// WriteFrame implements hal.AudioStream: it queues one frame for the
// device without waiting. It allocates nothing.
func (s *stream) WriteFrame(frame []int16) error {
	if err := s.check("write", frame); err != nil {
		return err
	}
	s.playback.write(frame)
	return nil
}

// Stats implements StatsReporter.
func (s *stream) Stats() Stats {
	st := Stats{
		SampleRate:   s.format.SampleRate,
		Channels:     s.format.Channels,
		Elapsed:      time.Since(s.started),
		Playback:     s.playback.snapshot(),
		DeviceXruns:  s.xruns.Load(),
		DeviceErrors: s.deviceErrors.Load(),
	}
	if s.capture != nil {
		st.Capture = s.capture.snapshot()
	}
	if ref := time.Duration(s.refNanos.Load()); ref > 0 && st.Elapsed-ref >= time.Second {
		want := (st.Elapsed - ref).Seconds() * float64(s.format.SampleRate*s.format.Channels)
		st.DriftPPM = (float64(s.moved.Load()-s.refSamples.Load()) - want) / want * 1e6
	}
	return st
}

// Close implements hal.AudioStream: later reads and writes fail with
// hal.ErrClosed. It plays out what was written (at most Opts.Buffer),
// lets the device finish, closes it and releases PortAudio. It may be
// called more than once, from any goroutine.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.playback.setDrain()
		s.stop.Store(true)
		<-s.done
		libMu.Lock()
		defer libMu.Unlock()
		var errs []error
		if err := s.pa.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop: %w", err))
		}
		if err := s.pa.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close: %w", err))
		}
		if err := pa.Terminate(); err != nil {
			errs = append(errs, fmt.Errorf("terminate: %w", err))
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("portaudio: close %v (%q): %w: %w", s.port, s.device, ErrDevice, err)
		}
	})
	return s.closeErr
}
