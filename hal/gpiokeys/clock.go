package gpiokeys

import "time"

// Clock tells the time and runs a function after a delay. The real one is
// the time package's; tests inject one they step by hand. Implementations
// must be safe for concurrent use.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed. stop
	// cancels the call and reports whether it did so before f started.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// systemClock is the time package.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
