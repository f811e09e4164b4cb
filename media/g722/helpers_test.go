package g722

import (
	"math"
	"math/rand/v2"
)

// tone returns n samples of a sine at freq Hz and peak amplitude amp.
func tone(freq, amp float64, n int) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/SampleRate))
	}
	return pcm
}

// chirp returns n samples of a linear sweep from f0 to f1 Hz.
func chirp(f0, f1, amp float64, n int) []int16 {
	pcm := make([]int16, n)
	dur := float64(n) / SampleRate
	for i := range pcm {
		t := float64(i) / SampleRate
		phase := 2 * math.Pi * (f0*t + (f1-f0)*t*t/(2*dur))
		pcm[i] = int16(amp * math.Sin(phase))
	}
	return pcm
}

// noise returns n samples of uniform white noise of peak amplitude amp,
// from a fixed seed.
func noise(amp float64, n int, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(amp * (2*r.Float64() - 1))
	}
	return pcm
}

// roundTrip encodes pcm in 20 ms frames and decodes the result in mode.
func roundTrip(pcm []int16, mode Mode) (out []int16, code []byte) {
	enc := NewEncoder()
	dec, err := NewDecoder(mode)
	if err != nil {
		return nil, nil
	}
	code = make([]byte, len(pcm)/2)
	out = make([]int16, len(pcm))
	for i := 0; i+FrameSamples <= len(pcm); i += FrameSamples {
		b := code[i/2 : i/2+FrameBytes]
		enc.Encode(b, pcm[i:i+FrameSamples])
		dec.Decode(out[i:i+FrameSamples], b)
	}
	return out, code
}

// snrAt returns the signal-to-noise ratio in dB of out, delayed by delay
// samples, against in, over in[skip:].
func snrAt(in, out []int16, skip, delay int) float64 {
	var sig, errp float64
	for i := skip; i+delay < len(out) && i < len(in); i++ {
		x := float64(in[i])
		e := float64(out[i+delay]) - x
		sig += x * x
		errp += e * e
	}
	return 10 * math.Log10(sig/max(errp, 1e-9))
}

// bestDelay returns the delay of up to 64 samples at which out matches in
// best, and the SNR there.
func bestDelay(in, out []int16, skip int) (delay int, db float64) {
	db = math.Inf(-1)
	for d := 0; d <= 64; d++ {
		if v := snrAt(in, out, skip, d); v > db {
			db, delay = v, d
		}
	}
	return delay, db
}

// snr is snrAt at the codec's delay.
func snr(in, out []int16, skip int) float64 { return snrAt(in, out, skip, Delay) }
