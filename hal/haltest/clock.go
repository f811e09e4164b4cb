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
	c := &Clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
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
