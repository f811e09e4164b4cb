package g711

import "testing"

// The reference quantisers below are written straight from ITU-T G.711 as
// coded in the ITU-T G.191 software tool library (g711.c: alaw_compress,
// alaw_expand, ulaw_compress, ulaw_expand), in the same loop-and-shift
// form, so that they share no code with the package.

func refAlawCompress(x int16) uint8 {
	var ix int
	if x < 0 {
		ix = int(^x) >> 4 // one's complement for negative values
	} else {
		ix = int(x) >> 4
	}
	if ix > 15 {
		iexp := 1
		for ix > 16+15 {
			ix >>= 1
			iexp++
		}
		ix -= 16
		ix += iexp << 4
	}
	if x >= 0 {
		ix |= 0x80
	}
	return uint8(ix ^ 0x55)
}

func refAlawExpand(code uint8) int16 {
	ix := int(code) ^ 0x55
	ix &= 0x7F
	iexp := ix >> 4
	mant := ix & 0x0F
	if iexp > 0 {
		mant += 16
	}
	mant = mant<<4 + 0x08
	if iexp > 1 {
		mant <<= iexp - 1
	}
	if code > 127 {
		return int16(mant)
	}
	return int16(-mant)
}

func refUlawCompress(x int16) uint8 {
	var absno int
	if x < 0 {
		absno = int(^x)>>2 + 33
	} else {
		absno = int(x)>>2 + 33
	}
	if absno > 0x1FFF {
		absno = 0x1FFF
	}
	i := absno >> 6
	segno := 1
	for i != 0 {
		segno++
		i >>= 1
	}
	high := 0x08 - segno
	low := 0x0F - (absno>>segno)&0x0F
	out := high<<4 | low
	if x >= 0 {
		out |= 0x80
	}
	return uint8(out)
}

func refUlawExpand(code uint8) int16 {
	sign := 1
	if code < 0x80 {
		sign = -1
	}
	mantissa := ^int(code)
	exponent := (mantissa >> 4) & 0x07
	segment := exponent + 1
	mantissa &= 0x0F
	step := 4 << segment
	return int16(sign * ((0x80 << exponent) + step*mantissa + step/2 - 4*33))
}

func TestEncodeAllInputs(t *testing.T) {
	for i := -32768; i <= 32767; i++ {
		x := int16(i)
		if got, want := LinearToUlaw(x), refUlawCompress(x); got != want {
			t.Fatalf("LinearToUlaw(%d) = %#02x, want %#02x", x, got, want)
		}
		if got, want := LinearToAlaw(x), refAlawCompress(x); got != want {
			t.Fatalf("LinearToAlaw(%d) = %#02x, want %#02x", x, got, want)
		}
	}
}

func TestDecodeAllCodes(t *testing.T) {
	for c := 0; c < 256; c++ {
		code := uint8(c)
		if got, want := UlawToLinear(code), refUlawExpand(code); got != want {
			t.Fatalf("UlawToLinear(%#02x) = %d, want %d", code, got, want)
		}
		if got, want := AlawToLinear(code), refAlawExpand(code); got != want {
			t.Fatalf("AlawToLinear(%#02x) = %d, want %d", code, got, want)
		}
	}
}

// TestRoundTripCodes checks that every decoded value encodes back to a
// code that decodes to the same value (µ-law has two zeros, 0x7F and 0xFF).
func TestRoundTripCodes(t *testing.T) {
	for _, l := range []Law{Ulaw, Alaw} {
		for c := 0; c < 256; c++ {
			var pcm [1]int16
			var code [1]byte
			l.Decode(pcm[:], []byte{byte(c)})
			l.Encode(code[:], pcm[:])
			var back [1]int16
			l.Decode(back[:], code[:])
			if back[0] != pcm[0] {
				t.Errorf("%v: code %#02x decodes to %d, re-encodes to %#02x = %d", l, c, pcm[0], code[0], back[0])
			}
		}
	}
}

