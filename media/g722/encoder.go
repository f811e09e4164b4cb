package g722

// Encoder compresses 16 kHz 16-bit linear PCM to G.722 at 64 kbit/s
// (Mode1). It keeps the state of the transmit QMF and of both sub-band
// ADPCM loops, so one Encoder serves one stream from its first frame to
// its last. The zero value is ready to use. An Encoder is not safe for
// concurrent use; give each goroutine (each call leg) its own.
type Encoder struct {
	qmf   [24]int // transmit QMF delay line, oldest first
	low   band
	high  band
	ready bool
}

// NewEncoder returns an Encoder in the reset state.
func NewEncoder() *Encoder {
	e := new(Encoder)
	e.Reset()
	return e
}

// Reset returns the Encoder to the state of §6.2.1.2 (all delays and
// coefficients zero, minimum scale factors), as at the start of a stream.
func (e *Encoder) Reset() {
	*e = Encoder{ready: true}
	e.low.det = initDLT
	e.high.det = initDTH
}

// Encode compresses pairs of samples from src into octets in dst and
// returns how many octets it wrote: min(len(dst), len(src)/2). A 20 ms
// frame is FrameSamples samples in and FrameBytes octets out. An odd
// sample left over at the end of src is not consumed; callers should
// pass even lengths. Encode does not allocate.
func (e *Encoder) Encode(dst []byte, src []int16) int {
	if !e.ready {
		e.Reset()
	}
	n := min(len(dst), len(src)/2)
	dst, src = dst[:n], src[:2*n]
	for i := range dst {
		xl, xh := e.analyse(int(src[2*i]), int(src[2*i+1]))
		dst[i] = e.encodeBands(xl, xh)
	}
	return n
}

// analyse is the transmit QMF (§3.1): it takes two input samples, older
// first, and returns the lower and higher sub-band samples, limited to 15
// bits as in ITU's reference code (qmf_tx). FFmpeg's encoder does not
// limit them, so the two differ on input loud enough for a sub-band to
// exceed 15 bits (near full-scale noise or square waves), and nowhere else.
func (e *Encoder) analyse(x0, x1 int) (xl, xh int) {
	x := &e.qmf
	copy(x[:22], x[2:])
	x[22], x[23] = x0, x1
	var odd, even int
	for i := range 12 {
		odd += x[2*i] * qmfCoeffs[i]
		even += x[2*i+1] * qmfCoeffs[11-i]
	}
	return limit15((even + odd) >> 14), limit15((even - odd) >> 14)
}

// encodeBands runs both ADPCM encoders on one pair of 15-bit sub-band
// samples and returns the octet IH|IL.
func (e *Encoder) encodeBands(xl, xh int) byte {
	// Lower sub-band. Block 1L: SUBTRA, QUANTL.
	lo := &e.low
	el := sat16(xl - lo.s)
	wd := el
	if el < 0 {
		wd = -(el + 1)
	}
	// The first interval i in 1..29 whose upper level exceeds wd, or 30.
	// The levels rise with i, so a binary search finds the same interval
	// as the Recommendation's linear one.
	i, top := 1, 30
	for i < top {
		mid := (i + top) / 2
		if wd < (q6[mid]*lo.det)>>12 {
			top = mid
		} else {
			i = mid + 1
		}
	}
	il := ilp[i]
	if el < 0 {
		il = iln[i]
	}
	// Block 2L: INVQAL with the 4-bit code.
	il4 := il >> 2
	dl := (lo.det * qm4[il4]) >> 15
	// Block 3L, then 4L.
	lo.scaleLow(il4)
	lo.predict(dl)

	// Higher sub-band. Block 1H: SUBTRA, QUANTH.
	hi := &e.high
	eh := sat16(xh - hi.s)
	wd = eh
	if eh < 0 {
		wd = -(eh + 1)
	}
	mih := 1
	if wd >= (564*hi.det)>>12 {
		mih = 2
	}
	ih := ihp[mih]
	if eh < 0 {
		ih = ihn[mih]
	}
	// Block 2H: INVQAH; 3H; 4H.
	dh := (hi.det * qm2[ih]) >> 15
	hi.scaleHigh(ih)
	hi.predict(dh)

	return byte(ih<<6 | il)
}
