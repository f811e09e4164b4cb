package resample

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var rates = []int{8000, 11025, 16000, 22050, 32000, 44100, 48000}

// sine returns n samples of a sine of amplitude amp at freq Hz.
func sine(rate int, freq float64, n int, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return s
}

// whole resamples all of in in one call, flushes the filter with zeros
// and returns exactly OutLen(len(in)) samples.
func whole(t testing.TB, r *Resampler, in []int16) []int16 {
	t.Helper()
	src := append(slices.Clone(in), make([]int16, r.Latency())...)
	dst := make([]int16, r.OutLen(len(src))+8)
	n, used := r.Process(dst, src)
	if used != len(src) {
		t.Fatalf("%d->%d: used %d of %d", r.InRate(), r.OutRate(), used, len(src))
	}
	want := r.OutLen(len(in))
	if n < want {
		t.Fatalf("%d->%d: %d samples out of %d in, want at least %d", r.InRate(), r.OutRate(), n, len(in), want)
	}
	return dst[:want]
}

// amplitude returns the amplitude of the component at freq in x, by a
// Hann-windowed DFT at that frequency (other components leak little).
func amplitude(x []int16, rate int, freq float64) float64 {
	var re, im, wsum float64
	w := 2 * math.Pi * freq / float64(rate)
	for i, v := range x {
		h := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)-1))
		re += h * float64(v) * math.Cos(w*float64(i))
		im -= h * float64(v) * math.Sin(w*float64(i))
		wsum += h
	}
	return 2 * math.Hypot(re, im) / wsum
}

func dB(a, ref float64) float64 { return 20 * math.Log10(a/ref) }

// zeroCrossingFreq estimates the frequency of a tone from its upward zero
// crossings, interpolated between samples.
func zeroCrossingFreq(x []int16, rate int) float64 {
	first, last, count := -1.0, -1.0, 0
	for i := 1; i < len(x); i++ {
		a, b := float64(x[i-1]), float64(x[i])
		if a < 0 && b >= 0 {
			at := float64(i-1) + -a/(b-a)
			if first < 0 {
				first = at
			}
			last = at
			count++
		}
	}
	if count < 2 {
		return 0
	}
	return float64(count-1) / (last - first) * float64(rate)
}

// middle returns x without its first and last tenth (filter edges).
func middle(x []int16) []int16 { return x[len(x)/10 : len(x)-len(x)/10] }

func TestNewRejectsRates(t *testing.T) {
	for _, c := range []struct {
		name    string
		in, out int
	}{
		{"too low", 4000, 8000},
		{"too high", 8000, 96000},
		{"negative", -8000, 8000},
		{"too many phases", 8000, 44101},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := New(c.in, c.out); !errors.Is(err, ErrRate) {
				t.Fatalf("New(%d, %d) error %v, want ErrRate", c.in, c.out, err)
			}
		})
	}
}

func TestEqualRatesCopy(t *testing.T) {
	r, err := New(16000, 16000)
	if err != nil {
		t.Fatal(err)
	}
	in := sine(16000, 1000, 320, 10000)
	out := make([]int16, 320)
	if n, used := r.Process(out, in); n != 320 || used != 320 || !slices.Equal(in, out) || r.Latency() != 0 {
		t.Fatalf("n %d used %d latency %d equal %v", n, used, r.Latency(), slices.Equal(in, out))
	}
}

// TestFrequencyPreserved: a 1 kHz tone comes out as 1 kHz at the same
// level, for every pair of rates.
func TestFrequencyPreserved(t *testing.T) {
	for _, in := range rates {
		for _, out := range rates {
			if in == out {
				continue
			}
			r, err := New(in, out)
			if err != nil {
				t.Fatalf("New(%d, %d): %v", in, out, err)
			}
			y := middle(whole(t, r, sine(in, 1000, in/10, 16000)))
			if f := zeroCrossingFreq(y, out); math.Abs(f-1000) > 1 {
				t.Errorf("%d->%d: 1000 Hz came out at %.2f Hz", in, out, f)
			}
			if g := dB(amplitude(y, out, 1000), 16000); math.Abs(g) > 0.05 {
				t.Errorf("%d->%d: 1000 Hz gain %.3f dB", in, out, g)
			}
		}
	}
}

