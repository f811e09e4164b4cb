package prompt

import (
	"math"
	"sync/atomic"
	"time"
)

// Volume limits of a Player.
const (
	MaxGainDB = 12.0  // the loudest SetVolume allows
	MinGainDB = -60.0 // SetVolume at or below this mutes
	MaxStep   = 10    // SetVolumeStep's top step: 0 dB
)

// unity is the fixed-point gain of 0 dB (Q14): a sample times a gain up
// to MaxGainDB still fits an int32.
const unity = 1 << 14

// Player plays a Clip frame by frame: once, or looped with a gap of
// silence between the plays (a ringtone, a recording reminder). It adds
// into a mix or writes a frame, like media/tone.Player, at the clip's
// rate: frames must be at Clip.Rate.
//
// Read and Add belong to one goroutine, the media engine's, and never
// allocate. Stop, SetVolume, SetVolumeStep and Playing are safe from any
// goroutine and take effect at the next frame. Many Players may share one
// Clip.
type Player struct {
	clip    *Clip
	loop    bool
	gap     int // samples of silence between loops
	pos     int // next sample of the clip; len(clip) while in the gap
	gapLeft int
	scratch [320]int32

	done atomic.Bool  // played out or stopped
	gain atomic.Int32 // Q14
}

// NewPlayer returns a player of clip from its start at 0 dB: played once,
// or, when loop is set, again and again with gap of silence in between
// (rounded to whole samples; negative means none). A nil clip gives a
// player that has finished.
func NewPlayer(clip *Clip, loop bool, gap time.Duration) *Player {
	p := &Player{clip: clip, loop: loop}
	p.gain.Store(unity)
	if clip == nil || len(clip.samples) == 0 {
		p.done.Store(true)
		return p
	}
	if gap > 0 {
		p.gap = int(int64(gap) * int64(clip.rate) / int64(time.Second))
	}
	return p
}

// Stop ends the playing at the next frame. Safe from any goroutine.
func (p *Player) Stop() { p.done.Store(true) }

// Playing reports whether frames still carry the clip (or its gap): false
// once a single play has ended or after Stop. Safe from any goroutine.
func (p *Player) Playing() bool { return !p.done.Load() }

// SetVolume sets the gain in dB, clamped to MaxGainDB; at or below
// MinGainDB the player is muted (it keeps its place). Safe from any
// goroutine.
func (p *Player) SetVolume(dB float64) {
	switch {
	case math.IsNaN(dB):
		return
	case dB <= MinGainDB:
		p.gain.Store(0)
	default:
		p.gain.Store(int32(math.Round(unity * math.Pow(10, min(dB, MaxGainDB)/20))))
	}
}

// SetVolumeStep sets the volume as the phone's keys do: step 0 mutes,
// steps 1..MaxStep run from −27 dB to 0 dB in 3 dB steps (clamped).
// Safe from any goroutine.
func (p *Player) SetVolumeStep(step int) {
	if step <= 0 {
		p.gain.Store(0)
		return
	}
	p.SetVolume(StepDB(step))
}

// StepDB returns the gain of a volume step: (step − MaxStep) × 3 dB, with
// step clamped to 1..MaxStep.
func StepDB(step int) float64 { return float64(min(max(step, 1), MaxStep)-MaxStep) * 3 }

// Add adds the next len(mix) samples to mix and reports whether the
// player was playing; after the end of a single play the rest of mix is
// left alone. It never allocates.
func (p *Player) Add(mix []int32) bool {
	if p.done.Load() {
		return false
	}
	g := p.gain.Load()
	s := p.clip.samples
	for i := 0; i < len(mix); {
		if p.pos < len(s) {
			k := min(len(mix)-i, len(s)-p.pos)
			dst := mix[i : i+k]
			for j, v := range s[p.pos : p.pos+k] {
				dst[j] += int32(v) * g >> 14
			}
			i += k
			p.pos += k
			if p.pos == len(s) {
				if !p.loop {
					p.done.Store(true)
					return true
				}
				p.gapLeft = p.gap
			}
			continue
		}
		k := min(len(mix)-i, p.gapLeft)
		i += k
		p.gapLeft -= k
		if p.gapLeft == 0 {
			p.pos = 0
		}
	}
	return true
}

// Read writes the next len(frame) samples into frame, with silence after
// the end, and reports whether the player was playing (false: the frame
// is all silence). It never allocates.
func (p *Player) Read(frame []int16) bool {
	playing := p.Playing()
	for len(frame) > 0 {
		mix := p.scratch[:min(len(frame), len(p.scratch))]
		clear(mix)
		p.Add(mix)
		for i, v := range mix {
			frame[i] = int16(min(max(v, -32768), 32767))
		}
		frame = frame[len(mix):]
	}
	return playing
}
