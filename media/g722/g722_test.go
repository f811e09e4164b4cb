package g722

import (
	"bytes"
	"errors"
	"testing"
)

const second = SampleRate // samples in one second

func TestRoundTripSNR(t *testing.T) {
	// Thresholds are the measured mode-1 SNRs (see the log with -v) less a
	// margin of about 3 dB. The 6 kHz tone lies wholly in the higher
	// sub-band, coded with 2 bits, so it is the worst tone; it must still
	// come through, which is the point of a wideband codec.
	for _, tc := range []struct {
		name string
		pcm  []int16
		min  float64 // dB
	}{
		{"300Hz", tone(300, 10000, second), 55},
		{"1kHz", tone(1000, 10000, second), 44},
		{"3kHz", tone(3000, 10000, second), 38},
		{"6kHz", tone(6000, 10000, second), 24},
		{"1kHz-quiet", tone(1000, 300, second), 33},
		{"chirp", chirp(100, 7500, 10000, 2*second), 24},
		{"noise", noise(8000, second, 7), 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := roundTrip(tc.pcm, Mode1)
			db := snr(tc.pcm, out, 1600)
			t.Logf("SNR %.1f dB", db)
			if db < tc.min {
				t.Errorf("SNR %.1f dB, want at least %.1f dB", db, tc.min)
			}
		})
	}
}

func TestRoundTripModes(t *testing.T) {
	pcm := tone(1000, 10000, second)
	for _, tc := range []struct {
		mode Mode
		min  float64
	}{
		{Mode1, 44}, {Mode2, 38}, {Mode3, 32},
	} {
		out, _ := roundTrip(pcm, tc.mode)
		db := snr(pcm, out, 1600)
		t.Logf("%v: SNR %.1f dB", tc.mode, db)
		if db < tc.min {
			t.Errorf("%v: SNR %.1f dB, want at least %.1f dB", tc.mode, db, tc.min)
		}
	}
}

func TestCodecDelay(t *testing.T) {
	// A sweep has one best alignment (a steady tone has one per period).
	pcm := chirp(100, 7500, 10000, second)
	out, _ := roundTrip(pcm, Mode1)
	if delay, _ := bestDelay(pcm, out, 1600); delay != Delay {
		t.Errorf("delay %d samples, want %d", delay, Delay)
	}
}

func TestSilence(t *testing.T) {
	pcm := make([]int16, second)
	out, _ := roundTrip(pcm, Mode1)
	for i, s := range out {
		if s < -4 || s > 4 {
			t.Fatalf("sample %d of decoded silence is %d", i, s)
		}
	}
}

func TestEncoderDeterminism(t *testing.T) {
	pcm := noise(12000, second, 3)
	_, a := roundTrip(pcm, Mode1)
	_, b := roundTrip(pcm, Mode1)
	if !bytes.Equal(a, b) {
		t.Fatal("two encoders gave different octets for the same input")
	}

	// Reset must restore the initial state exactly, and the zero value must
	// equal a new Encoder.
	e := NewEncoder()
	c := make([]byte, len(pcm)/2)
	e.Encode(c, pcm)
	e.Reset()
	e.Encode(c, pcm)
	if !bytes.Equal(a, c) {
		t.Error("Encoder.Reset did not restore the initial state")
	}
	var z Encoder
	z.Encode(c, pcm)
	if !bytes.Equal(a, c) {
		t.Error("zero Encoder differs from NewEncoder")
	}

	// Frame boundaries do not matter: one call equals many.
	e.Reset()
	for i := 0; i < len(pcm); i += 2 * 37 {
		end := min(i+2*37, len(pcm))
		e.Encode(c[i/2:], pcm[i:end])
	}
	if !bytes.Equal(a, c) {
		t.Error("encoding in odd-sized pieces differs from whole frames")
	}
}

func TestDecoderDeterminism(t *testing.T) {
	code := randomOctets(8000, 5)
	d1, _ := NewDecoder(Mode1)
	a := make([]int16, 2*len(code))
	d1.Decode(a, code)
	d1.Reset()
	b := make([]int16, 2*len(code))
	d1.Decode(b, code)
	var z Decoder
	c := make([]int16, 2*len(code))
	z.Decode(c, code)
	for i := range a {
		if a[i] != b[i] || a[i] != c[i] {
			t.Fatalf("sample %d: %d after NewDecoder, %d after Reset, %d from zero value", i, a[i], b[i], c[i])
		}
	}
	if z.Mode() != Mode1 {
		t.Errorf("zero Decoder mode %v, want %v", z.Mode(), Mode1)
	}
}

