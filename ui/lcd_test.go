package ui

import (
	"context"
	"testing"
	"time"

	"ccphone/hal"
	"ccphone/hal/haltest"
	"ccphone/hal/st7565"
	"ccphone/hal/st7565/st7565test"
	"ccphone/ui/i18n"
)

// shippedDisplay wraps the ST7565 driver and reports each Show, so tests
// and benchmarks know when the pixels have been sent over the bus.
type shippedDisplay struct {
	*st7565.Dev
	shown chan struct{}
}

func (d *shippedDisplay) Show(f *hal.Frame) error {
	err := d.Dev.Show(f)
	d.shown <- struct{}{}
	return err
}

func newBusPhone(tb testing.TB) (*Phone, *st7565test.Controller, *shippedDisplay) {
	tb.Helper()
	ctrl := st7565test.New("LCD", st7565test.Glass{})
	opts := st7565.DefaultOpts
	dev, err := st7565.New(ctrl, ctrl.DC(), ctrl.Reset(), &opts)
	if err != nil {
		tb.Fatal(err)
	}
	disp := &shippedDisplay{Dev: dev, shown: make(chan struct{}, 16)}
	cats, err := i18n.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	p, err := New(Options{Display: disp, LEDs: nopLEDs{}, Catalogs: cats, Settings: testSettings(), Clock: haltest.NewClockAt(start)})
	if err != nil {
		tb.Fatal(err)
	}
	return p, ctrl, disp
}

type nopLEDs struct{}

func (nopLEDs) SetLED(hal.LED, hal.LEDState) error { return nil }

// TestPixelsReachTheGlass runs the phone on the real LCD driver over a
// model of the controller, and checks that what the glass shows is what
// the UI drew, screen after screen.
func TestPixelsReachTheGlass(t *testing.T) {
	p, ctrl, disp := newBusPhone(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	wait := func() {
		t.Helper()
		select {
		case <-disp.shown:
		case <-time.After(10 * time.Second):
			t.Fatal("no frame shipped")
		}
	}
	check := func(page pageID) {
		t.Helper()
		ok := make(chan bool)
		if err := p.do(ctx, func() {
			ok <- p.last.page == page && ctrl.Frame() == p.frame
		}); err != nil {
			t.Fatal(err)
		}
		if !<-ok {
			t.Errorf("page %v: the glass does not show what the UI drew", page)
		}
	}
	wait()
	check(pageIdle)
	for _, step := range []struct {
		key  hal.Key
		page pageID
	}{
		{hal.KeyMenu, pageMenu},
		{hal.Key8, pageMenu},
		{hal.KeyOK, pageCallLog},
		{hal.KeyBack, pageMenu},
		{hal.Key2, pageMenu},
		{hal.KeyOK, pageStatus},
		{hal.KeyOK, pageNetwork},
		{hal.KeyMenu, pageIdle},
	} {
		p.Keys() <- hal.KeyEvent{Key: step.key, Down: true, At: start}
		p.Keys() <- hal.KeyEvent{Key: step.key, Down: false, At: start}
		wait()
		check(step.page)
	}
	cancel()
	<-done
	if !ctrl.On() {
		t.Error("display switched off")
	}
}

// BenchmarkKeyToGlass measures a key press, from the event reaching the
// phone to the changed pixels shipped over the SPI bus to the controller
// (the ST7565 driver on a modelled bus): the Menu key, alternately
// opening and closing the menu.
func BenchmarkKeyToGlass(b *testing.B) {
	p, _, disp := newBusPhone(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	<-disp.shown // the first screen
	b.ReportAllocs()
	for b.Loop() {
		p.Keys() <- hal.KeyEvent{Key: hal.KeyMenu, Down: true, At: start}
		<-disp.shown
		p.Keys() <- hal.KeyEvent{Key: hal.KeyMenu, Down: false, At: start}
	}
	b.StopTimer()
	cancel()
	<-done
}
