package portaudio

import "sync"

// ring is one direction's buffer between the engine and the device pump:
// interleaved int16 samples, written and read in whole frames or device
// periods. A full ring drops its oldest samples; a reader that finds it
// short gets silence for the rest and the ring refills to prefill before
// it delivers again. It is safe for one writer and one reader at a time
// (any goroutines); the lock is held only to copy.
type ring struct {
	mu      sync.Mutex
	buf     []int16
	head    int // index of the oldest sample
	fill    int // samples buffered
	prefill int // samples needed before reads deliver
	primed  bool
	drain   bool // deliver what is left without waiting for prefill
	stats   RingStats
}

func newRing(capacity, prefill int) *ring {
	return &ring{buf: make([]int16, capacity), prefill: min(prefill, capacity)}
}

// write appends src, dropping the oldest samples if it does not fit.
func (r *ring) write(src []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.buf)
	r.stats.In += uint64(len(src))
	if len(src) > n {
		drop := len(src) - n
		r.stats.Dropped += uint64(drop)
		src = src[drop:]
	}
	if over := r.fill + len(src) - n; over > 0 {
		r.head = (r.head + over) % n
		r.fill -= over
		r.stats.Overruns++
		r.stats.Dropped += uint64(over)
	}
	tail := (r.head + r.fill) % n
	c := copy(r.buf[tail:], src)
	copy(r.buf, src[c:])
	r.fill += len(src)
	r.stats.Fill = r.fill
}

// read fills dst from the ring, with silence where the ring has nothing
// to give, and reports how many samples were real audio.
func (r *ring) read(dst []int16) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.Out += uint64(len(dst))
	if !r.primed && !r.drain {
		if r.fill < r.prefill || r.fill == 0 {
			clear(dst)
			return 0
		}
		r.primed = true
	}
	got := min(len(dst), r.fill)
	n := len(r.buf)
	c := copy(dst[:got], r.buf[r.head:min(r.head+got, n)])
	copy(dst[c:got], r.buf)
	clear(dst[got:])
	r.head = (r.head + got) % n
	r.fill -= got
	r.stats.Fill = r.fill
	if got < len(dst) && !r.drain {
		r.primed = false
		r.stats.Underruns++
		r.stats.Inserted += uint64(len(dst) - got)
	}
	return got
}

// buffered returns the samples buffered now.
func (r *ring) buffered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fill
}

// setDrain makes reads deliver whatever is left, without prefill and
// without counting underruns: the stream is closing.
func (r *ring) setDrain() {
	r.mu.Lock()
	r.drain = true
	r.mu.Unlock()
}

// snapshot returns the ring's counters.
func (r *ring) snapshot() RingStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}
