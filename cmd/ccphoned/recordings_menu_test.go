package main

import (
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccphone/media/record"
	"ccphone/provisioning/nginxtest"
)

// TestRecordingsMenuPlayAndRetry leaves a 65 s recording on the phone
// whose upload the storage server refuses (403: failed, waiting for the
// agent). From Menu → Recordings the agent plays it to the headset, all
// of it (longer than any prompt), and Retry sends it once the server
// takes it again.
func TestRecordingsMenuPlayAndRetry(t *testing.T) {
	const length = 65 * time.Second
	store := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	store.SetUploadStatus(t, 403)
	state, audio := t.TempDir(), t.TempDir()
	dir := filepath.Join(state, "recordings")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	rec, err := record.Open(dir, record.Options{ID: "rec-long", Format: record.PCM16, Layout: record.Mono,
		Buffers: 100, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	agent, far := make([]int16, 160), make([]int16, 160)
	for f := range int(length / record.FrameDuration) {
		for i := range agent {
			agent[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(f*160+i)/8000))
		}
		if err := rec.WriteFrame(agent, far); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "phone.cfg")
	if err := os.WriteFile(cfg, []byte("recording.url = "+store.URL+"/upload/{file}\nrecording.delete_after_upload = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startPhone(t, "--config", cfg, "--state", state, "--audio-dir", audio)
	p.waitStorage("the upload failed", 20*time.Second, func(s storageState) bool { return s.Recording.Failed == 1 })

	p.press("menu", "8", "8", "8", "ok")
	p.waitState("the recordings", func(s apiState) bool { return s.Screen == "recordings" })
	headset := filepath.Join(audio, "headset.raw")
	from := len(readRaw(t, headset))
	p.press("soft3") // Play

	store.SetUploadStatus(t, 0)
	p.press("soft2") // Retry
	p.waitStorage("the retried upload", 20*time.Second, func(s storageState) bool { return s.Recording.Pending == 0 })
	stored, _ := uploadCounts(store.Requests(t))
	if stored["/upload/rec-long-01.wav 201"] != 1 || stored["/upload/rec-long.json 201"] != 1 || len(stored) != 2 {
		t.Errorf("after Retry the server stored %v, want the WAV and the metadata once each", stored)
	}

	// The headset plays the recording to its end: 65 s of 440 Hz.
	var ear []int16
	deadline := time.Now().Add(length + 30*time.Second)
	for {
		ear = readRaw(t, headset)[from:]
		if len(ear) >= int((length+2*time.Second).Seconds()*8000) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the headset got %v of audio in %v", time.Duration(len(ear))*time.Second/8000, length+30*time.Second)
		}
		time.Sleep(500 * time.Millisecond)
	}
	first, last, frames := -1, -1, 0
	for f := 0; (f+1)*160 <= len(ear); f++ {
		frame := ear[f*160 : (f+1)*160]
		if goertzel(frame, 8000, 440) > 1e9 && dominant(frame, 8000, 440, 1000, 700) {
			if first < 0 {
				first = f
			}
			last = f
			frames++
		}
	}
	played := time.Duration(frames) * record.FrameDuration
	if played < length-time.Second || first < 0 || time.Duration(last-first)*record.FrameDuration < length-time.Second {
		t.Errorf("the headset played %v of the %v recording (frames %d to %d)", played, length, first, last)
	}
	if strings.Contains(p.stderr.String(), "recordings: play") {
		t.Errorf("play failed:\n%s", p.stderr)
	}
}
