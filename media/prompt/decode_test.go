package prompt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"ccphone/media/g711"
)

var (
	ulaw = g711.LinearToUlaw
	alaw = g711.LinearToAlaw
)

const frame = 20 * time.Millisecond

// TestDecodeMP3: the test MP3s come out at the phone's rates as the tone
// they hold, at its level, and as long as the source (the tagged ones to
// within one 20 ms frame).
func TestDecodeMP3(t *testing.T) {
	for _, c := range []struct {
		file   string
		dur    time.Duration
		slack  time.Duration // allowed length error
		onset  time.Duration // where the tone starts
		onSlop time.Duration
	}{
		{"tone1k_44100_stereo.mp3", time.Second, frame, 0, 2 * time.Millisecond},
		{"tone1k_16000_mono.mp3", time.Second, frame, 0, 2 * time.Millisecond},
		// No gapless tag: LAME's 576 and the decoder's 529 samples come
		// first, and the last frame is padded up.
		{"tone1k_16000_mono_notag.mp3", 1080 * time.Millisecond, frame, 69 * time.Millisecond, 2 * time.Millisecond},
	} {
		for _, rate := range []int{8000, 16000} {
			t.Run(fmt.Sprintf("%s@%d", c.file, rate), func(t *testing.T) {
				clip, err := Decode(bytes.NewReader(readTestdata(t, c.file)), rate)
				if err != nil {
					t.Fatal(err)
				}
				if clip.Rate() != rate {
					t.Fatalf("rate %d, want %d", clip.Rate(), rate)
				}
				if d := clip.Duration() - c.dur; d < -c.slack || d > c.slack {
					t.Errorf("duration %v, want %v ± %v", clip.Duration(), c.dur, c.slack)
				}
				s := clip.Samples()
				first, last := sounding(s, 16384)
				if at := time.Duration(first) * time.Second / time.Duration(rate); at < c.onset-c.onSlop || at > c.onset+c.onSlop {
					t.Errorf("tone starts at %v, want %v", at, c.onset)
				}
				mid := s[first+len(s)/10 : last-len(s)/10]
				if f := zeroCrossingFreq(mid, rate); math.Abs(f-1000) > 2 {
					t.Errorf("tone at %.1f Hz, want 1000", f)
				}
				if g := dB(amplitude(mid, rate, 1000), 16384); math.Abs(g) > 0.5 {
					t.Errorf("level %.2f dB from the source", g)
				}
			})
		}
	}
}

// TestDecodeMP3Stereo: the two channels are averaged.
func TestDecodeMP3Stereo(t *testing.T) {
	clip, err := Decode(bytes.NewReader(readTestdata(t, "split_44100_stereo.mp3")), 8000)
	if err != nil {
		t.Fatal(err)
	}
	s := clip.Samples()
	mid := s[len(s)/5 : len(s)*4/5]
	for _, f := range []float64{600, 1500} {
		if g := dB(amplitude(mid, 8000, f), 8192); math.Abs(g) > 0.5 {
			t.Errorf("%v Hz at %.2f dB from half the source level", f, g)
		}
	}
	if d := clip.Duration() - 500*time.Millisecond; d < -frame || d > frame {
		t.Errorf("duration %v, want 500ms", clip.Duration())
	}
}

