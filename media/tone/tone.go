package tone

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits of the notation this package accepts.
const (
	MaxParts = 16     // parts in one tone
	MaxFreqs = 3      // frequencies summed in one part
	MaxFreq  = 3999   // Hz, below half the 8 kHz sample rate
	MaxMs    = 600000 // a part lasts at most ten minutes
)

// Part is one step of a tone.
type Part struct {
	Freqs [MaxFreqs]uint16 // Hz; unused entries are 0
	N     uint8            // how many of Freqs sound; 0 is silence
	Ms    uint32           // duration in milliseconds; 0 is forever
	Once  bool             // "!": not repeated
}

// Tone is a parsed tone: up to MaxParts parts. It is a value without
// pointers; copying it is cheap and safe.
type Tone struct {
	Parts [MaxParts]Part
	N     int // parts in use; 0 is no tone
}

// String returns the tone in the notation Parse reads.
func (t Tone) String() string {
	var b strings.Builder
	for i, p := range t.Parts[:t.N] {
		if i > 0 {
			b.WriteByte(',')
		}
		if p.Once {
			b.WriteByte('!')
		}
		if p.N == 0 {
			b.WriteByte('0')
		}
		for j, f := range p.Freqs[:p.N] {
			if j > 0 {
				b.WriteByte('+')
			}
			b.WriteString(strconv.Itoa(int(f)))
		}
		if p.Ms > 0 {
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(int(p.Ms)))
		}
	}
	return b.String()
}

// Parse reads a tone such as "440+480/2000,0/4000". Spaces around parts
// and numbers are allowed.
func Parse(s string) (Tone, error) {
	var t Tone
	if strings.TrimSpace(s) == "" {
		return t, fmt.Errorf("%w: empty", ErrSyntax)
	}
	for i, text := range strings.Split(s, ",") {
		if i == MaxParts {
			return Tone{}, fmt.Errorf("%w %q: more than %d parts", ErrSyntax, s, MaxParts)
		}
		p, err := parsePart(strings.TrimSpace(text))
		if err != nil {
			return Tone{}, fmt.Errorf("%w %q: part %d %q: %s", ErrSyntax, s, i+1, strings.TrimSpace(text), err.Error())
		}
		t.Parts[i] = p
		t.N++
	}
	for i, p := range t.Parts[:t.N] {
		if p.Ms == 0 && i != t.N-1 {
			return Tone{}, fmt.Errorf("%w %q: part %d has no duration but is not the last", ErrSyntax, s, i+1)
		}
	}
	return t, nil
}

type partError string

func (e partError) Error() string { return string(e) }

func parsePart(s string) (Part, error) {
	var p Part
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		p.Once, s = true, strings.TrimSpace(rest)
	}
	freqs, dur, hasDur := strings.Cut(s, "/")
	if hasDur {
		ms, err := strconv.ParseUint(strings.TrimSpace(dur), 10, 32)
		if err != nil {
			return p, partError(fmt.Sprintf("duration %q is not a whole number of milliseconds", strings.TrimSpace(dur)))
		}
		if ms == 0 || ms > MaxMs {
			return p, partError(fmt.Sprintf("duration %d ms is not in 1..%d", ms, MaxMs))
		}
		p.Ms = uint32(ms)
	}
	freqs = strings.TrimSpace(freqs)
	if freqs == "" {
		return p, partError("no frequency")
	}
	if strings.ContainsAny(freqs, "*^%M") {
		return p, partError("modulated tones ('*'), note names and other extensions are not supported; use '+'")
	}
	for j, f := range strings.Split(freqs, "+") {
		f = strings.TrimSpace(f)
		hz, err := strconv.ParseUint(f, 10, 16)
		if err != nil {
			return p, partError(fmt.Sprintf("frequency %q is not a whole number of Hz", f))
		}
		if hz > MaxFreq {
			return p, partError(fmt.Sprintf("frequency %d Hz is above %d Hz", hz, MaxFreq))
		}
		if hz == 0 {
			if j > 0 || strings.Contains(freqs, "+") {
				return p, partError("0 (silence) cannot be summed with other frequencies")
			}
			continue
		}
		if int(p.N) == MaxFreqs {
			return p, partError(fmt.Sprintf("more than %d frequencies", MaxFreqs))
		}
		p.Freqs[p.N] = uint16(hz)
		p.N++
	}
	return p, nil
}