// randomOctets returns n pseudo-random octets from a fixed seed.
func randomOctets(n int, seed uint64) []byte {
	pcm := noise(32767, n, seed)
	b := make([]byte, n)
	for i, s := range pcm {
		b[i] = byte(s)
	}
	return b
}

// checkBand fails if a sub-band's adaptive state has left the ranges the
// Recommendation bounds it to.
func checkBand(t *testing.T, name string, b *band, maxNB int) {
	t.Helper()
	if b.nb < 0 || b.nb > maxNB {
		t.Errorf("%s: scale factor NB %d outside 0..%d", name, b.nb, maxNB)
	}
	if b.a2 < -12288 || b.a2 > 12288 {
		t.Errorf("%s: pole coefficient A2 %d outside ±12288", name, b.a2)
	}
	if lim := 15360 - b.a2; b.a1 > lim || b.a1 < -lim {
		t.Errorf("%s: pole coefficient A1 %d outside ±%d", name, b.a1, lim)
	}
}

func TestDecoderStability(t *testing.T) {
	// Arbitrary octets keep the predictor inside its stability bounds, and
	// a decoder fed garbage falls back into step with a real stream: its
	// state is driven by the codes, and leakage forgets the rest.
	for _, mode := range []Mode{Mode1, Mode2, Mode3} {
		d, err := NewDecoder(mode)
		if err != nil {
			t.Fatal(err)
		}
		pcm := make([]int16, FrameSamples)
		for i := range 200 {
			d.Decode(pcm, randomOctets(FrameBytes, uint64(i)))
			checkBand(t, mode.String()+" low", &d.low, maxNBL)
			checkBand(t, mode.String()+" high", &d.high, maxNBH)
		}
		in := tone(1000, 10000, second)
		_, code := roundTrip(in, Mode1)
		out := make([]int16, len(in))
		d.Decode(out, code)
		clean, _ := roundTrip(in, mode)
		db := snrAt(clean, out, second/2, 0)
		t.Logf("%v: after garbage, %.1f dB against a clean decoder", mode, db)
		if db < 60 {
			t.Errorf("%v: decoder did not recover from garbage: %.1f dB against a clean decoder", mode, db)
		}
	}
}

func TestEncoderExtremes(t *testing.T) {
	// Full-scale square waves and clipped noise drive every saturation
	// path; the encoder's state must stay within its bounds.
	e := NewEncoder()
	code := make([]byte, FrameBytes)
	inputs := [][]int16{noise(32767, FrameSamples*50, 11)}
	sq := make([]int16, FrameSamples*50)
	for i := range sq {
		sq[i] = 32767
		if i/3%2 == 0 {
			sq[i] = -32768
		}
	}
	inputs = append(inputs, sq)
	for _, in := range inputs {
		for i := 0; i < len(in); i += FrameSamples {
			if n := e.Encode(code, in[i:i+FrameSamples]); n != FrameBytes {
				t.Fatalf("Encode wrote %d octets, want %d", n, FrameBytes)
			}
			checkBand(t, "low", &e.low, maxNBL)
			checkBand(t, "high", &e.high, maxNBH)
		}
	}
}

func TestLengths(t *testing.T) {
	e := NewEncoder()
	d, _ := NewDecoder(Mode1)
	for _, tc := range []struct {
		dst, src, want int
	}{
		{160, 320, 160}, {160, 321, 160}, {10, 320, 10}, {160, 7, 3}, {0, 320, 0}, {160, 1, 0},
	} {
		if got := e.Encode(make([]byte, tc.dst), make([]int16, tc.src)); got != tc.want {
			t.Errorf("Encode(dst %d, src %d) = %d, want %d", tc.dst, tc.src, got, tc.want)
		}
	}
	for _, tc := range []struct {
		dst, src, want int
	}{
		{320, 160, 320}, {321, 160, 320}, {20, 160, 20}, {7, 160, 6}, {320, 3, 6}, {1, 160, 0},
	} {
		if got := d.Decode(make([]int16, tc.dst), make([]byte, tc.src)); got != tc.want {
			t.Errorf("Decode(dst %d, src %d) = %d, want %d", tc.dst, tc.src, got, tc.want)
		}
	}
}

