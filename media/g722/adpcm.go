package g722

// This file holds the parts of SB-ADPCM shared by the encoder and the
// decoder: the adaptive predictor (block 4L/4H), the scale factor
// adaptation (blocks 3L/3H) and the 16-bit saturation the Recommendation
// applies to every intermediate signal.

// Bounds of the logarithmic scale factors NBL and NBH (LOGSCL, LOGSCH) and
// the initial quantiser scale factors DETL and DETH (§6.2.1.2 reset).
const (
	maxNBL  = 18432
	maxNBH  = 22528
	initDLT = 32
	initDTH = 8
)

// band is the state of one sub-band's ADPCM loop. Encoder and decoder run
// identical copies; nothing in it is shared.
type band struct {
	s   int    // predicted signal SL/SH (PREDIC)
	sz  int    // zero-section output SZL/SZH (FILTEZ)
	r1  int    // reconstructed signal RLT1, RLT2 (RECONS), one and two samples old
	r2  int    //
	p1  int    // partially reconstructed signal PLT1, PLT2 (PARREC)
	p2  int    //
	a1  int    // pole coefficients AL1, AL2
	a2  int    //
	b   [7]int // zero coefficients BL1…BL6 (index 0 unused)
	d   [7]int // quantised difference DLT1…DLT6 (index 0 unused)
	nb  int    // logarithmic scale factor NBL/NBH
	det int    // quantiser scale factor DETL/DETH
}

// sat16 limits x to the 16-bit two's complement range, as the
// Recommendation's arithmetic does wherever a sum may overflow.
func sat16(x int) int {
	if x > 32767 {
		return 32767
	}
	if x < -32768 {
		return -32768
	}
	return x
}

// limit15 is block 6L/6H LIMIT and the QMF input bound: the range of a
// 15-bit sub-band signal.
func limit15(x int) int {
	if x > 16383 {
		return 16383
	}
	if x < -16384 {
		return -16384
	}
	return x
}

// scaleLow runs LOGSCL and SCALEL: adapts the lower sub-band scale factor
// with the 4-bit code il4.
func (b *band) scaleLow(il4 int) {
	nb := (b.nb*127)>>7 + wl[rl42[il4]]
	if nb < 0 {
		nb = 0
	} else if nb > maxNBL {
		nb = maxNBL
	}
	b.nb = nb
	b.det = scale(nb, 8)
}

// scaleHigh runs LOGSCH and SCALEH: adapts the higher sub-band scale
// factor with the 2-bit code ih.
func (b *band) scaleHigh(ih int) {
	nb := (b.nb*127)>>7 + wh[rh2[ih]]
	if nb < 0 {
		nb = 0
	} else if nb > maxNBH {
		nb = maxNBH
	}
	b.nb = nb
	b.det = scale(nb, 10)
}

// scale is the common part of SCALEL (shift 8) and SCALEH (shift 10):
// the linear scale factor from the logarithmic one.
func scale(nb, shift int) int {
	wd1 := ilb[(nb>>6)&31]
	wd2 := shift - nb>>11
	if wd2 < 0 {
		wd1 <<= -wd2
	} else {
		wd1 >>= wd2
	}
	return wd1 << 2
}

// predict is block 4L/4H: given the quantised difference d it
// reconstructs the signal, adapts the two pole and six zero coefficients
// (sign-sign with leakage) and computes the next prediction b.s.
func (b *band) predict(d int) {
	// RECONS and PARREC.
	r := sat16(b.s + d)
	p := sat16(b.sz + d)

	// UPPOL2: second pole coefficient.
	sg0, sg1, sg2 := p>>15, b.p1>>15, b.p2>>15
	wd1 := sat16(b.a1 << 2)
	wd2 := wd1
	if sg0 == sg1 {
		wd2 = -wd1
	}
	if wd2 > 32767 {
		wd2 = 32767
	}
	wd3 := wd2 >> 7
	if sg0 == sg2 {
		wd3 += 128
	} else {
		wd3 -= 128
	}
	wd3 += (b.a2 * 32512) >> 15
	if wd3 > 12288 {
		wd3 = 12288
	} else if wd3 < -12288 {
		wd3 = -12288
	}
	a2 := wd3

	// UPPOL1: first pole coefficient, bounded by the stability triangle.
	wd1 = -192
	if sg0 == sg1 {
		wd1 = 192
	}
	a1 := sat16(wd1 + (b.a1*32640)>>15)
	wd3 = sat16(15360 - a2)
	if a1 > wd3 {
		a1 = wd3
	} else if a1 < -wd3 {
		a1 = -wd3
	}

	// UPZERO: the six zero coefficients.
	wd1 = 0
	if d != 0 {
		wd1 = 128
	}
	sgd := d >> 15
	for i := 1; i < 7; i++ {
		wd2 = -wd1
		if b.d[i]>>15 == sgd {
			wd2 = wd1
		}
		b.b[i] = sat16(wd2 + (b.b[i]*32640)>>15)
	}

	// DELAYA.
	for i := 6; i > 1; i-- {
		b.d[i] = b.d[i-1]
	}
	b.d[1] = d
	b.r2, b.r1 = b.r1, r
	b.p2, b.p1 = b.p1, p
	b.a1, b.a2 = a1, a2

	// FILTEP: pole section.
	sp := sat16((b.a1*sat16(b.r1+b.r1))>>15 + (b.a2*sat16(b.r2+b.r2))>>15)

	// FILTEZ: zero section.
	sz := 0
	for i := 6; i > 0; i-- {
		sz += (b.b[i] * sat16(b.d[i]+b.d[i])) >> 15
	}
	b.sz = sat16(sz)

	// PREDIC.
	b.s = sat16(sp + b.sz)
}
