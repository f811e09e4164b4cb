package cc800

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"
	// The CC800 is a plain Linux board: GPIO lines through the kernel's
	// character devices, SPI through spidev. No SoC-specific drivers
	// (they would add most of periph's size to the firmware).
	_ "periph.io/x/host/v3/gpioioctl"
	_ "periph.io/x/host/v3/sysfs"

	"ccphone/board"
	"ccphone/hal"
	"ccphone/hal/gpiokeys"
	"ccphone/hal/gpioled"
	"ccphone/hal/st7565"
)

// Opts configures Open.
type Opts struct {
	// Logger receives driver warnings; nil discards them.
	Logger *slog.Logger
	// Clock drives LED blinking and key debouncing; nil means the system
	// clock.
	Clock hal.Clock
	// EdgeWait bounds each wait for a key edge, and so how long Run takes
	// to return after its context ends; 0 means gpiokeys' default.
	EdgeWait time.Duration
}

// DefaultOpts are the options ccphoned uses.
var DefaultOpts = Opts{}

// Board is an opened CC800. It implements board.Board. Display, LEDs and
// Audio are safe to call from any goroutine; the values they return have
// their own rules. Run must be called by one goroutine at a time, and
// Close after Run has returned.
type Board struct {
	def     *Definition
	port    spi.PortCloser
	display *Display
	leds    *gpioled.LEDs
	sources []gpiokeys.Source
	inputs  []gpio.PinIn
}

var _ board.Board = (*Board)(nil)

// Display is the CC800's LCD: the ST7565 with the backlight pin. It
// implements hal.Display, hal.Contrast and hal.Backlight, and like
// st7565.Dev is meant for the phone's event loop alone.
type Display struct {
	*st7565.Dev
	backlight *gpioled.Backlight // nil when the board has none
}

var (
	_ hal.Display   = (*Display)(nil)
	_ hal.Contrast  = (*Display)(nil)
	_ hal.Backlight = (*Display)(nil)
)

// SetBacklight implements hal.Backlight; without a backlight pin it
// returns hal.ErrUnsupported.
func (d *Display) SetBacklight(percent int) error {
	if d.backlight == nil {
		return fmt.Errorf("cc800: backlight: %w", hal.ErrUnsupported)
	}
	return d.backlight.SetBacklight(percent)
}

// Open validates def, initialises periph's host drivers, finds every pin
// and the SPI port by name, and starts the drivers. A pin or port that
// does not exist is reported by the setting that names it, all at once.
// opts nil means DefaultOpts.
func Open(def *Definition, opts *Opts) (*Board, error) {
	if opts == nil {
		opts = &DefaultOpts
	}
	if err := def.Validate(); err != nil {
		return nil, err
	}
	if _, err := driverreg.Init(); err != nil {
		return nil, fmt.Errorf("cc800: periph drivers: %w", err)
	}
	var spiErr error
	port, err := spireg.Open(def.LCD.SPI)
	if err != nil {
		spiErr = &Problem{File: def.File, Line: def.lines["lcd.spi"], Field: "lcd.spi",
			Err: fmt.Errorf("%w %s: %w", ErrNoSPI, def.LCD.SPI, err)}
	}
	pins, pinErr := def.resolvePins()
	if spiErr != nil || pinErr != nil {
		if port != nil {
			_ = port.Close()
		}
		return nil, errors.Join(spiErr, pinErr)
	}
	b := &Board{def: def, port: port}
	if err := b.start(pins, opts); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	return b, nil
}

// resolvePins looks every pin up in gpioreg.
func (d *Definition) resolvePins() (map[string]gpio.PinIO, error) {
	pins := map[string]gpio.PinIO{}
	var problems []error
	for _, u := range d.pinUses() {
		p := gpioreg.ByName(u.pin)
		if p == nil {
			problems = append(problems, &Problem{File: d.File, Line: d.lines[u.field], Field: u.field,
				Err: fmt.Errorf("%w %s", ErrNoPin, u.pin)})
			continue
		}
		pins[u.pin] = p
	}
	return pins, errors.Join(problems...)
}

