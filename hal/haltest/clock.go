package haltest

import (
	"sync"
	"time"

	"ccphone/hal"
)

// Clock is a hal.Clock that moves only when the test says so. Advance
// runs due functions in the caller's goroutine, in deadline order, with
// Now reading each one's deadline. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	cond   *sync.Cond // broadcast when timers change
	now    time.Time
	timers []*clockTimer
	armed  int // AfterFunc calls so far
}

type clockTimer struct {
	at time.Time
	f  func()
}

var _ hal.Clock = (*Clock)(nil)

// NewClock returns a clock stopped at 2026-01-02 03:04:05 UTC.
func NewClock() *Clock {
	return NewClockAt(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// NewClockAt returns a clock stopped at t.
func NewClockAt(t time.Time) *Clock {
	c := &Clock{now: t}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc implements hal.Clock: f runs during an Advance that reaches
// its deadline.
func (c *Clock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &clockTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	c.armed++
	c.cond.Broadcast()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.remove(t)
	}
}

func (c *Clock) remove(t *clockTimer) bool {
	defer c.cond.Broadcast()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves the clock by d, running every function that falls due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *clockTimer
		for _, t := range c.timers {
			if !t.at.After(target) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		c.remove(next)
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

// Pending returns how many functions wait to run.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Armed returns how many times AfterFunc was called.
func (c *Clock) Armed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.armed
}

// WaitPending blocks until exactly n functions wait to run: the code under
// test has finished its step and armed its next timer.
func (c *Clock) WaitPending(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.timers) != n {
		c.cond.Wait()
	}
}

// NewTimer implements hal.Clock: the timer fires during an Advance that
// reaches its deadline, or at once when reset with d <= 0.
func (c *Clock) NewTimer() hal.Timer {
	return &fakeTimer{c: c, ch: make(chan time.Time, 1)}
}

type fakeTimer struct {
	c    *Clock
	ch   chan time.Time
	mu   sync.Mutex
	stop func() bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Reset(d time.Duration) {
	t.Stop()
	if d <= 0 {
		t.ch <- t.c.Now()
		return
	}
	stop := t.c.AfterFunc(d, func() {
		select {
		case t.ch <- t.c.Now():
		default:
		}
	})
	t.mu.Lock()
	t.stop = stop
	t.mu.Unlock()
}

func (t *fakeTimer) Stop() {
	t.mu.Lock()
	stop := t.stop
	t.stop = nil
	t.mu.Unlock()
	if stop != nil {
		stop()
	}
	select {
	case <-t.ch:
	default:
	}
}
