package prompt

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// amplitude is the amplitude of the component at freq in x (Hann-windowed
// DFT at that frequency).
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

// zeroCrossingFreq estimates a tone's frequency from its upward zero
// crossings, interpolated between samples.
func zeroCrossingFreq(x []int16, rate int) float64 {
	first, last, count := -1.0, -1.0, 0
	for i := 1; i < len(x); i++ {
		a, b := float64(x[i-1]), float64(x[i])
		if a < 0 && b >= 0 {
			at := float64(i-1) - a/(b-a)
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

// sounding returns the first and last sample above half of peak.
func sounding(x []int16, peak int) (first, last int) {
	first, last = -1, -1
	for i, v := range x {
		if int(v) > peak/2 || int(v) < -peak/2 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last
}

func dB(a, ref float64) float64 { return 20 * math.Log10(a/ref) }

// wavFile builds a RIFF WAVE file: format code, channels, rate, bits and
// the sample bytes; extensible writes a WAVE_FORMAT_EXTENSIBLE header.
func wavFile(code, channels, rate, bits int, data []byte, extensible bool) []byte {
	align := channels * bits / 8
	fmtLen := 16
	if extensible {
		fmtLen = 40
	}
	b := []byte("RIFF\x00\x00\x00\x00WAVE")
	b = append(b, "LIST\x04\x00\x00\x00INFO"...) // a chunk to skip
	b = append(b, "fmt "...)
	b = binary.LittleEndian.AppendUint32(b, uint32(fmtLen))
	fc := code
	if extensible {
		fc = 0xfffe
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(fc))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*align))
	b = binary.LittleEndian.AppendUint16(b, uint16(align))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	if extensible {
		b = binary.LittleEndian.AppendUint16(b, 22)
		b = binary.LittleEndian.AppendUint16(b, uint16(bits))
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint16(b, uint16(code))
		b = append(b, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"...)
	}
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// sineSamples returns n samples per channel of a sine at freq[c] for
// channel c, interleaved, amplitude amp.
func sineSamples(rate int, secs float64, amp float64, freqs ...float64) []int16 {
	n := int(math.Round(float64(rate) * secs))
	out := make([]int16, 0, n*len(freqs))
	for i := range n {
		for _, f := range freqs {
			out = append(out, int16(math.Round(amp*math.Sin(2*math.Pi*f*float64(i)/float64(rate)))))
		}
	}
	return out
}

func pcm16(s []int16) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, v := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}