func (b *Board) start(pins map[string]gpio.PinIO, opts *Opts) error {
	d := b.def
	var rst gpio.PinOut
	if d.LCD.Reset != "" {
		rst = pins[d.LCD.Reset]
	}
	lcdOpts := st7565.DefaultOpts
	lcdOpts.SPIHz = d.LCD.SPIHz
	lcdOpts.Contrast = d.LCD.Contrast
	lcdOpts.Bias = d.LCD.Bias
	lcdOpts.RegulatorRatio = d.LCD.RegulatorRatio
	lcdOpts.FlipX, lcdOpts.FlipY = d.LCD.FlipX, d.LCD.FlipY
	lcdOpts.ColumnOffset = d.LCD.ColumnOffset
	dev, err := st7565.New(b.port, pins[d.LCD.DC], rst, &lcdOpts)
	if err != nil {
		return fmt.Errorf("cc800: LCD: %w", err)
	}
	b.display = &Display{Dev: dev}
	if d.Backlight.Pin != "" {
		bl, err := gpioled.NewBacklight(pins[d.Backlight.Pin], &gpioled.BacklightOpts{
			ActiveLow: d.Backlight.ActiveLow, PWMHz: d.Backlight.PWMHz, Logger: opts.Logger})
		if err != nil {
			return fmt.Errorf("cc800: backlight: %w", err)
		}
		b.display.backlight = bl
	}

	ledPins := map[hal.LED]gpioled.Pins{}
	for id, p := range d.LEDs {
		lp := gpioled.Pins{Red: pins[p.Red]}
		if p.Green != "" {
			lp.Green = pins[p.Green]
		}
		ledPins[id] = lp
	}
	b.leds, err = gpioled.New(ledPins, &gpioled.Opts{ActiveLow: d.LEDActiveLow, Clock: opts.Clock, Logger: opts.Logger})
	if err != nil {
		return fmt.Errorf("cc800: LEDs: %w", err)
	}

	keyOpts := gpiokeys.DefaultOpts
	keyOpts.Debounce, keyOpts.ScanInterval = d.Debounce, d.ScanInterval
	keyOpts.Clock, keyOpts.Logger = opts.Clock, opts.Logger
	if opts.EdgeWait > 0 {
		keyOpts.EdgeWait = opts.EdgeWait
	}
	if len(d.Direct) > 0 {
		var inputs []gpiokeys.Input
		for _, in := range d.Direct {
			p := pins[in.Pin]
			inputs = append(inputs, gpiokeys.Input{Key: in.Key, Pin: p, ActiveLow: in.ActiveLow, Pull: pull(in)})
			b.inputs = append(b.inputs, p)
		}
		src, err := gpiokeys.NewDirect(inputs, &keyOpts)
		if err != nil {
			return fmt.Errorf("cc800: direct keys: %w", err)
		}
		b.sources = append(b.sources, src)
	}
	if len(d.Matrix.Rows) > 0 {
		mp := gpiokeys.MatrixPins{Keys: d.Matrix.Keys, ExternalPullUps: d.Matrix.ExternalPullUps}
		for _, r := range d.Matrix.Rows {
			mp.Rows = append(mp.Rows, pins[r])
		}
		for _, c := range d.Matrix.Cols {
			mp.Cols = append(mp.Cols, pins[c])
			b.inputs = append(b.inputs, pins[c])
		}
		src, err := gpiokeys.NewMatrix(mp, &keyOpts)
		if err != nil {
			return fmt.Errorf("cc800: key matrix: %w", err)
		}
		b.sources = append(b.sources, src)
	}
	return nil
}

// pull is the gpio pull a direct input asks for.
func pull(in DirectInput) gpio.Pull {
	switch {
	case in.Pull == "none":
		return gpio.PullNoChange
	case in.Pull == "up", in.Pull == "" && in.ActiveLow:
		return gpio.PullUp
	}
	return gpio.PullDown
}

// Display implements board.Board.
func (b *Board) Display() hal.Display { return b.display }

// LEDs implements board.Board.
func (b *Board) LEDs() hal.LEDs { return b.leds }

// Audio implements board.Board: the ports on the PortAudio devices the
// board file names (see audio.go).
func (b *Board) Audio() hal.AudioOpener { return newAudio(b.def.Audio) }

// Run implements board.Board: it runs the direct inputs (which report
// closed switches first) and the key matrix side by side on events. If
// either fails, the other is stopped and the error returned.
func (b *Board) Run(parent context.Context, events chan<- hal.KeyEvent) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	errs := make([]error, len(b.sources))
	var wg sync.WaitGroup
	for i, src := range b.sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = src.Run(ctx, events)
			cancel() // one source down stops the others
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("cc800: keys: %w", err)
		}
	}
	<-parent.Done() // also where a board without inputs waits
	return parent.Err()
}

// Close implements board.Board: LEDs off, display halted, backlight off,
// input pins halted, SPI port closed.
func (b *Board) Close() error {
	var errs []error
	if b.leds != nil {
		errs = append(errs, b.leds.Close())
	}
	if b.display != nil {
		errs = append(errs, b.display.Close())
		if b.display.backlight != nil {
			errs = append(errs, b.display.backlight.Close())
		}
	}
	for _, p := range b.inputs {
		errs = append(errs, p.Halt())
	}
	if b.port != nil {
		errs = append(errs, b.port.Close())
	}
	return errors.Join(errs...)
}
