package gpioled

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"

	"ccphone/hal"
	"ccphone/hal/haltest"
)

// board is five LEDs on fake pins: the two line LEDs two-colour, the rest
// single-colour.
type board struct {
	red, green [hal.NumLEDs]*gpiotest.Pin
	clock      *haltest.Clock
	leds       *LEDs
}

func newBoard(t *testing.T, activeLow bool) *board {
	t.Helper()
	b := &board{clock: haltest.NewClock()}
	pins := map[hal.LED]Pins{}
	for id := hal.LED(0); id < hal.NumLEDs; id++ {
		// Start every pin at the lit level, so New must turn them off.
		b.red[id] = &gpiotest.Pin{N: fmt.Sprintf("%v_R", id), L: gpio.Level(!activeLow)}
		p := Pins{Red: b.red[id]}
		if id == hal.LEDLine1 || id == hal.LEDLine2 {
			b.green[id] = &gpiotest.Pin{N: fmt.Sprintf("%v_G", id), L: gpio.Level(!activeLow)}
			p.Green = b.green[id]
		}
		pins[id] = p
	}
	var err error
	b.leds, err = New(pins, &Opts{ActiveLow: activeLow, Clock: b.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.leds.Close() })
	return b
}

// lit reports what LED id shows, as (red, green), reading the pins.
func (b *board) lit(id hal.LED, activeLow bool) (red, green bool) {
	red = b.red[id].Read() != gpio.Level(activeLow)
	if b.green[id] != nil {
		green = b.green[id].Read() != gpio.Level(activeLow)
	}
	return red, green
}

func (b *board) set(t *testing.T, id hal.LED, c hal.Color, p hal.Pattern) {
	t.Helper()
	if err := b.leds.SetLED(id, hal.LEDState{Color: c, Pattern: p}); err != nil {
		t.Fatalf("SetLED(%v, %v %v): %v", id, c, p, err)
	}
}

func TestColoursOnTheRightPins(t *testing.T) {
	tests := []struct {
		led        hal.LED
		color      hal.Color
		pattern    hal.Pattern
		red, green bool
	}{
		{hal.LEDLine1, hal.ColorOff, hal.PatternSteady, false, false},
		{hal.LEDLine1, hal.ColorGreen, hal.PatternSteady, false, true},
		{hal.LEDLine1, hal.ColorRed, hal.PatternSteady, true, false},
		{hal.LEDLine1, hal.ColorOrange, hal.PatternSteady, true, true},
		{hal.LEDLine2, hal.ColorOrange, hal.PatternOff, false, false},
		{hal.LEDLine2, hal.ColorGreen, hal.PatternSteady, false, true},
		{hal.LEDAutoAnswer, hal.ColorRed, hal.PatternSteady, true, false},
		{hal.LEDHold, hal.ColorGreen, hal.PatternSteady, true, false}, // single colour: any colour lights it
		{hal.LEDHeadset, hal.ColorOff, hal.PatternSteady, false, false},
	}
	for _, activeLow := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("activeLow=%v/%v %v %v", activeLow, tt.led, tt.color, tt.pattern), func(t *testing.T) {
				b := newBoard(t, activeLow)
				for id := hal.LED(0); id < hal.NumLEDs; id++ {
					if r, g := b.lit(id, activeLow); r || g {
						t.Fatalf("%v lit after New", id)
					}
				}
				b.set(t, tt.led, tt.color, tt.pattern)
				if r, g := b.lit(tt.led, activeLow); r != tt.red || g != tt.green {
					t.Errorf("%v shows red=%v green=%v, want red=%v green=%v", tt.led, r, g, tt.red, tt.green)
				}
				for id := hal.LED(0); id < hal.NumLEDs; id++ {
					if r, g := b.lit(id, activeLow); id != tt.led && (r || g) {
						t.Errorf("%v lit too", id)
					}
				}
			})
		}
	}
}

