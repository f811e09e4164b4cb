package jitter

// MaxFrame is the longest frame a Concealer handles, in samples.
const MaxFrame = 320

// concealGains are the gains (Q15) at the end of the 1st, 2nd, 3rd
// concealed frame in a row; after them it is silent.
var concealGains = [...]int32{24576, 16384, 8192, 0}

// Concealer stands in for lost frames: it repeats the last good frame,
// fading it over three frames to silence. A later version will do better
// (pitch-synchronous repetition). It is used by one goroutine.
type Concealer struct {
	last [MaxFrame]int16
	n    int
	lost int // frames concealed in a row
}

// Good records a frame that played.
func (c *Concealer) Good(frame []int16) {
	c.n = copy(c.last[:], frame)
	c.lost = 0
}

// Reset forgets the last frame.
func (c *Concealer) Reset() { c.n, c.lost = 0, 0 }

// Conceal fills frame with the stand-in for a lost frame.
func (c *Concealer) Conceal(frame []int16) {
	if c.lost >= len(concealGains) || c.n == 0 {
		clear(frame)
		c.lost++
		return
	}
	from := int32(32768)
	if c.lost > 0 {
		from = concealGains[c.lost-1]
	}
	to := concealGains[c.lost]
	c.lost++
	n := len(frame)
	for i := range frame {
		g := from + (to-from)*int32(i)/int32(n)
		frame[i] = int16(int32(c.last[i%max(c.n, 1)]) * g >> 15)
	}
}