func TestDecodeErrors(t *testing.T) {
	mp3 := readTestdata(t, "tone1k_44100_stereo.mp3")
	notag := readTestdata(t, "tone1k_16000_mono_notag.mp3")
	scrambled := bytes.Clone(mp3)
	for i := 400; i < len(scrambled); i += 7 {
		scrambled[i] ^= 0x5a
	}
	longWAV := wavFile(1, 1, 8000, 16, make([]byte, 2*8000*61), false)
	for _, c := range []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"empty", nil, ErrFormat, ""},
		{"text", []byte("<html>404 not found</html>"), ErrFormat, "3c 68 74"},
		{"truncated mp3", mp3[:len(mp3)*2/3], ErrCorrupt, "truncated"},
		{"truncated untagged mp3", notag[:len(notag)-50], ErrCorrupt, "truncated"},
		{"mp3 header only", mp3[:4], ErrCorrupt, ""},
		{"MPEG 2.5", readTestdata(t, "tone1k_8000_mono.mp3"), ErrUnsupported, "MPEG 2.5"},
		{"layer II", []byte("\xff\xfd\x90\x00" + strings.Repeat("\x00", 400)), ErrUnsupported, "layer 2"},
		{"wav truncated", wavFile(1, 1, 8000, 16, make([]byte, 1000), false)[:500], ErrCorrupt, "truncated"},
		{"wav 24-bit", wavFile(1, 1, 8000, 24, make([]byte, 300), false), ErrUnsupported, "24-bit"},
		{"wav float", wavFile(3, 1, 8000, 32, make([]byte, 400), false), ErrUnsupported, "format 3"},
		{"wav 6 channels", wavFile(1, 6, 8000, 16, make([]byte, 1200), false), ErrUnsupported, "6 channels"},
		{"wav 96 kHz", wavFile(1, 1, 96000, 16, make([]byte, 1200), false), ErrUnsupported, "96000"},
		{"wav no data", []byte("RIFF\x1c\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00"), ErrEmpty, ""},
		{"wav empty data", wavFile(1, 1, 8000, 16, []byte{}, false), ErrEmpty, ""},
		{"wav too long", longWAV, ErrTooLong, "1m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clip, err := Decode(bytes.NewReader(c.data), 8000)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v (clip %v), want %v", err, clip, c.want)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %q does not say %q", err, c.text)
			}
		})
	}
	t.Run("scrambled mp3", func(t *testing.T) {
		// Damage inside frames may decode to noise; it must not panic
		// and must stay within the limits.
		clip, err := Decode(bytes.NewReader(scrambled), 8000)
		if err == nil && (clip.Len() == 0 || clip.Duration() > 2*time.Second) {
			t.Fatalf("clip of %v from a 1 s file", clip.Duration())
		}
	})
	t.Run("too large", func(t *testing.T) {
		_, err := Decode(io.LimitReader(zeros{}, MaxFileSize+1), 8000)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("error %v, want ErrTooLarge", err)
		}
	})
	t.Run("rate", func(t *testing.T) {
		if _, err := Decode(bytes.NewReader(mp3), 4000); !errors.Is(err, ErrRate) {
			t.Fatalf("error %v, want ErrRate", err)
		}
	})
	t.Run("reader error", func(t *testing.T) {
		boom := errors.New("boom")
		if _, err := Decode(io.MultiReader(bytes.NewReader(mp3[:100]), errReader{boom}), 8000); !errors.Is(err, boom) {
			t.Fatalf("error %v, want the reader's", err)
		}
	})
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestDecodeWAV: the WAV kinds admins and PBXes use all decode to the
// tone they hold.
func TestDecodeWAV(t *testing.T) {
	toLaw := func(s []int16, enc func(int16) uint8) []byte {
		b := make([]byte, len(s))
		for i, v := range s {
			b[i] = enc(v)
		}
		return b
	}
	to8 := func(s []int16) []byte {
		b := make([]byte, len(s))
		for i, v := range s {
			b[i] = uint8(int(v)>>8 + 128)
		}
		return b
	}
	for _, c := range []struct {
		name string
		data []byte
		amp  float64 // expected level at 1 kHz
	}{
		{"16-bit mono 8 kHz", wavFile(1, 1, 8000, 16, pcm16(sineSamples(8000, 0.5, 16384, 1000)), false), 16384},
		{"16-bit mono 16 kHz", wavFile(1, 1, 16000, 16, pcm16(sineSamples(16000, 0.5, 16384, 1000)), false), 16384},
		{"16-bit stereo 44.1 kHz", wavFile(1, 2, 44100, 16, pcm16(sineSamples(44100, 0.5, 16384, 1000, 1000)), false), 16384},
		{"16-bit stereo 48 kHz, one channel", wavFile(1, 2, 48000, 16, pcm16(sineSamples(48000, 0.5, 16384, 1000, 0)), false), 8192},
		{"16-bit mono 22.05 kHz extensible", wavFile(1, 1, 22050, 16, pcm16(sineSamples(22050, 0.5, 16384, 1000)), true), 16384},
		{"8-bit mono 11.025 kHz", wavFile(1, 1, 11025, 8, to8(sineSamples(11025, 0.5, 16384, 1000)), false), 16384},
		{"µ-law mono 8 kHz", wavFile(7, 1, 8000, 8, toLaw(sineSamples(8000, 0.5, 16384, 1000), ulaw), false), 16384},
		{"A-law mono 8 kHz", wavFile(6, 1, 8000, 8, toLaw(sineSamples(8000, 0.5, 16384, 1000), alaw), false), 16384},
	} {
		for _, rate := range []int{8000, 16000} {
			t.Run(fmt.Sprintf("%s@%d", c.name, rate), func(t *testing.T) {
				clip, err := Decode(bytes.NewReader(c.data), rate)
				if err != nil {
					t.Fatal(err)
				}
				if d := clip.Duration() - 500*time.Millisecond; d < -200*time.Microsecond || d > 200*time.Microsecond {
					t.Errorf("duration %v, want 500ms", clip.Duration())
				}
				s := clip.Samples()
				mid := s[len(s)/10 : len(s)*9/10]
				if f := zeroCrossingFreq(mid, rate); math.Abs(f-1000) > 1 {
					t.Errorf("tone at %.2f Hz", f)
				}
				if g := dB(amplitude(mid, rate, 1000), c.amp); math.Abs(g) > 0.3 {
					t.Errorf("level %.2f dB off", g)
				}
			})
		}
	}
}
