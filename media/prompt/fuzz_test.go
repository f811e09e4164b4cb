package prompt

import (
	"bytes"
	"errors"
	"testing"
)

// maxFuzzInput bounds fuzz inputs: the test MP3s fit; larger inputs only
// make minimising slow.
const maxFuzzInput = 16 << 10

// FuzzDecode: whatever the bytes, Decode returns one of the package's
// errors (never a panic), or a clip at the asked rate, not empty and
// within MaxDuration.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"tone1k_44100_stereo.mp3", "split_44100_stereo.mp3", "tone1k_16000_mono.mp3", "tone1k_16000_mono_notag.mp3", "tone1k_8000_mono.mp3"} {
		b := readTestdata(f, name)
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(b[:600])
	}
	f.Add(wavFile(1, 2, 44100, 16, pcm16(sineSamples(44100, 0.05, 9000, 1000, 500)), false))
	f.Add(wavFile(7, 1, 8000, 8, bytes.Repeat([]byte{0x55}, 400), true))
	f.Add([]byte("ID3\x03\x00\x00\x00\x00\x00\x10"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		clip, err := Decode(bytes.NewReader(data), 8000)
		if err != nil {
			for _, e := range []error{ErrFormat, ErrUnsupported, ErrCorrupt, ErrTooLong, ErrEmpty} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("error %v is none of the package's", err)
		}
		if clip.Rate() != 8000 || clip.Len() == 0 || clip.Duration() > MaxDuration {
			t.Fatalf("clip rate %d, %d samples, %v", clip.Rate(), clip.Len(), clip.Duration())
		}
	})
}
