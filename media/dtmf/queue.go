package dtmf

import "time"

const queueSize = 32

type queued struct {
	digit    Digit
	duration uint32 // in samples
}

// queue is a fixed ring of digits waiting to be played.
type queue struct {
	items      [queueSize]queued
	head, size int
}

func (q *queue) push(d Digit, samples uint32) error {
	if q.size == queueSize {
		return ErrQueueFull
	}
	q.items[(q.head+q.size)%queueSize] = queued{d, samples}
	q.size++
	return nil
}

func (q *queue) pop() (queued, bool) {
	if q.size == 0 {
		return queued{}, false
	}
	it := q.items[q.head]
	q.head = (q.head + 1) % queueSize
	q.size--
	return it, true
}

// Durations the senders accept.
const (
	MinDuration     = 40 * time.Millisecond   // shorter requests are lengthened
	DefaultDuration = 100 * time.Millisecond  // what Enqueue uses for 0
	MaxDuration     = 5000 * time.Millisecond // longer requests are cut
	// Gap is the pause between two digits of a sequence.
	Gap = 60 * time.Millisecond
)

func durationSamples(d time.Duration, rate int) uint32 {
	switch {
	case d == 0:
		d = DefaultDuration
	case d < MinDuration:
		d = MinDuration
	case d > MaxDuration:
		d = MaxDuration
	}
	return uint32(d * time.Duration(rate) / time.Second)
}