// TestTimingPreserved: output k is the input at k/outRate, with no extra
// delay: an impulse at input time t peaks at output time t.
func TestTimingPreserved(t *testing.T) {
	for _, c := range [][2]int{{48000, 8000}, {8000, 48000}, {44100, 16000}, {8000, 44100}} {
		r, _ := New(c[0], c[1])
		in := make([]int16, c[0]/10)
		at := c[0] / 20 // 50 ms
		in[at] = 30000
		y := whole(t, r, in)
		peak := 0
		for i, v := range y {
			if v > y[peak] {
				peak = i
			}
		}
		want := float64(at) * float64(c[1]) / float64(c[0])
		if math.Abs(float64(peak)-want) > 1 {
			t.Errorf("%d->%d: impulse at output %d, want %.1f", c[0], c[1], peak, want)
		}
	}
}

// TestPassbandFlat: tones from 100 Hz to 0.43 of the lower rate (3.4 kHz
// at 8 kHz) pass within ±0.05 dB.
func TestPassbandFlat(t *testing.T) {
	for _, c := range [][2]int{{48000, 8000}, {44100, 8000}, {8000, 48000}, {8000, 44100}, {16000, 8000}, {8000, 16000}, {48000, 16000}, {16000, 48000}, {44100, 16000}} {
		r, _ := New(c[0], c[1])
		low := min(c[0], c[1])
		for f := 100.0; f <= 0.43*float64(low); f += 0.43 * float64(low) / 12 {
			r.Reset()
			y := middle(whole(t, r, sine(c[0], f, c[0]/10, 16000)))
			if g := dB(amplitude(y, c[1], f), 16000); math.Abs(g) > 0.05 {
				t.Errorf("%d->%d: %.0f Hz gain %.3f dB", c[0], c[1], f, g)
			}
		}
	}
}

// TestStopband: when downsampling, tones above the new band are removed
// instead of folding back as aliases; when upsampling, the images above
// the old band are removed. The brief's case: 6 kHz at 48 kHz would
// alias to 2 kHz at 8 kHz.
func TestStopband(t *testing.T) {
	const amp = 16000
	check := func(in, out int, f, at float64, minAtten float64) {
		t.Helper()
		r, err := New(in, out)
		if err != nil {
			t.Fatal(err)
		}
		y := middle(whole(t, r, sine(in, f, in/5, amp)))
		// Downsampling, everything left in the output is alias: measure
		// it all, and at the frequency where it would land.
		var energy float64
		for _, v := range y {
			energy += float64(v) * float64(v)
		}
		rms := math.Sqrt(energy / float64(len(y)))
		atten := -dB(amplitude(y, out, at), amp)
		if out < in { // the tone itself must be gone too
			atten = min(atten, -dB(rms*math.Sqrt2, amp))
		}
		if in == 48000 && out == 8000 && f == 6000 {
			if rms == 0 {
				t.Logf("48000->8000: 6 kHz at %d leaves all output samples 0 (alias below 1 LSB, > %.0f dB down)", amp, dB(amp, 0.5))
			} else {
				t.Logf("48000->8000: 6 kHz aliases to 2 kHz %.1f dB down", atten)
			}
		}
		if atten < minAtten {
			t.Errorf("%d->%d: %.0f Hz shows at %.0f Hz only %.1f dB down, want > %.0f", in, out, f, at, atten, minAtten)
		}
	}
	// The brief: > 40 dB. The design gives more; hold it to 70 dB.
	check(48000, 8000, 6000, 2000, 70)
	for _, c := range [][2]int{{48000, 8000}, {44100, 8000}, {16000, 8000}, {48000, 16000}, {44100, 16000}, {22050, 8000}, {32000, 16000}} {
		in, out := c[0], c[1]
		for f := 0.56 * float64(out); f < 0.45*float64(in); f += 0.09 * float64(out) {
			alias := math.Mod(f, float64(out))
			if alias > float64(out)/2 {
				alias = float64(out) - alias
			}
			check(in, out, f, alias, 70)
		}
	}
	for _, c := range [][2]int{{8000, 48000}, {8000, 44100}, {8000, 16000}, {16000, 48000}} {
		in, out := c[0], c[1]
		for _, f := range []float64{300, 1000, 0.3 * float64(in), 0.4 * float64(in)} {
			check(in, out, f, float64(in)-f, 70) // the first image
		}
	}
}

