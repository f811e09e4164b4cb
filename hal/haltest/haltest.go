// Package haltest provides in-memory fakes of the hal interfaces for tests.
// All fakes are safe for concurrent use.
package haltest

import (
	"sync"

	"ccphone/hal"
)

// Display records the frames it is shown.
type Display struct {
	mu        sync.Mutex
	frame     hal.Frame
	shows     int
	contrast  int
	backlight int
	notify    chan struct{}
}

var (
	_ hal.Display   = (*Display)(nil)
	_ hal.Contrast  = (*Display)(nil)
	_ hal.Backlight = (*Display)(nil)
)

// NewDisplay returns an empty display with the backlight on.
func NewDisplay() *Display {
	return &Display{backlight: 100, contrast: 32, notify: make(chan struct{}, 1)}
}

// Show implements hal.Display.
func (d *Display) Show(f *hal.Frame) error {
	d.mu.Lock()
	d.frame = *f
	d.shows++
	d.mu.Unlock()
	select {
	case d.notify <- struct{}{}:
	default:
	}
	return nil
}

// SetContrast implements hal.Contrast.
func (d *Display) SetContrast(level int) error {
	if level < 0 || level > hal.MaxContrast {
		return hal.ErrOutOfRange
	}
	d.mu.Lock()
	d.contrast = level
	d.mu.Unlock()
	return nil
}

// SetBacklight implements hal.Backlight.
func (d *Display) SetBacklight(percent int) error {
	if percent < 0 || percent > 100 {
		return hal.ErrOutOfRange
	}
	d.mu.Lock()
	d.backlight = percent
	d.mu.Unlock()
	return nil
}

// Frame returns the last frame shown.
func (d *Display) Frame() hal.Frame {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.frame
}

// Shows returns how many times Show was called.
func (d *Display) Shows() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.shows
}

// Contrast returns the last contrast set.
func (d *Display) Contrast() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.contrast
}

// Backlight returns the last backlight level set.
func (d *Display) Backlight() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.backlight
}

// Updated receives a value after each Show (coalesced).
func (d *Display) Updated() <-chan struct{} { return d.notify }

// LEDs records LED states.
type LEDs struct {
	mu    sync.Mutex
	state [hal.NumLEDs]hal.LEDState
	sets  int
}

var _ hal.LEDs = (*LEDs)(nil)

// SetLED implements hal.LEDs.
func (l *LEDs) SetLED(id hal.LED, s hal.LEDState) error {
	if int(id) >= hal.NumLEDs {
		return hal.ErrOutOfRange
	}
	l.mu.Lock()
	l.state[id] = s.Normalize()
	l.sets++
	l.mu.Unlock()
	return nil
}

// State returns what LED id shows.
func (l *LEDs) State(id hal.LED) hal.LEDState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state[id]
}

// All returns every LED's state.
func (l *LEDs) All() [hal.NumLEDs]hal.LEDState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// Audio opens silent ports that record what is written to them.
type Audio struct {
	mu      sync.Mutex
	written map[hal.AudioPort]int
}

var _ hal.AudioOpener = (*Audio)(nil)

// OpenAudio implements hal.AudioOpener.
func (a *Audio) OpenAudio(port hal.AudioPort, f hal.AudioFormat) (hal.AudioStream, error) {
	if int(port) >= hal.NumAudioPorts {
		return nil, hal.ErrOutOfRange
	}
	return &audioStream{a: a, port: port}, nil
}

// Written returns how many samples were written to port.
func (a *Audio) Written(port hal.AudioPort) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.written[port]
}

type audioStream struct {
	a      *Audio
	port   hal.AudioPort
	closed bool
}

func (s *audioStream) ReadFrame(frame []int16) error {
	if s.closed {
		return hal.ErrClosed
	}
	clear(frame)
	return nil
}

func (s *audioStream) WriteFrame(frame []int16) error {
	if s.closed {
		return hal.ErrClosed
	}
	s.a.mu.Lock()
	if s.a.written == nil {
		s.a.written = map[hal.AudioPort]int{}
	}
	s.a.written[s.port] += len(frame)
	s.a.mu.Unlock()
	return nil
}

func (s *audioStream) Close() error {
	s.closed = true
	return nil
}