func TestBlinkPhases(t *testing.T) {
	b := newBoard(t, false)
	// The fast LED comes first in LED order, so that a slow one after it
	// must not slow the timer down.
	b.set(t, hal.LEDLine2, hal.ColorRed, hal.PatternSlow)
	b.set(t, hal.LEDLine1, hal.ColorGreen, hal.PatternFast)
	b.set(t, hal.LEDHeadset, hal.ColorRed, hal.PatternSteady)
	// At each elapsed time: line2 red (slow), line1 green (fast), headset.
	steps := []struct {
		at                  time.Duration
		slow, fast, headset bool
	}{
		{0, true, true, true},
		{124 * time.Millisecond, true, true, true},
		{125 * time.Millisecond, true, false, true},
		{250 * time.Millisecond, true, true, true},
		{499 * time.Millisecond, true, false, true},
		{500 * time.Millisecond, false, true, true},
		{875 * time.Millisecond, false, false, true},
		{1000 * time.Millisecond, true, true, true},
		{1625 * time.Millisecond, false, false, true},
	}
	var now time.Duration
	for _, s := range steps {
		b.clock.Advance(s.at - now)
		now = s.at
		slow, _ := b.lit(hal.LEDLine2, false)
		_, fast := b.lit(hal.LEDLine1, false)
		h, _ := b.lit(hal.LEDHeadset, false)
		if slow != s.slow || fast != s.fast || h != s.headset {
			t.Errorf("at %v: slow=%v fast=%v headset=%v, want %v %v %v", s.at, slow, fast, h, s.slow, s.fast, s.headset)
		}
	}
}

func TestLEDsBlinkInStep(t *testing.T) {
	b := newBoard(t, false)
	b.set(t, hal.LEDLine1, hal.ColorRed, hal.PatternSlow)
	b.clock.Advance(700 * time.Millisecond) // line1 is in its off half
	b.set(t, hal.LEDLine2, hal.ColorRed, hal.PatternSlow)
	if r, _ := b.lit(hal.LEDLine2, false); r {
		t.Error("line2 starts lit while line1, blinking at the same rate, is dark")
	}
	b.clock.Advance(300 * time.Millisecond)
	r1, _ := b.lit(hal.LEDLine1, false)
	r2, _ := b.lit(hal.LEDLine2, false)
	if !r1 || !r2 {
		t.Errorf("at 1 s line1=%v line2=%v, want both lit together", r1, r2)
	}
}

func TestNoWakeupsWhenNothingBlinks(t *testing.T) {
	b := newBoard(t, false)
	b.set(t, hal.LEDLine1, hal.ColorRed, hal.PatternSteady)
	b.set(t, hal.LEDAutoAnswer, hal.ColorRed, hal.PatternSteady)
	if n := b.clock.Armed(); n != 0 {
		t.Fatalf("%d timers armed with only steady LEDs", n)
	}

	b.set(t, hal.LEDHold, hal.ColorRed, hal.PatternSlow)
	before := b.clock.Armed()
	b.clock.Advance(2 * time.Second)
	if n := b.clock.Armed() - before; n != 4 {
		t.Errorf("%d wakeups in 2 s of slow blinking, want 4 (one per half period)", n)
	}

	b.set(t, hal.LEDHold, hal.ColorRed, hal.PatternSteady)
	if n := b.clock.Pending(); n != 0 {
		t.Errorf("%d timers still armed after the last LED stopped blinking", n)
	}
	before = b.clock.Armed()
	b.clock.Advance(10 * time.Second)
	if n := b.clock.Armed() - before; n != 0 {
		t.Errorf("%d wakeups while nothing blinks", n)
	}
}

func TestCloseTurnsEverythingOff(t *testing.T) {
	for _, activeLow := range []bool{false, true} {
		t.Run(fmt.Sprintf("activeLow=%v", activeLow), func(t *testing.T) {
			b := newBoard(t, activeLow)
			b.set(t, hal.LEDLine1, hal.ColorOrange, hal.PatternSteady)
			b.set(t, hal.LEDLine2, hal.ColorGreen, hal.PatternFast)
			b.set(t, hal.LEDHeadset, hal.ColorRed, hal.PatternSteady)
			if err := b.leds.Close(); err != nil {
				t.Fatal(err)
			}
			for id := hal.LED(0); id < hal.NumLEDs; id++ {
				if r, g := b.lit(id, activeLow); r || g {
					t.Errorf("%v still lit after Close", id)
				}
			}
			if n := b.clock.Pending(); n != 0 {
				t.Errorf("%d timers armed after Close", n)
			}
			err := b.leds.SetLED(hal.LEDLine1, hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternSteady})
			if !errors.Is(err, hal.ErrClosed) {
				t.Errorf("SetLED after Close = %v, want ErrClosed", err)
			}
		})
	}
}

