package hal

import "time"

// Clock tells the time and wakes its users: drivers that debounce, scan
// or blink use AfterFunc; event loops that wait on one thing at a time
// use a Timer. Tests inject haltest.Clock and step time by hand.
// Implementations must be safe for concurrent use.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed. stop
	// cancels the call and reports whether it did so before f started.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
	// NewTimer returns a stopped timer.
	NewTimer() Timer
}

// Timer is a resettable one-shot timer, used by one goroutine.
type Timer interface {
	// C delivers the time when the timer fires.
	C() <-chan time.Time
	// Reset arms the timer to fire after d, dropping any earlier arming
	// and any value not yet received.
	Reset(d time.Duration)
	// Stop disarms the timer and drops any value not yet received.
	Stop()
}

// SystemClock is the Clock of the time package.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// NewTimer returns a stopped time.Timer.
func (SystemClock) NewTimer() Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return sysTimer{t}
}

// sysTimer relies on Go 1.23 timer semantics: Reset and Stop drop a value
// not yet received, so no draining is needed.
type sysTimer struct{ t *time.Timer }

func (s sysTimer) C() <-chan time.Time   { return s.t.C }
func (s sysTimer) Reset(d time.Duration) { s.t.Reset(d) }
func (s sysTimer) Stop()                 { s.t.Stop() }
