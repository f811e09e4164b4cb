package sim_test

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"ccphone/board/sim"
	"ccphone/hal"
)

func TestFileAudio(t *testing.T) {
	dir := t.TempDir()
	// The headset's microphone: 1.5 frames, so the second read is padded.
	mic := make([]byte, 2*240)
	for i := 0; i < 240; i++ {
		binary.LittleEndian.PutUint16(mic[2*i:], uint16(int16(i-120)))
	}
	if err := os.WriteFile(filepath.Join(dir, "headset-in.raw"), mic, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := sim.New(sim.Options{AudioDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	f := hal.AudioFormat{SampleRate: 8000, Channels: 1, FrameSamples: 160}
	hs, err := b.Audio().OpenAudio(hal.PortHeadset, f)
	if err != nil {
		t.Fatal(err)
	}
	spk, err := b.Audio().OpenAudio(hal.PortSpeaker, f)
	if err != nil {
		t.Fatal(err)
	}

	frame := make([]int16, 160)
	var heard []int16
	for range 3 {
		if err := hs.ReadFrame(frame); err != nil {
			t.Fatal(err)
		}
		heard = append(heard, frame...)
	}
	for i, v := range heard {
		want := int16(0)
		if i < 240 {
			want = int16(i - 120)
		}
		if v != want {
			t.Fatalf("mic sample %d = %d, want %d", i, v, want)
		}
	}
	if err := spk.ReadFrame(frame); err != nil || slices.ContainsFunc(frame, func(v int16) bool { return v != 0 }) {
		t.Errorf("speaker without an input file: %v %v, want silence", err, frame[:4])
	}

	var played []int16
	for n := range 2 {
		for i := range frame {
			frame[i] = int16(n*1000 + i)
		}
		played = append(played, frame...)
		if err := hs.WriteFrame(frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := hs.WriteFrame(frame[:10]); !errors.Is(err, sim.ErrFrameSize) {
		t.Errorf("short frame: %v, want ErrFrameSize", err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = spk.WriteFrame(frame); _ = hs.ReadFrame(frame) }); n != 0 {
		t.Errorf("%v allocations per frame, want 0", n)
	}
	for _, s := range []hal.AudioStream{hs, spk} {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := hs.WriteFrame(frame); !errors.Is(err, hal.ErrClosed) {
		t.Errorf("write after Close: %v, want hal.ErrClosed", err)
	}
	if err := hs.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	raw, err := os.ReadFile(filepath.Join(dir, "headset.raw"))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 2*len(played) {
		t.Fatalf("headset.raw has %d bytes, want %d", len(raw), 2*len(played))
	}
	for i, want := range played {
		if got := int16(binary.LittleEndian.Uint16(raw[2*i:])); got != want {
			t.Fatalf("headset.raw sample %d = %d, want %d", i, got, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "speaker.raw")); err != nil || fi.Size() != 101*2*160 {
		t.Errorf("speaker.raw: %v, %v; want the 101 frames of the allocation test (one warm-up run)", fi, err)
	}
	if _, err := b.Audio().OpenAudio(hal.PortMonitor, hal.AudioFormat{SampleRate: 44100, Channels: 1, FrameSamples: 160}); !errors.Is(err, sim.ErrFormat) {
		t.Errorf("bad rate: %v, want ErrFormat", err)
	}
	if _, err := b.Audio().OpenAudio(hal.NumAudioPorts, f); !errors.Is(err, hal.ErrOutOfRange) {
		t.Errorf("bad port: %v, want hal.ErrOutOfRange", err)
	}
}

func TestFileAudioMissingDir(t *testing.T) {
	b, err := sim.New(sim.Options{AudioDir: filepath.Join(t.TempDir(), "absent")})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Audio().OpenAudio(hal.PortHeadset, hal.AudioFormat{SampleRate: 8000, Channels: 1, FrameSamples: 160}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("open in a missing directory: %v, want os.ErrNotExist", err)
	}
}
