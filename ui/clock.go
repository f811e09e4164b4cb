package ui

import "time"

// Clock tells the time and wakes the event loop. The phone uses one timer
// for everything it waits for (the minute tick of the idle clock, long
// presses, pop-ups), so a Clock hands out a single resettable timer.
type Clock interface {
	Now() time.Time
	// NewTimer returns a stopped timer.
	NewTimer() Timer
}

// Timer is a resettable one-shot timer, used by one goroutine.
type Timer interface {
	// C delivers the time when the timer fires.
	C() <-chan time.Time
	// Reset arms the timer to fire after d, dropping any earlier arming.
	Reset(d time.Duration)
	// Stop disarms the timer.
	Stop()
}

// SystemClock is the Clock of the real world.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer returns a stopped timer on the system clock.
func (SystemClock) NewTimer() Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return sysTimer{t}
}

type sysTimer struct{ t *time.Timer }

func (s sysTimer) C() <-chan time.Time { return s.t.C }

// Reset relies on Go 1.23 timer semantics: Reset and Stop drop a pending
// value, so no drain is needed.
func (s sysTimer) Reset(d time.Duration) { s.t.Reset(d) }
func (s sysTimer) Stop()                 { s.t.Stop() }