func TestKnownValues(t *testing.T) {
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"ulaw silence", int(LinearToUlaw(0)), 0xFF},
		{"alaw silence", int(LinearToAlaw(0)), 0xD5},
		{"ulaw max", int(LinearToUlaw(32767)), 0x80},
		{"ulaw min", int(LinearToUlaw(-32768)), 0x00},
		{"alaw max", int(LinearToAlaw(32767)), 0xAA},
		{"alaw min", int(LinearToAlaw(-32768)), 0x2A},
		{"ulaw peak decode", int(UlawToLinear(0x80)), 32124},
		{"alaw peak decode", int(AlawToLinear(0xAA)), 32256},
		{"Silence ulaw", int(Ulaw.Silence()), 0xFF},
		{"Silence alaw", int(Alaw.Silence()), 0xD5},
		{"PT ulaw", int(Ulaw.PayloadType()), 0},
		{"PT alaw", int(Alaw.PayloadType()), 8},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
	if Ulaw.String() != "PCMU" || Alaw.String() != "PCMA" || Law(9).String() != "Law(9)" {
		t.Errorf("String: %v %v %v", Ulaw, Alaw, Law(9))
	}
}

func TestFrameLengths(t *testing.T) {
	pcm := make([]int16, 160)
	buf := make([]byte, 100)
	if n := Ulaw.Encode(buf, pcm); n != 100 {
		t.Errorf("Encode into short dst = %d, want 100", n)
	}
	if n := Alaw.Decode(pcm, buf[:40]); n != 40 {
		t.Errorf("Decode of short src = %d, want 40", n)
	}
}

func TestNoAllocs(t *testing.T) {
	pcm := make([]int16, 160)
	buf := make([]byte, 160)
	for _, l := range []Law{Ulaw, Alaw} {
		if a := testing.AllocsPerRun(100, func() {
			l.Encode(buf, pcm)
			l.Decode(pcm, buf)
		}); a != 0 {
			t.Errorf("%v: %v allocations per frame, want 0", l, a)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0, 0, 0xff, 0x7f, 0x80, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		pcm := make([]int16, len(data)/2)
		for i := range pcm {
			pcm[i] = int16(uint16(data[2*i]) | uint16(data[2*i+1])<<8)
		}
		for _, l := range []Law{Ulaw, Alaw} {
			codes := make([]byte, len(pcm))
			l.Encode(codes, pcm)
			dec := make([]int16, len(pcm))
			l.Decode(dec, codes)
			again := make([]byte, len(pcm))
			l.Encode(again, dec)
			for i := range codes {
				// Decoding is the quantiser's reconstruction level, so
				// encoding it again must land in the same interval.
				if decodeOne(l, again[i]) != decodeOne(l, codes[i]) {
					t.Fatalf("%v: %d -> %#02x -> %d -> %#02x", l, pcm[i], codes[i], dec[i], again[i])
				}
			}
		}
	})
}

// decodeOne decodes one code of law l.
func decodeOne(l Law, c byte) int16 {
	if l == Alaw {
		return AlawToLinear(c)
	}
	return UlawToLinear(c)
}

func BenchmarkEncodeUlawFrame(b *testing.B) {
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(i * 200)
	}
	buf := make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		EncodeUlaw(buf, pcm)
	}
}

func BenchmarkDecodeUlawFrame(b *testing.B) {
	pcm := make([]int16, 160)
	buf := make([]byte, 160)
	for i := range buf {
		buf[i] = byte(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		DecodeUlaw(pcm, buf)
	}
}

func BenchmarkEncodeAlawFrame(b *testing.B) {
	pcm := make([]int16, 160)
	buf := make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		EncodeAlaw(buf, pcm)
	}
}

func BenchmarkDecodeAlawFrame(b *testing.B) {
	pcm := make([]int16, 160)
	buf := make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		DecodeAlaw(pcm, buf)
	}
}
