// Package osc is the sine oscillator under the phone's tone and DTMF
// generators: a 32-bit phase accumulator over a 4096-entry sine table, so
// a tone keeps its phase from one frame to the next and costs one table
// read per sample. An Osc is used by one goroutine at a time.
package osc

import "math"

const tableBits = 12

// sine holds one period of a full-scale sine; filled once at
// initialisation and only read after.
var sine = func() *[1 << tableBits]int16 {
	t := new([1 << tableBits]int16)
	for i := range t {
		t[i] = int16(math.Round(32767 * math.Sin(2*math.Pi*float64(i)/float64(len(t)))))
	}
	return t
}()

// Osc is one sine oscillator.
type Osc struct {
	phase uint32
	step  uint32
	amp   int32 // peak amplitude, 0..32767
}

// Set sets frequency (Hz at sampleRate) and peak amplitude, keeping the
// phase so the waveform stays continuous.
func (o *Osc) Set(freq float64, amp int, sampleRate int) {
	o.step = uint32(int64(math.Round(freq / float64(sampleRate) * (1 << 32))))
	o.amp = int32(min(max(amp, 0), 32767))
}

// Reset restarts the waveform at phase zero.
func (o *Osc) Reset() { o.phase = 0 }

// Active reports whether the oscillator makes sound.
func (o *Osc) Active() bool { return o.step != 0 && o.amp != 0 }

// Add adds the oscillator's next len(dst) samples to dst.
func (o *Osc) Add(dst []int32) {
	p, step, amp := o.phase, o.step, o.amp
	for i := range dst {
		dst[i] += int32(sine[p>>(32-tableBits)]) * amp >> 15
		p += step
	}
	o.phase = p
}

// Advance moves the phase on by n samples without producing them.
func (o *Osc) Advance(n int) { o.phase += o.step * uint32(n) }

// Saturate stores src into dst clipped to int16.
func Saturate(dst []int16, src []int32) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, v := range src {
		dst[i] = int16(min(max(v, -32768), 32767))
	}
}

// DBm0 returns the peak amplitude of a sine at level dBm0 in 16-bit
// linear PCM: 0 dBm0 is the G.711 digital milliwatt, peak 22 580
// (µ-law's overload point of 32 124 lies 3.06 dB above it).
func DBm0(level float64) int {
	return int(math.Round(22580 * math.Pow(10, level/20)))
}

// Sat16 returns v clipped to int16.
func Sat16(v int32) int16 { return int16(min(max(v, -32768), 32767)) }
