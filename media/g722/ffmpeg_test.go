package g722

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FFmpeg's G.722 coder (libavcodec g722enc.c, g722dec.c) is an independent
// implementation of the same Recommendation. These tests run the ffmpeg
// binary on the codec's own raw format in both directions and require
// identical octets and samples.

// ffmpegPath returns the ffmpeg binary, skipping under -short when it is
// missing and failing otherwise.
func ffmpegPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		if testing.Short() {
			t.Skip("ffmpeg not installed (apt-get install ffmpeg)")
		}
		t.Fatal("ffmpeg not installed; the G.722 interoperability tests need it: apt-get install ffmpeg")
	}
	return p
}

// runFFmpeg runs ffmpeg with args, failing the test with its output on error.
func runFFmpeg(t *testing.T, ffmpeg string, args ...string) {
	t.Helper()
	args = append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)
	if out, err := exec.CommandContext(t.Context(), ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// interopSignal is 3 s of test material: a sweep over the whole band,
// then tones in both sub-bands, then noise — kept below full scale, where
// every implementation's QMF agrees.
func interopSignal() []int16 {
	var pcm []int16
	pcm = append(pcm, chirp(50, 7900, 12000, second)...)
	mix := tone(440, 6000, second)
	for i, s := range tone(5500, 4000, second) {
		mix[i] += s
	}
	pcm = append(pcm, mix...)
	return append(pcm, noise(9000, second, 42)...)
}

func TestFFmpegDecodesOurStream(t *testing.T) {
	ffmpeg := ffmpegPath(t)
	dir := t.TempDir()
	pcm := interopSignal()
	ours, code := roundTrip(pcm, Mode1)
	in := filepath.Join(dir, "ours.g722")
	if err := os.WriteFile(in, code, 0o644); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, "ffmpeg.raw")
	runFFmpeg(t, ffmpeg, "-f", "g722", "-i", in, "-f", "s16le", "-acodec", "pcm_s16le", "-ar", "16000", "-ac", "1", outPath)
	raw, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	theirs := make([]int16, len(raw)/2)
	for i := range theirs {
		theirs[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	if len(theirs) != len(ours) {
		t.Fatalf("ffmpeg decoded %d samples, we decoded %d", len(theirs), len(ours))
	}
	diff := 0
	for i := range ours {
		if ours[i] != theirs[i] {
			if diff < 5 {
				t.Errorf("sample %d: ffmpeg %d, ours %d", i, theirs[i], ours[i])
			}
			diff++
		}
	}
	if diff > 0 {
		t.Errorf("%d of %d samples differ", diff, len(ours))
	}
	t.Logf("ffmpeg's decoding of our stream: %.1f dB SNR against the input", snr(pcm, theirs, 1600))
}

func TestFFmpegEncodesLikeUs(t *testing.T) {
	ffmpeg := ffmpegPath(t)
	dir := t.TempDir()
	pcm := interopSignal()
	raw := make([]byte, 2*len(pcm))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(s))
	}
	in := filepath.Join(dir, "in.raw")
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, "ffmpeg.g722")
	runFFmpeg(t, ffmpeg, "-f", "s16le", "-ar", "16000", "-ac", "1", "-i", in, "-acodec", "g722", "-f", "g722", outPath)
	theirs, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	_, ours := roundTrip(pcm, Mode1)
	if len(theirs) != len(ours) {
		t.Fatalf("ffmpeg wrote %d octets, we wrote %d", len(theirs), len(ours))
	}
	if !bytes.Equal(theirs, ours) {
		diff := 0
		for i := range ours {
			if ours[i] != theirs[i] {
				if diff < 5 {
					t.Errorf("octet %d: ffmpeg %#02x, ours %#02x", i, theirs[i], ours[i])
				}
				diff++
			}
		}
		t.Errorf("%d of %d octets differ", diff, len(ours))
	}
}
