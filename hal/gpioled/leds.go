package gpioled

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"ccphone/hal"
)

// Pins are the pins of one LED.
type Pins struct {
	// Red is the red (or only) colour's pin. Required.
	Red gpio.PinOut
	// Green is the green pin of a two-colour LED; nil for a single-colour
	// LED, which lights Red for any colour.
	Green gpio.PinOut
}

// Opts configures LEDs.
type Opts struct {
	// ActiveLow means a pin driven low lights its LED (the LED sits
	// between the supply and the pin).
	ActiveLow bool
	// Clock drives blinking; nil means the system clock.
	Clock hal.Clock
	// Logger receives pin errors that happen while blinking, when no
	// caller is there to return them to; nil discards them.
	Logger *slog.Logger
}

// DefaultOpts drives active-high pins on the system clock.
var DefaultOpts = Opts{}

// LEDs drives a set of LEDs on GPIO pins and blinks them. It implements
// hal.LEDs. All methods are safe for concurrent use.
type LEDs struct {
	clock     hal.Clock
	log       *slog.Logger
	activeLow bool
	epoch     time.Time // start of the blink clock

	mu     sync.Mutex
	leds   [hal.NumLEDs]led
	stop   func() bool // cancels the armed blink timer; nil when none is armed
	gen    uint64      // generation of the armed timer
	closed bool
	wg     sync.WaitGroup // one count per armed or running blink timer
}

type led struct {
	pins       Pins
	state      hal.LEDState
	red, green bool // lit now
	written    bool // red and green reflect the pins
}

var _ hal.LEDs = (*LEDs)(nil)

// New drives the LEDs in pins with opts (nil means DefaultOpts) and turns
// them all off. LEDs missing from pins are accepted and ignored by SetLED.
// Close releases them.
func New(pins map[hal.LED]Pins, opts *Opts) (*LEDs, error) {
	if opts == nil {
		opts = &DefaultOpts
	}
	l := &LEDs{clock: opts.Clock, log: opts.Logger, activeLow: opts.ActiveLow}
	if l.clock == nil {
		l.clock = hal.SystemClock{}
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	for id, p := range pins {
		if int(id) >= hal.NumLEDs {
			return nil, fmt.Errorf("%w: %v", ErrBadPins, id)
		}
		if p.Red == nil {
			return nil, fmt.Errorf("%w: %v has no red pin", ErrBadPins, id)
		}
		l.leds[id].pins = p
	}
	l.epoch = l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for id := range l.leds {
		if err := l.apply(hal.LED(id), 0); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// SetLED implements hal.LEDs: the LED shows s from now on, blinking in
// step with every other LED. Setting an LED the board does not have does
// nothing.
func (l *LEDs) SetLED(id hal.LED, s hal.LEDState) error {
	if int(id) >= hal.NumLEDs {
		return fmt.Errorf("gpioled: set %v: %w", id, hal.ErrOutOfRange)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("gpioled: set %v: %w", id, hal.ErrClosed)
	}
	if l.leds[id].pins.Red == nil {
		return nil
	}
	l.leds[id].state = s.Normalize()
	now := l.clock.Now()
	err := l.apply(id, l.elapsedMs(now))
	l.schedule(now)
	return err
}

// Close stops blinking, waits for a blink in progress, and turns every
// LED off. Later calls to SetLED fail with hal.ErrClosed.
func (l *LEDs) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.disarm()
	var first error
	for id := range l.leds {
		l.leds[id].state = hal.LEDState{}
		if err := l.apply(hal.LED(id), 0); err != nil && first == nil {
			first = err
		}
	}
	l.mu.Unlock()
	l.wg.Wait()
	return first
}

func (l *LEDs) elapsedMs(now time.Time) int64 { return now.Sub(l.epoch).Milliseconds() }

// apply drives LED id's pins for its state at elapsedMs, writing only pins
// whose level changes. Called with mu held.
func (l *LEDs) apply(id hal.LED, elapsedMs int64) error {
	d := &l.leds[id]
	if d.pins.Red == nil {
		return nil
	}
	on := d.state.PhaseOn(elapsedMs)
	red, green := on, false
	if d.pins.Green != nil {
		c := d.state.Color
		red = on && (c == hal.ColorRed || c == hal.ColorOrange)
		green = on && (c == hal.ColorGreen || c == hal.ColorOrange)
	}
	if !d.written || red != d.red {
		if err := d.pins.Red.Out(l.level(red)); err != nil {
			d.written = false
			return fmt.Errorf("gpioled: %v red pin %s: %w", id, d.pins.Red, err)
		}
		d.red = red
	}
	if d.pins.Green != nil && (!d.written || green != d.green) {
		if err := d.pins.Green.Out(l.level(green)); err != nil {
			d.written = false
			return fmt.Errorf("gpioled: %v green pin %s: %w", id, d.pins.Green, err)
		}
		d.green = green
	}
	d.written = true
	return nil
}

func (l *LEDs) level(lit bool) gpio.Level { return gpio.Level(lit != l.activeLow) }

// schedule arms the blink timer for the next phase boundary that matters,
// or disarms it when nothing blinks. Called with mu held.
func (l *LEDs) schedule(now time.Time) {
	half := time.Duration(0)
	for _, d := range l.leds {
		switch {
		case !d.state.Lit():
		case d.state.Pattern == hal.PatternFast:
			half = hal.FastHalfPeriodMs * time.Millisecond
		case d.state.Pattern == hal.PatternSlow && half == 0:
			half = hal.SlowHalfPeriodMs * time.Millisecond
		}
	}
	l.disarm()
	if half == 0 {
		return
	}
	elapsed := now.Sub(l.epoch)
	next := (elapsed/half + 1) * half
	gen := l.gen
	l.wg.Add(1)
	l.stop = l.clock.AfterFunc(next-elapsed, func() { l.blink(gen) })
}

// disarm cancels the armed timer, if any. Called with mu held.
func (l *LEDs) disarm() {
	l.gen++ // a timer already running finds itself outdated
	if l.stop == nil {
		return
	}
	if l.stop() {
		l.wg.Done() // it will never run
	}
	l.stop = nil
}

// blink is the timer's function: it brings every LED to its phase now
// and arms the next boundary.
func (l *LEDs) blink(gen uint64) {
	defer l.wg.Done()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || gen != l.gen {
		return // Close or a newer SetLED took over
	}
	l.stop = nil
	now := l.clock.Now()
	ms := l.elapsedMs(now)
	for id := range l.leds {
		if err := l.apply(hal.LED(id), ms); err != nil {
			l.log.Warn("blink LED", "led", hal.LED(id), "err", err)
		}
	}
	l.schedule(now)
}
