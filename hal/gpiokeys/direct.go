package gpiokeys

import (
	"context"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"ccphone/hal"
)

// Input is one key or switch on its own pin.
type Input struct {
	// Key is what the pin reports; switches (hal.Key.IsSwitch) have their
	// closed state reported when Run starts.
	Key hal.Key
	// Pin is the input.
	Pin gpio.PinIn
	// ActiveLow means the pin reads low while the key is pressed or the
	// switch closed (a contact to ground with a pull-up).
	ActiveLow bool
	// Pull is the pin's internal pull; gpio.PullNoChange when the board
	// has its own resistor.
	Pull gpio.Pull
}

// Direct reads keys and switches that have a pin each. It implements
// Source. Run must not be called by two goroutines at once.
type Direct struct {
	inputs []Input
	pins   []gpio.PinIn
	opts   Opts
}

var _ Source = (*Direct)(nil)

// NewDirect returns a Direct for inputs with opts (nil means
// DefaultOpts). Nothing touches the pins before Run.
func NewDirect(inputs []Input, opts *Opts) (*Direct, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	d := &Direct{inputs: append([]Input(nil), inputs...), opts: o}
	for i, in := range inputs {
		if in.Pin == nil || in.Key == hal.KeyNone || int(in.Key) >= hal.NumKeys {
			return nil, wrapf(ErrBadConfig, "input %d (%v): no pin or no key", i, in.Key)
		}
		d.pins = append(d.pins, in.Pin)
	}
	return d, nil
}

// directInput is what Run knows about one input.
type directInput struct {
	raw      bool      // closed, as last read
	reported bool      // closed, as last reported
	deadline time.Time // when raw counts; zero when nothing is pending
}

// directRun is the state of one Run.
type directRun struct {
	d   *Direct
	due chan struct{} // the debounce timer fired

	mu    sync.Mutex
	state []directInput
	stop  func() bool // cancels the debounce timer; nil when none is armed
}

// Run implements Source. It configures the pins for both edges, reports
// the switches that are closed, then reports each settled change.
func (d *Direct) Run(ctx context.Context, events chan<- hal.KeyEvent) error {
	r := &directRun{d: d, due: make(chan struct{}, 1), state: make([]directInput, len(d.inputs))}
	for _, in := range d.inputs {
		if err := in.Pin.In(in.Pull, gpio.BothEdges); err != nil {
			return fmt.Errorf("%w: %v on %s: %w", ErrPin, in.Key, in.Pin, err)
		}
	}
	var initial []hal.KeyEvent
	r.mu.Lock()
	now := d.opts.Clock.Now()
	for i, in := range d.inputs {
		s := &r.state[i]
		s.raw = d.closed(i)
		switch {
		case !s.raw:
		case in.Key.IsSwitch():
			s.reported = true
			initial = append(initial, hal.KeyEvent{Key: in.Key, Down: true, At: now})
		default: // a key held at start counts once it has settled
			s.deadline = now.Add(d.opts.Debounce)
		}
	}
	r.arm(now)
	r.mu.Unlock()

	defer r.disarm()
	if err := send(ctx, events, initial); err != nil {
		return err
	}
	stop := watch(d.pins, d.opts.EdgeWait, r.edge)
	defer stop()
	var out []hal.KeyEvent
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.due:
			out = r.settle(out[:0])
			if err := send(ctx, events, out); err != nil {
				return err
			}
		}
	}
}

// closed reads input i.
func (d *Direct) closed(i int) bool {
	return bool(d.inputs[i].Pin.Read()) != d.inputs[i].ActiveLow
}

// edge records a new level on input i; it runs in i's watcher.
func (r *directRun) edge(i int) {
	closed := r.d.closed(i)
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.state[i]
	if closed == s.raw {
		return
	}
	s.raw = closed
	now := r.d.opts.Clock.Now()
	s.deadline = now.Add(r.d.opts.Debounce)
	r.arm(now)
}

// settle appends the events of inputs whose level has held for the
// debounce time to out, and re-arms the timer for the others.
func (r *directRun) settle(out []hal.KeyEvent) []hal.KeyEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.d.opts.Clock.Now()
	for i := range r.state {
		s := &r.state[i]
		if s.deadline.IsZero() || now.Before(s.deadline) {
			continue
		}
		s.deadline = time.Time{}
		if s.raw != s.reported {
			s.reported = s.raw
			out = append(out, hal.KeyEvent{Key: r.d.inputs[i].Key, Down: s.raw, At: now})
		}
	}
	r.arm(now)
	return out
}

// arm sets the debounce timer for the earliest pending deadline. Called
// with mu held.
func (r *directRun) arm(now time.Time) {
	r.disarmLocked()
	var first time.Time
	for _, s := range r.state {
		if !s.deadline.IsZero() && (first.IsZero() || s.deadline.Before(first)) {
			first = s.deadline
		}
	}
	if first.IsZero() {
		return
	}
	r.stop = r.d.opts.Clock.AfterFunc(first.Sub(now), func() { signal(r.due) })
}

func (r *directRun) disarmLocked() {
	if r.stop != nil {
		r.stop()
		r.stop = nil
	}
}

func (r *directRun) disarm() {
	r.mu.Lock()
	r.disarmLocked()
	r.mu.Unlock()
}