// TestChunksEqualWhole: any split of input and output gives the same
// samples as one call.
func TestChunksEqualWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]int16, 48000/4)
	for i := range noise {
		noise[i] = int16(rng.IntN(40000) - 20000)
	}
	for _, c := range [][2]int{{48000, 8000}, {8000, 48000}, {44100, 8000}, {8000, 44100}, {44100, 16000}, {11025, 8000}, {48000, 44100}} {
		in := noise[:c[0]/4]
		r, _ := New(c[0], c[1])
		want := whole(t, r, in)

		for _, maxChunk := range []int{1, 7, 160, 961, 5000} {
			r.Reset()
			src := append(slices.Clone(in), make([]int16, r.Latency())...)
			var got []int16
			buf := make([]int16, 6000)
			for len(src) > 0 || len(got) < len(want) {
				sn := min(len(src), 1+rng.IntN(maxChunk))
				dn := 1 + rng.IntN(maxChunk)
				n, used := r.Process(buf[:dn], src[:sn])
				if n == 0 && used == 0 && len(src) == 0 {
					break
				}
				got = append(got, buf[:n]...)
				src = src[used:]
			}
			if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
				t.Errorf("%d->%d in chunks up to %d: differs from one call (%d vs %d samples)", c[0], c[1], maxChunk, len(got), len(want))
			}
		}
	}
}

// TestSteadyFrames: fed one 20 ms frame at a time, a resampler hands out
// one 20 ms frame at a time once its latency is filled.
func TestSteadyFrames(t *testing.T) {
	r, _ := New(8000, 48000)
	in := make([]int16, 160)
	out := make([]int16, 2000)
	total := 0
	for i := range 20 {
		n, used := r.Process(out, in)
		if used != 160 {
			t.Fatalf("frame %d: used %d", i, used)
		}
		if i > 2 && n != 960 {
			t.Fatalf("frame %d: %d samples out, want 960", i, n)
		}
		total += n
	}
	if want := 20*960 - r.OutLen(r.Latency()); total < want-6 || total > want+6 {
		t.Fatalf("%d samples after 20 frames, want about %d", total, want)
	}
}

func TestProcessAllocatesNothing(t *testing.T) {
	for _, c := range [][2]int{{48000, 8000}, {8000, 48000}, {44100, 16000}} {
		r, _ := New(c[0], c[1])
		in := sine(c[0], 1000, c[0]/50, 10000)
		out := make([]int16, c[1]/50+8)
		if a := testing.AllocsPerRun(100, func() { r.Process(out, in) }); a != 0 {
			t.Errorf("%d->%d: %v allocations per frame", c[0], c[1], a)
		}
	}
}

func TestSaturates(t *testing.T) {
	// A full-scale square wave overshoots (Gibbs); the output clips
	// instead of wrapping around.
	r, _ := New(8000, 48000)
	in := make([]int16, 800)
	for i := range in {
		in[i] = 32767
		if i/20%2 == 1 {
			in[i] = -32768
		}
	}
	y := whole(t, r, in)
	for i := 1; i < len(y); i++ {
		if d := int(y[i]) - int(y[i-1]); d > 20000 || d < -20000 {
			t.Fatalf("jump of %d at %d: wrapped around", d, i)
		}
	}
}