func TestBadLEDs(t *testing.T) {
	if _, err := New(map[hal.LED]Pins{hal.NumLEDs: {Red: &gpiotest.Pin{}}}, nil); !errors.Is(err, ErrBadPins) {
		t.Errorf("New with an unknown LED = %v, want ErrBadPins", err)
	}
	if _, err := New(map[hal.LED]Pins{hal.LEDHold: {}}, nil); !errors.Is(err, ErrBadPins) {
		t.Errorf("New without a red pin = %v, want ErrBadPins", err)
	}
	l, err := New(map[hal.LED]Pins{hal.LEDHold: {Red: &gpiotest.Pin{}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.SetLED(hal.NumLEDs, hal.LEDState{}); !errors.Is(err, hal.ErrOutOfRange) {
		t.Errorf("SetLED(unknown) = %v, want ErrOutOfRange", err)
	}
	if err := l.SetLED(hal.LEDLine1, hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternFast}); err != nil {
		t.Errorf("SetLED on an LED the board lacks = %v, want nil", err)
	}
}

// TestRealClockRace blinks on the system clock while other goroutines
// change LEDs, then closes; run with -race.
func TestRealClockRace(t *testing.T) {
	pins := map[hal.LED]Pins{hal.LEDLine1: {Red: &gpiotest.Pin{}, Green: &gpiotest.Pin{}}, hal.LEDHold: {Red: &gpiotest.Pin{}}}
	l, err := New(pins, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				p := hal.Pattern(i % 4)
				_ = l.SetLED(hal.LED(i%2*int(hal.LEDHold)), hal.LEDState{Color: hal.ColorRed, Pattern: p})
			}
		}()
	}
	wg.Wait()
	_ = l.SetLED(hal.LEDLine1, hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternFast})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for id, p := range pins {
		if p.Red.(*gpiotest.Pin).Read() != gpio.Low {
			t.Errorf("%v lit after Close", id)
		}
	}
}

// pwmlessPin refuses PWM, like most GPIOs.
type pwmlessPin struct{ gpiotest.Pin }

func (p *pwmlessPin) PWM(gpio.Duty, physic.Frequency) error { return errors.New("no PWM here") }

func TestBacklight(t *testing.T) {
	tests := []struct {
		name     string
		opts     BacklightOpts
		pwmless  bool
		percent  int
		level    gpio.Level
		duty     gpio.Duty // 0 when the pin should only switch
		wantFreq physic.Frequency
	}{
		{"off", BacklightOpts{}, false, 0, gpio.Low, 0, 0},
		{"on", BacklightOpts{}, false, 100, gpio.High, 0, 0},
		{"dim without PWM is on", BacklightOpts{}, false, 30, gpio.High, 0, 0},
		{"active-low off", BacklightOpts{ActiveLow: true}, false, 0, gpio.High, 0, 0},
		{"active-low on", BacklightOpts{ActiveLow: true}, false, 40, gpio.Low, 0, 0},
		{"PWM dims", BacklightOpts{PWMHz: 1000}, false, 25, gpio.High, gpio.DutyMax / 4, physic.KiloHertz},
		{"active-low PWM dims", BacklightOpts{PWMHz: 1000, ActiveLow: true}, false, 25, gpio.High, gpio.DutyMax - gpio.DutyMax/4, physic.KiloHertz},
		{"PWM refused falls back to on", BacklightOpts{PWMHz: 1000}, true, 25, gpio.High, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pin gpio.PinOut
			var fake *gpiotest.Pin
			if tt.pwmless {
				p := &pwmlessPin{}
				pin, fake = p, &p.Pin
			} else {
				fake = &gpiotest.Pin{}
				pin = fake
			}
			bl, err := NewBacklight(pin, &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := bl.SetBacklight(tt.percent); err != nil {
				t.Fatal(err)
			}
			if tt.duty != 0 {
				if fake.D != tt.duty || fake.F != tt.wantFreq {
					t.Errorf("PWM duty %v at %v, want %v at %v", fake.D, fake.F, tt.duty, tt.wantFreq)
				}
			} else if fake.Read() != tt.level {
				t.Errorf("pin %v, want %v", fake.Read(), tt.level)
			}
			if bl.Percent() != tt.percent {
				t.Errorf("Percent = %d, want %d", bl.Percent(), tt.percent)
			}
		})
	}
	bl, err := NewBacklight(&gpiotest.Pin{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int{-1, 101} {
		if err := bl.SetBacklight(bad); !errors.Is(err, hal.ErrOutOfRange) {
			t.Errorf("SetBacklight(%d) = %v, want ErrOutOfRange", bad, err)
		}
	}
}
