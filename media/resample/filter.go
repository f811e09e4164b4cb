package resample

import "math"

// Filter design, as fractions of the lower of the two rates (its Nyquist
// frequency is 0.5).
const (
	passEdge    = 0.44 // flat up to here
	stopEdge    = 0.54 // attenuated by at least stopAtten from here
	stopAtten   = 80.0 // dB, the Kaiser design target
	maxTapsHalf = 256  // bound on taps/2 per phase (48 kHz -> 8 kHz needs 152)
)

// design returns the polyphase coefficients for l phases of taps taps each
// (phase p at coefs[p*taps:]), for input at inRate and a cutoff between
// passEdge and stopEdge of minRate. Every phase sums to exactly 1, so DC
// (and every low tone) passes at the same gain whatever the phase.
func design(l, taps, inRate, minRate int) []float32 {
	s := (passEdge + stopEdge) * float64(minRate) / float64(inRate) // 2*cutoff/inRate
	beta := 0.1102 * (stopAtten - 8.7)
	half := float64(taps) / 2
	c := half - 1
	i0beta := besselI0(beta)
	coefs := make([]float32, l*taps)
	row := make([]float64, taps)
	for p := range l {
		var sum float64
		for j := range taps {
			tau := c + float64(p)/float64(l) - float64(j)
			x := tau / half
			w := 0.0
			if x > -1 && x < 1 {
				w = besselI0(beta*math.Sqrt(1-x*x)) / i0beta
			} else if x == -1 || x == 1 {
				w = 1 / i0beta
			}
			row[j] = s * sinc(s*tau) * w
			sum += row[j]
		}
		for j, v := range row {
			coefs[p*taps+j] = float32(v / sum)
		}
	}
	return coefs
}

// tapsFor returns the taps per phase for a Kaiser design of stopAtten dB
// over the transition band, at inRate; a multiple of 4.
func tapsFor(inRate, minRate int) int {
	// Kaiser: length = (A - 7.95) / (2.285 * 2π * Δf/fs).
	perMin := (stopAtten - 7.95) / (2.285 * 2 * math.Pi * (stopEdge - passEdge))
	n := int(math.Ceil(perMin * float64(inRate) / float64(minRate)))
	return (n + 3) &^ 3
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the modified Bessel function of the first kind, order 0.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 200; k++ {
		f := x / (2 * float64(k))
		term *= f * f
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}
