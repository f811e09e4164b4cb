package gpiokeys

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"ccphone/hal"
)

// Source delivers key events until ctx is done. Direct and Matrix are
// Sources; a board runs several side by side on one channel.
type Source interface {
	// Run watches the keys and sends their events to events until ctx is
	// done, then returns ctx's error; any other error means the pins
	// failed. Run stops every goroutine it started before it returns.
	Run(ctx context.Context, events chan<- hal.KeyEvent) error
}

// Opts configures a Direct or a Matrix.
type Opts struct {
	// Debounce is how long a level must stay unchanged before it counts.
	// Key contacts bounce for a few milliseconds.
	Debounce time.Duration
	// ScanInterval is how often a Matrix scans its rows while a key is
	// down. Shorter notices presses sooner and costs more wakeups.
	ScanInterval time.Duration
	// EdgeWait is the timeout of each wait for an edge. It is not a
	// polling period: the wait ends early on any edge. It bounds how long
	// Run takes to return after ctx is done on pins whose Halt does not
	// interrupt a wait (sysfs, fakes).
	EdgeWait time.Duration
	// Clock tells time for debouncing and scanning; nil means the system
	// clock.
	Clock hal.Clock
	// Logger hears about pins that fail while waiting; nil discards.
	Logger *slog.Logger
}

// DefaultOpts: 20 ms debounce, a 5 ms matrix scan, 1 s edge waits.
var DefaultOpts = Opts{
	Debounce:     20 * time.Millisecond,
	ScanInterval: 5 * time.Millisecond,
	EdgeWait:     time.Second,
}

// resolve returns opts with defaults filled in, or an error.
func resolve(opts *Opts) (Opts, error) {
	if opts == nil {
		opts = &DefaultOpts
	}
	o := *opts
	if o.Debounce < 0 || o.ScanInterval <= 0 || o.EdgeWait <= 0 {
		return o, wrapf(ErrBadConfig, "Debounce %v, ScanInterval %v, EdgeWait %v", o.Debounce, o.ScanInterval, o.EdgeWait)
	}
	if o.Clock == nil {
		o.Clock = hal.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// watch starts one goroutine per pin that waits for edges and calls
// onEdge(i) after each edge on pins[i], in that goroutine. The returned
// function stops the goroutines and waits for them.
func watch(pins []gpio.PinIn, wait time.Duration, onEdge func(i int)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range pins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if p.WaitForEdge(wait) {
					onEdge(i)
				}
			}
		}()
	}
	return func() {
		close(done)
		for _, p := range pins {
			_ = p.Halt() // interrupts a pending wait where the driver can
		}
		wg.Wait()
	}
}

// send delivers evs in order unless ctx ends first.
func send(ctx context.Context, events chan<- hal.KeyEvent, evs []hal.KeyEvent) error {
	for _, ev := range evs {
		select {
		case events <- ev:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// signal does a non-blocking send on a one-slot channel.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
