package g722

import "fmt"

// Decoder expands G.722 octets to 16 kHz 16-bit linear PCM in one of the
// three modes. It keeps the state of both sub-band ADPCM loops and of the
// receive QMF, so one Decoder serves one stream. The zero value is ready
// to use and decodes Mode1. A Decoder is not safe for concurrent use; give
// each goroutine (each call leg) its own.
type Decoder struct {
	qmf   [24]int // receive QMF delay line, oldest first
	low   band
	high  band
	mode  Mode
	ready bool
}

// NewDecoder returns a Decoder for mode in the reset state, or ErrMode if
// mode is not Mode1, Mode2 or Mode3.
func NewDecoder(mode Mode) (*Decoder, error) {
	if !mode.Valid() {
		return nil, fmt.Errorf("new decoder %d: %w", uint8(mode), ErrMode)
	}
	d := &Decoder{mode: mode}
	d.Reset()
	return d, nil
}

// Mode returns the mode the Decoder decodes.
func (d *Decoder) Mode() Mode {
	if !d.mode.Valid() {
		return Mode1
	}
	return d.mode
}

// Reset returns the Decoder to the state of §6.2.1.2, as at the start of
// a stream, keeping its mode.
func (d *Decoder) Reset() {
	*d = Decoder{mode: d.Mode(), ready: true}
	d.low.det = initDLT
	d.high.det = initDTH
}

// Decode expands octets from src into pairs of samples in dst and returns
// how many samples it wrote: 2*min(len(dst)/2, len(src)). A 20 ms frame is
// FrameBytes octets in (Mode1) and FrameSamples samples out. Any octet
// value is valid input, and the output never leaves the 16-bit range.
// Decode does not allocate.
func (d *Decoder) Decode(dst []int16, src []byte) int {
	if !d.ready {
		d.Reset()
	}
	n := min(len(dst)/2, len(src))
	dst, src = dst[:2*n], src[:n]
	for i, c := range src {
		rl, rh := d.decodeBands(c)
		dst[2*i], dst[2*i+1] = d.synthesise(rl, rh)
	}
	return 2 * n
}

// decodeBands runs both ADPCM decoders on one octet and returns the
// reconstructed 15-bit lower and higher sub-band samples.
func (d *Decoder) decodeBands(c byte) (rl, rh int) {
	// Lower sub-band. Block 5L: INVQBL at the mode's resolution, RECONS;
	// 6L: LIMIT.
	lo := &d.low
	il := int(c & 0x3f)
	var q int
	switch d.mode {
	case Mode2:
		q = qm5[il>>1]
	case Mode3:
		q = qm4[il>>2]
	default:
		q = qm6[il]
	}
	rl = limit15(lo.s + (lo.det*q)>>15)
	// Blocks 2L, 3L and 4L, on the 4-bit code as in the encoder.
	il4 := il >> 2
	dl := (lo.det * qm4[il4]) >> 15
	lo.scaleLow(il4)
	lo.predict(dl)

	// Higher sub-band. Block 2H: INVQAH; 5H: RECONS; 6H: LIMIT; 3H; 4H.
	hi := &d.high
	ih := int(c >> 6)
	dh := (hi.det * qm2[ih]) >> 15
	rh = limit15(hi.s + dh)
	hi.scaleHigh(ih)
	hi.predict(dh)
	return rl, rh
}

// synthesise is the receive QMF (§5.1): it takes one pair of sub-band
// samples and returns two output samples, older first.
func (d *Decoder) synthesise(rl, rh int) (int16, int16) {
	x := &d.qmf
	copy(x[:22], x[2:])
	x[22], x[23] = rl+rh, rl-rh
	var out1, out2 int
	for i := range 12 {
		out2 += x[2*i] * qmfCoeffs[i]
		out1 += x[2*i+1] * qmfCoeffs[11-i]
	}
	return int16(sat16(out1 >> 11)), int16(sat16(out2 >> 11))
}
