package gpioled

import (
	"fmt"
	"log/slog"
	"sync"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"

	"ccphone/hal"
)

// BacklightOpts configures a Backlight.
type BacklightOpts struct {
	// ActiveLow means driving the pin low lights the backlight.
	ActiveLow bool
	// PWMHz is the PWM frequency in hertz used to dim between 1 and 99
	// percent; 0 means the pin only switches (any level above 0 is full
	// on). Pins without PWM fall back to switching.
	PWMHz int64
	// Logger hears once that PWM is not available; nil discards it.
	Logger *slog.Logger
}

// DefaultBacklightOpts switches an active-high pin without PWM.
var DefaultBacklightOpts = BacklightOpts{}

// Backlight is an LCD backlight on one pin. It implements hal.Backlight.
// All methods are safe for concurrent use.
type Backlight struct {
	pin  gpio.PinOut
	opts BacklightOpts
	log  *slog.Logger

	mu      sync.Mutex
	noPWM   bool // PWM failed once; switch from now on
	percent int
}

var _ hal.Backlight = (*Backlight)(nil)

// NewBacklight drives pin with opts (nil means DefaultBacklightOpts) and
// turns the backlight fully on.
func NewBacklight(pin gpio.PinOut, opts *BacklightOpts) (*Backlight, error) {
	if opts == nil {
		opts = &DefaultBacklightOpts
	}
	if opts.PWMHz < 0 {
		return nil, fmt.Errorf("%w: backlight PWMHz %d", ErrBadPins, opts.PWMHz)
	}
	b := &Backlight{pin: pin, opts: *opts, log: opts.Logger}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if err := b.SetBacklight(100); err != nil {
		return nil, err
	}
	return b, nil
}

// SetBacklight implements hal.Backlight: 0 is off, 100 full on, levels in
// between dim with PWM where configured and supported, and are full on
// otherwise.
func (b *Backlight) SetBacklight(percent int) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("gpioled: backlight %d%%: %w", percent, hal.ErrOutOfRange)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if percent > 0 && percent < 100 && b.opts.PWMHz > 0 && !b.noPWM {
		duty := gpio.DutyMax * gpio.Duty(percent) / 100
		if b.opts.ActiveLow {
			duty = gpio.DutyMax - duty
		}
		err := b.pin.PWM(duty, physic.Frequency(b.opts.PWMHz)*physic.Hertz)
		if err == nil {
			b.percent = percent
			return nil
		}
		b.noPWM = true
		b.log.Info("backlight pin cannot dim; switching only", "pin", b.pin, "err", err)
	}
	if err := b.pin.Out(gpio.Level((percent > 0) != b.opts.ActiveLow)); err != nil {
		return fmt.Errorf("gpioled: backlight pin %s: %w", b.pin, err)
	}
	b.percent = percent
	return nil
}

// Percent returns the level last set.
func (b *Backlight) Percent() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.percent
}

// Close turns the backlight off.
func (b *Backlight) Close() error { return b.SetBacklight(0) }
