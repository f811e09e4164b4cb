package g711

import (
	"fmt"
	"math/bits"
)

//go:generate go run gen_tables.go

// Law is a G.711 companding law. Its methods are safe for concurrent use.
type Law uint8

// The two laws of G.711.
const (
	Ulaw Law = iota // µ-law, PCMU, RTP payload type 0
	Alaw            // A-law, PCMA, RTP payload type 8
)

// String returns "PCMU" or "PCMA", the RTP encoding names.
func (l Law) String() string {
	switch l {
	case Ulaw:
		return "PCMU"
	case Alaw:
		return "PCMA"
	}
	return fmt.Sprintf("Law(%d)", uint8(l))
}

// PayloadType returns the static RTP payload type of the law (0 or 8).
func (l Law) PayloadType() uint8 {
	if l == Alaw {
		return 8
	}
	return 0
}

// Silence returns the code of a zero sample, used to fill muted frames.
func (l Law) Silence() uint8 {
	if l == Alaw {
		return 0xD5
	}
	return 0xFF
}

// Encode compresses min(len(dst), len(src)) samples of src into dst and
// returns how many it wrote.
func (l Law) Encode(dst []byte, src []int16) int {
	if l == Alaw {
		return EncodeAlaw(dst, src)
	}
	return EncodeUlaw(dst, src)
}

// Decode expands min(len(dst), len(src)) codes of src into dst and returns
// how many it wrote.
func (l Law) Decode(dst []int16, src []byte) int {
	if l == Alaw {
		return DecodeAlaw(dst, src)
	}
	return DecodeUlaw(dst, src)
}

// EncodeUlaw compresses min(len(dst), len(src)) samples to µ-law and
// returns how many it wrote.
func EncodeUlaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, s := range src {
		dst[i] = linearToUlaw[uint16(s)]
	}
	return n
}

// DecodeUlaw expands min(len(dst), len(src)) µ-law codes and returns how
// many it wrote.
func DecodeUlaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, c := range src {
		dst[i] = ulawToLinear[c]
	}
	return n
}

// EncodeAlaw compresses min(len(dst), len(src)) samples to A-law and
// returns how many it wrote.
func EncodeAlaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, s := range src {
		dst[i] = linearToAlaw[uint16(s)]
	}
	return n
}

// DecodeAlaw expands min(len(dst), len(src)) A-law codes and returns how
// many it wrote.
func DecodeAlaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, c := range src {
		dst[i] = alawToLinear[c]
	}
	return n
}

// UlawToLinear expands one µ-law code.
func UlawToLinear(code uint8) int16 { return ulawToLinear[code] }

// AlawToLinear expands one A-law code.
func AlawToLinear(code uint8) int16 { return alawToLinear[code] }

// LinearToUlaw compresses one sample to µ-law.
func LinearToUlaw(s int16) uint8 { return linearToUlaw[uint16(s)] }

// LinearToAlaw compresses one sample to A-law.
func LinearToAlaw(s int16) uint8 { return linearToAlaw[uint16(s)] }

// The encode tables are indexed by the sample's bit pattern (uint16(s)).
// They are filled once at package initialisation and only read after.
var (
	linearToUlaw = fillEncodeTable(ulawCode)
	linearToAlaw = fillEncodeTable(alawCode)
)

func fillEncodeTable(code func(int16) uint8) *[65536]uint8 {
	t := new([65536]uint8)
	for i := range t {
		t[i] = code(int16(uint16(i)))
	}
	return t
}

// magnitude returns the one's-complement magnitude G.711 quantises: x for
// x >= 0 and -x-1 for x < 0, so the quantiser is symmetric about -1/2.
func magnitude(x int16) (m int, positive bool) {
	if x < 0 {
		return int(^x), false
	}
	return int(x), true
}

// ulawCode is the µ-law quantiser of G.711 on a 14-bit magnitude: bias by
// 33, find the segment from the position of the leading one, keep four
// mantissa bits, and invert all bits of the code.
func ulawCode(x int16) uint8 {
	m, positive := magnitude(x)
	biased := min(m>>2+33, 0x1FFF)
	segment := bits.Len(uint(biased)) - 6 // 0..7: leading one at bit 5..12
	mantissa := (biased >> (segment + 1)) & 0x0F
	code := uint8(segment<<4 | mantissa)
	if positive {
		code |= 0x80
	}
	return code ^ 0x7F
}

// alawCode is the A-law quantiser of G.711 on a 12-bit magnitude: segment 0
// is linear, each further segment doubles the step; even bits are
// inverted on the line.
func alawCode(x int16) uint8 {
	m, positive := magnitude(x)
	m >>= 4
	var code int
	if m < 16 {
		code = m
	} else {
		segment := bits.Len(uint(m)) - 4 // 1..7
		code = segment<<4 | (m>>(segment-1))&0x0F
	}
	if positive {
		code |= 0x80
	}
	return uint8(code) ^ 0x55
}
