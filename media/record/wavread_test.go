package record

import (
	"encoding/binary"
	"math"
	"os"
	"testing"

	"ccphone/media/g711"
)

// testWAV is a WAV file as the test's own RIFF reader sees it,
// independent of the package's parser.
type testWAV struct {
	tag, channels, rate, bits, block int
	fact                             int // -1 without a fact chunk
	riffSize                         int
	data                             []byte
	fileLen                          int
}

// readTestWAV parses path strictly: RIFF size and data size must match
// the file.
func readTestWAV(t *testing.T, path string) testWAV {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s: not RIFF/WAVE", path)
	}
	w := testWAV{fact: -1, riffSize: int(le.Uint32(b[4:])), fileLen: len(b)}
	if w.riffSize != len(b)-8 {
		t.Fatalf("%s: RIFF size %d, file holds %d", path, w.riffSize, len(b)-8)
	}
	for off := 12; off+8 <= len(b); {
		id, n := string(b[off:off+4]), int(le.Uint32(b[off+4:]))
		body := b[off+8:]
		if n > len(body) {
			t.Fatalf("%s: chunk %q of %d bytes, %d left", path, id, n, len(body))
		}
		switch id {
		case "fmt ":
			w.tag, w.channels = int(le.Uint16(body)), int(le.Uint16(body[2:]))
			w.rate, w.block, w.bits = int(le.Uint32(body[4:])), int(le.Uint16(body[12:])), int(le.Uint16(body[14:]))
			if br := int(le.Uint32(body[8:])); br != w.rate*w.block {
				t.Fatalf("%s: byte rate %d, want %d", path, br, w.rate*w.block)
			}
		case "fact":
			w.fact = int(le.Uint32(body))
		case "data":
			w.data = body[:n]
		}
		off += 8 + n + n&1
	}
	if w.data == nil || w.block == 0 {
		t.Fatalf("%s: no fmt or data chunk", path)
	}
	if len(w.data)%w.block != 0 {
		t.Fatalf("%s: %d data bytes is not whole %d-byte sample frames", path, len(w.data), w.block)
	}
	if w.fact >= 0 && w.fact != len(w.data)/w.block {
		t.Fatalf("%s: fact says %d samples, data holds %d", path, w.fact, len(w.data)/w.block)
	}
	return w
}

// channel returns channel c's samples as linear PCM.
func (w testWAV) channel(c int) []int16 {
	n := len(w.data) / w.block
	out := make([]int16, n)
	for i := range n {
		switch w.tag {
		case tagPCM:
			out[i] = int16(binary.LittleEndian.Uint16(w.data[i*w.block+2*c:]))
		case tagUlaw:
			out[i] = g711.UlawToLinear(w.data[i*w.block+c])
		case tagAlaw:
			out[i] = g711.AlawToLinear(w.data[i*w.block+c])
		}
	}
	return out
}

// goertzel returns the power of frequency f in x (sampled at rate),
// normalised by the length.
func goertzel(x []int16, f float64, rate int) float64 {
	k := 2 * math.Cos(2*math.Pi*f/float64(rate))
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v) + k*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - k*s1*s2
	return p / float64(len(x)) / float64(len(x))
}

// tone fills frames of a sine of frequency f, continuing at sample n.
func tone(dst []int16, f float64, rate int, n int, amp float64) {
	for i := range dst {
		dst[i] = int16(amp * math.Sin(2*math.Pi*f*float64(n+i)/float64(rate)))
	}
}