func TestNewDecoderMode(t *testing.T) {
	for _, m := range []Mode{0, 4, 255} {
		if _, err := NewDecoder(m); !errors.Is(err, ErrMode) {
			t.Errorf("NewDecoder(%d): error %v, want ErrMode", m, err)
		}
	}
	for _, tc := range []struct {
		m    Mode
		rate int
		s    string
	}{
		{Mode1, 64000, "mode 1 (64 kbit/s)"},
		{Mode2, 56000, "mode 2 (56 kbit/s)"},
		{Mode3, 48000, "mode 3 (48 kbit/s)"},
		{9, 0, "Mode(9)"},
	} {
		if tc.m.BitRate() != tc.rate || tc.m.String() != tc.s {
			t.Errorf("Mode %d: %d %q, want %d %q", uint8(tc.m), tc.m.BitRate(), tc.m.String(), tc.rate, tc.s)
		}
	}
}

func TestRTPConstants(t *testing.T) {
	// RFC 3551: payload type 9, clock 8000 although sampling at 16 kHz, so
	// a 20 ms frame of 320 samples advances the timestamp by 160.
	if PayloadType != 9 || RTPClockRate != 8000 || FrameTimestamp != 160 || FrameSamples != 320 || FrameBytes != 160 {
		t.Errorf("PT %d clock %d ts/frame %d samples %d bytes %d", PayloadType, RTPClockRate, FrameTimestamp, FrameSamples, FrameBytes)
	}
}

func TestNoAllocs(t *testing.T) {
	e := NewEncoder()
	d, _ := NewDecoder(Mode1)
	pcm := tone(1000, 10000, FrameSamples)
	code := make([]byte, FrameBytes)
	out := make([]int16, FrameSamples)
	if a := testing.AllocsPerRun(100, func() {
		e.Encode(code, pcm)
		d.Decode(out, code)
	}); a != 0 {
		t.Errorf("%v allocations per frame, want 0", a)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{}, uint8(1))
	f.Add(bytes.Repeat([]byte{0xff}, 160), uint8(1))
	f.Add(bytes.Repeat([]byte{0x00, 0x3f, 0xc0}, 60), uint8(2))
	f.Add(randomOctets(161, 1), uint8(3))
	f.Fuzz(func(t *testing.T, code []byte, mode uint8) {
		m := Mode(mode%3 + 1)
		d, err := NewDecoder(m)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]int16, 2*len(code)+1)
		if n := d.Decode(out, code); n != 2*len(code) {
			t.Fatalf("Decode wrote %d samples from %d octets", n, len(code))
		}
		checkBand(t, "low", &d.low, maxNBL)
		checkBand(t, "high", &d.high, maxNBH)
		// The same octets give the same samples from a fresh decoder.
		d2, _ := NewDecoder(m)
		out2 := make([]int16, len(out))
		d2.Decode(out2[:len(out)-1], code)
		for i := range 2 * len(code) {
			if out[i] != out2[i] {
				t.Fatalf("sample %d: %d then %d", i, out[i], out2[i])
			}
		}
	})
}

func FuzzEncode(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff, 0x7f, 0x00, 0x80}, 160))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, raw []byte) {
		pcm := make([]int16, len(raw)/2)
		for i := range pcm {
			pcm[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
		}
		e := NewEncoder()
		code := make([]byte, len(pcm)/2+1)
		if n := e.Encode(code, pcm); n != len(pcm)/2 {
			t.Fatalf("Encode wrote %d octets from %d samples", n, len(pcm))
		}
		checkBand(t, "low", &e.low, maxNBL)
		checkBand(t, "high", &e.high, maxNBH)
		// Property: the encoder's own decoder loop tracks the decoder, so
		// decoding the octets leaves the decoder's ADPCM state equal to the
		// encoder's.
		d, _ := NewDecoder(Mode1)
		d.Decode(make([]int16, len(pcm)), code[:len(pcm)/2])
		if d.low != e.low || d.high != e.high {
			t.Fatalf("decoder state diverged from encoder state:\n%+v %+v\n%+v %+v", d.low, d.high, e.low, e.high)
		}
	})
}
