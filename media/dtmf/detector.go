package dtmf

import "math"

// Detector finds DTMF tone pairs in audio with the Goertzel algorithm,
// one block (a 20 ms frame at 8 kHz, 160 samples) at a time. A block is a
// candidate when one row and one column frequency carry most of its
// energy, each beats the others of its group by a clear margin, their
// twist is within limits and the level is high enough. A digit is
// reported once, when a strong block and an adjacent one agree; it must
// go away (one block without it) before it can be reported again. Speech,
// music and call-progress tones spread their energy and fail the tests.
//
// A Detector is used by one goroutine at a time. It does not allocate.
type Detector struct {
	n      int
	coeffs [8]float32 // 2cos(2πf/fs), rows then columns

	prev      Digit
	prevLevel level
	on        bool // a digit was reported and has not gone away
}

type level uint8

const (
	none level = iota
	weak
	strong
)

// Thresholds, as power ratios.
const (
	strongFraction = 0.70    // of the block's energy in the two tones
	weakFraction   = 0.30    // for the block next to a strong one
	normalTwist    = 6.31    // column above row: 8 dB
	reverseTwist   = 3.98    // row above column: 6 dB
	groupMargin    = 6.31    // the winner beats its group by 8 dB
	minMeanSquare  = 60000.0 // about −30 dBm0 for the pair
	maxMeanSquare  = 32768 * 32768
)

// NewDetector returns a detector for sampleRate Hz and blocks of
// blockSamples (160 for 20 ms or 80 for 10 ms at 8 kHz).
func NewDetector(sampleRate, blockSamples int) *Detector {
	d := &Detector{n: blockSamples, prev: Flash}
	for i, f := range append(rowFreqs[:], colFreqs[:]...) {
		d.coeffs[i] = float32(2 * math.Cos(2*math.Pi*f/float64(sampleRate)))
	}
	return d
}

// Reset forgets the state between blocks.
func (d *Detector) Reset() { d.prev, d.prevLevel, d.on = Flash, none, false }

// Block analyses one block of len(block) samples (the blockSamples given
// to NewDetector) and returns a digit the first time it is recognised.
func (d *Detector) Block(block []int16) (Digit, bool) {
	digit, lvl := d.classify(block)
	defer func() { d.prev, d.prevLevel = digit, lvl }()
	if lvl == none || digit != d.prev || d.prevLevel == none {
		if lvl == none || digit != d.prev {
			d.on = false
		}
		return 0, false
	}
	// Two adjacent blocks agree; one of them must be strong.
	if d.on || (lvl != strong && d.prevLevel != strong) {
		return 0, false
	}
	d.on = true
	return digit, true
}

// classify returns the block's candidate digit and how sure it is.
func (d *Detector) classify(block []int16) (Digit, level) {
	// Energy first: quiet blocks (half of every call) skip the filters.
	var energy float32
	for _, v := range block {
		x := float32(v)
		energy += x * x
	}
	n := float32(len(block))
	if energy/n < minMeanSquare || energy == 0 {
		return Flash, none
	}
	var s1, s2 [8]float32
	c := d.coeffs
	for _, v := range block {
		x := float32(v)
		for k := range s1 {
			s := x + c[k]*s1[k] - s2[k]
			s2[k] = s1[k]
			s1[k] = s
		}
	}
	var power [8]float32
	for k := range power {
		power[k] = s1[k]*s1[k] + s2[k]*s2[k] - c[k]*s1[k]*s2[k]
	}
	row, col := argmax(power[:4]), 4+argmax(power[4:])
	pr, pc := power[row], power[col]
	if pc > pr*normalTwist || pr > pc*reverseTwist {
		return Flash, none
	}
	// A sine of amplitude A over n samples has Goertzel power (An/2)² and
	// energy nA²/2, so 2P/(nE) is the share of the energy at f.
	fraction := 2 * (pr + pc) / (n * energy)
	digit := keypad[row][col-4]
	if fraction < weakFraction {
		return Flash, none
	}
	if fraction < strongFraction {
		// A block the tone only partly covers: its spectrum is wider, so
		// only the shares are checked.
		return digit, weak
	}
	for k := range 4 {
		if k != row && power[k]*groupMargin > pr {
			return Flash, none
		}
		if 4+k != col && power[4+k]*groupMargin > pc {
			return Flash, none
		}
	}
	return digit, strong
}

func argmax(p []float32) int {
	best := 0
	for i := range p {
		if p[i] > p[best] {
			best = i
		}
	}
	return best
}
