package resample

import "fmt"

// Limits of New.
const (
	MinRate   = 8000  // Hz
	MaxRate   = 48000 // Hz
	MaxPhases = 1280  // outRate/gcd(inRate, outRate), at most
)

// slack is the input the buffer holds beyond one filter window, so each
// refill moves a useful amount.
const slack = 1024

// Resampler converts one stream of 16-bit mono samples from InRate to
// OutRate. It is used by one goroutine at a time; Process does not
// allocate.
type Resampler struct {
	inRate, outRate int
	l, m            int // out/in = l/m, reduced
	taps            int
	coefs           []float32 // l phases of taps coefficients

	// adv and frac step the position by m/l input samples per output.
	adv, frac int

	buf   []float32 // input window: buf[:fill] are samples not yet dropped
	fill  int
	pos   int // index in buf of the next output's window
	phase int // the next output's position is pos + phase/l (+ taps/2 - 1)
	skip  int // inputs still to drop before buffering (pos ran past fill)
}

// New returns a Resampler from inRate to outRate (Hz). Equal rates copy
// samples through unchanged. It fails with ErrRate for rates outside
// MinRate..MaxRate or a ratio needing more than MaxPhases phases.
func New(inRate, outRate int) (*Resampler, error) {
	if inRate < MinRate || inRate > MaxRate || outRate < MinRate || outRate > MaxRate {
		return nil, fmt.Errorf("%w: %d Hz to %d Hz (each must be %d..%d)", ErrRate, inRate, outRate, MinRate, MaxRate)
	}
	g := gcd(inRate, outRate)
	r := &Resampler{inRate: inRate, outRate: outRate, l: outRate / g, m: inRate / g}
	if r.l > MaxPhases {
		return nil, fmt.Errorf("%w: %d Hz to %d Hz needs %d phases (at most %d)", ErrRate, inRate, outRate, r.l, MaxPhases)
	}
	if r.l == r.m {
		return r, nil
	}
	r.taps = tapsFor(inRate, min(inRate, outRate))
	if r.taps/2 > maxTapsHalf {
		return nil, fmt.Errorf("%w: %d Hz to %d Hz needs too long a filter", ErrRate, inRate, outRate)
	}
	r.coefs = design(r.l, r.taps, inRate, min(inRate, outRate))
	r.adv, r.frac = r.m/r.l, r.m%r.l
	r.buf = make([]float32, r.taps+slack)
	r.Reset()
	return r, nil
}

// InRate returns the input rate in Hz.
func (r *Resampler) InRate() int { return r.inRate }

// OutRate returns the output rate in Hz.
func (r *Resampler) OutRate() int { return r.outRate }

// Latency returns how many input samples the filter looks ahead: after
// the last sample of a stream, feed this many zeros to get all of its
// output. Zero when the rates are equal.
func (r *Resampler) Latency() int { return r.taps / 2 }

// OutLen returns how many output samples n input samples stand for:
// ceil(n*OutRate/InRate). A whole stream of n samples, flushed with
// Latency zeros, gives at least this many.
func (r *Resampler) OutLen(n int) int {
	return int((int64(n)*int64(r.l) + int64(r.m) - 1) / int64(r.m))
}

// Reset forgets the stream: the next sample given to Process is the first.
func (r *Resampler) Reset() {
	if r.l == r.m {
		return
	}
	clear(r.buf)
	// Output 0 stands for input 0, which sits taps/2-1 into its window:
	// start with that many zeros of history.
	r.fill, r.pos, r.phase, r.skip = r.taps/2-1, 0, 0, 0
}

// Process resamples: it reads up to len(src) samples and writes up to
// len(dst), and returns how many it wrote (n) and read (used). It stops
// when dst is full or src is used up (it keeps some input inside, see
// Latency); call it again with src[used:] and a fresh dst to go on.
func (r *Resampler) Process(dst, src []int16) (n, used int) {
	if r.l == r.m {
		n = copy(dst, src)
		return n, n
	}
	for {
		n += r.produce(dst[n:])
		if n == len(dst) || used == len(src) {
			return n, used
		}
		// Drop what no later output needs, then refill.
		drop := min(r.pos, r.fill)
		if drop > 0 {
			copy(r.buf, r.buf[drop:r.fill])
			r.fill -= drop
			r.pos -= drop
		}
		if r.pos > 0 { // the window moved past every buffered sample
			r.skip += r.pos
			r.pos = 0
		}
		if r.skip > 0 {
			k := min(r.skip, len(src)-used)
			used += k
			r.skip -= k
		}
		in := src[used:]
		free := r.buf[r.fill:]
		k := min(len(in), len(free))
		for i, s := range in[:k] {
			free[i] = float32(s)
		}
		r.fill += k
		used += k
	}
}

// produce writes outputs while their windows are in the buffer.
func (r *Resampler) produce(dst []int16) int {
	taps, l := r.taps, r.l
	pos, phase := r.pos, r.phase
	n := 0
	for n < len(dst) && pos+taps <= r.fill {
		c := r.coefs[phase*taps : phase*taps+taps]
		x := r.buf[pos : pos+taps]
		dst[n] = toInt16(dot(c, x))
		n++
		pos += r.adv
		phase += r.frac
		if phase >= l {
			phase -= l
			pos++
		}
	}
	r.pos, r.phase = pos, phase
	return n
}

// dot returns the sum of c[i]*x[i]; len(c) is a multiple of 4 and len(x)
// at least len(c).
func dot(c, x []float32) float32 {
	x = x[:len(c)]
	var s0, s1, s2, s3 float32
	for i := 0; i+3 < len(c); i += 4 {
		s0 += c[i] * x[i]
		s1 += c[i+1] * x[i+1]
		s2 += c[i+2] * x[i+2]
		s3 += c[i+3] * x[i+3]
	}
	return (s0 + s1) + (s2 + s3)
}

func toInt16(v float32) int16 {
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v >= 0:
		return int16(v + 0.5)
	default:
		return int16(v - 0.5)
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
