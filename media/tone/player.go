package tone

import "ccphone/media/internal/osc"

// Level is the level of each frequency of a tone, in dBm0 (ITU-T E.180
// recommends −10 to −15 dBm0 per frequency for call-progress tones).
const Level = -13.0

// maxFrame bounds the frames a Player makes in one call.
const maxFrame = 320

// Player plays a Tone frame by frame at 8 kHz (or the rate given to
// SetSampleRate). The zero Player is silent. The waveform is continuous
// across frames and across parts. A Player is used by one goroutine at a
// time; it does not allocate.
type Player struct {
	rate   int // samples per second; 0 means defaultRate
	tone   Tone
	part   int
	left   uint32 // samples left in this part; ignored for a forever part
	done   bool
	oscs   [MaxFreqs]osc.Osc
	mix    [maxFrame]int32
	amp    int
	active bool
}

// defaultRate is the sample rate of a Player whose rate was not set.
const defaultRate = 8000

// SetSampleRate sets the rate the Player makes samples at, in Hz (8000
// or 16000 for the phone; 0 means 8000). It takes effect at the next Play.
func (p *Player) SetSampleRate(hz int) { p.rate = hz }

func (p *Player) sampleRate() int {
	if p.rate <= 0 {
		return defaultRate
	}
	return p.rate
}

// Play starts t from its beginning, replacing what was playing.
func (p *Player) Play(t Tone) {
	p.tone, p.part, p.done, p.active = t, 0, t.N == 0, t.N > 0
	p.amp = osc.DBm0(Level)
	for i := range p.oscs {
		p.oscs[i].Reset()
	}
	p.enter()
}

// Stop silences the player.
func (p *Player) Stop() { p.active, p.done = false, true }

// Playing reports whether the tone still makes frames: false after Stop
// and after a tone whose every part is marked "!" has played out.
func (p *Player) Playing() bool { return p.active && !p.done }

func (p *Player) enter() {
	part := &p.tone.Parts[p.part]
	sampleRate := p.sampleRate()
	p.left = uint32(uint64(part.Ms) * uint64(sampleRate) / 1000)
	for i := range p.oscs {
		if i < int(part.N) {
			p.oscs[i].Set(float64(part.Freqs[i]), p.amp, sampleRate)
		} else {
			p.oscs[i].Set(0, 0, sampleRate)
		}
	}
}

// advance moves to the next part, or ends the tone.
func (p *Player) advance() {
	for next := p.part + 1; ; next++ {
		if next >= p.tone.N {
			// Start again at the first repeating part.
			next = -1
			for i := 0; i < p.tone.N; i++ {
				if !p.tone.Parts[i].Once {
					next = i
					break
				}
			}
			if next < 0 {
				p.done = true
				return
			}
		}
		p.part = next
		p.enter()
		return
	}
}

// Add adds the next len(mix) samples of the tone to mix (at most 320 at a
// time) and reports whether the tone is playing.
func (p *Player) Add(mix []int32) bool {
	if !p.Playing() {
		return false
	}
	for i := 0; i < len(mix) && !p.done; {
		part := &p.tone.Parts[p.part]
		n := len(mix) - i
		if part.Ms > 0 {
			n = min(n, int(p.left))
		}
		for k := 0; k < int(part.N); k++ {
			p.oscs[k].Add(mix[i : i+n])
		}
		i += n
		if part.Ms > 0 {
			p.left -= uint32(n)
			if p.left == 0 {
				p.advance()
			}
		}
	}
	return true
}

// Read writes the next len(frame) samples (at most 320) into frame,
// silence if no tone plays, and reports whether the tone is playing.
func (p *Player) Read(frame []int16) bool {
	frame = frame[:min(len(frame), maxFrame)]
	mix := p.mix[:len(frame)]
	clear(mix)
	playing := p.Add(mix)
	osc.Saturate(frame, mix)
	return playing
}
