package record_test

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ccphone/media/record"
)

// longRecording records d of a 440 Hz tone on the agent's side, in two
// segments (paused and resumed halfway), as µ-law stereo at 8 kHz.
func longRecording(t *testing.T, d time.Duration) record.Meta {
	t.Helper()
	r, err := record.Open(t.TempDir(), record.Options{ID: "long", Format: record.Ulaw, Layout: record.Stereo,
		Buffers: 200, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	frames := int(d / record.FrameDuration)
	agent, far := make([]int16, 160), make([]int16, 160)
	for f := range frames {
		if f == frames/2 {
			if err := r.Stop(); err != nil {
				t.Fatal(err)
			}
			if err := r.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i := range agent {
			agent[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(f*160+i)/8000))
		}
		if err := r.WriteFrame(agent, far); err != nil {
			t.Fatalf("frame %d: %v", f, err)
		}
	}
	m, err := r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Segments) != 2 {
		t.Fatalf("segments %+v", m.Segments)
	}
	return m
}

// playAll pulls frames from p as the engine would, without its clock,
// and returns how many carried sound.
func playAll(t *testing.T, p *record.Player, n int) int {
	t.Helper()
	mix := make([]int32, n)
	heard := 0
	deadline := time.Now().Add(60 * time.Second)
	for {
		clear(mix)
		more := p.Add(mix)
		loud := false
		for _, v := range mix {
			loud = loud || v > 1000 || v < -1000
		}
		if loud {
			heard++
		} else if more {
			time.Sleep(time.Millisecond) // the reader is behind
		}
		if !more {
			return heard
		}
		if time.Now().After(deadline) {
			t.Fatalf("still playing after %d frames", heard)
		}
	}
}

// TestPlayLongRecording plays a 70 s recording of two segments whole,
// at 8 and at 16 kHz: longer than any prompt (60 s), and from a buffer
// of two seconds.
func TestPlayLongRecording(t *testing.T) {
	m := longRecording(t, 70*time.Second)
	for _, rate := range []int{8000, 16000} {
		p, err := record.Play(m, rate)
		if err != nil {
			t.Fatal(err)
		}
		heard := playAll(t, p, rate/50)
		if heard < 3499 || heard > 3500 {
			t.Errorf("at %d Hz: %d frames of sound, want 3500 (70 s)", rate, heard)
		}
		if err := p.Err(); err != nil {
			t.Errorf("at %d Hz: %v", rate, err)
		}
		p.Stop()
	}
}

func TestPlayAddDoesNotAllocate(t *testing.T) {
	m := longRecording(t, 10*time.Second)
	p, err := record.Play(m, 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	mix := make([]int32, 160)
	if n := testing.AllocsPerRun(200, func() { p.Add(mix) }); n != 0 {
		t.Errorf("Add allocates %v times a frame", n)
	}
}

func TestPlayStopAndMissingFile(t *testing.T) {
	m := longRecording(t, 10*time.Second)
	p, err := record.Play(m, 8000)
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	if p.Add(make([]int32, 160)) {
		t.Error("Add says more is to come after Stop")
	}
	if err := os.Remove(filepath.Join(m.Dir, m.Segments[1].File)); err != nil {
		t.Fatal(err)
	}
	if _, err := record.Play(m, 8000); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Play of a deleted recording: %v", err)
	}
}
