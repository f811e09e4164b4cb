package record

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ccphone/hal/haltest"
)

// childEnv makes the test binary a recording child (see
// TestCrashKeepsAllButLastSecond).
const childEnv = "CCPHONE_RECORD_CRASH_CHILD"

// TestMain lets the test binary double as the child process that records
// until it is killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(recordUntilKilled(dir))
	}
	os.Exit(m.Run())
}

// recordUntilKilled records 16-bit stereo with a counter as the agent's
// samples and its negation as the far end's, one frame every 20 ms like
// the media clock, printing the number of frames written after each.
func recordUntilKilled(dir string) int {
	r, err := Open(dir, Options{ID: "crash", Logger: quiet(), Clock: haltest.NewClock()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	agent, far := make([]int16, 160), make([]int16, 160)
	tick := time.NewTicker(FrameDuration)
	for n := 0; ; n++ {
		for j := range agent {
			agent[j] = int16(n*160 + j)
			far[j] = -agent[j]
		}
		if err := r.WriteFrame(agent, far); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("%d\n", n+1)
		<-tick.C
	}
}

// TestCrashKeepsAllButLastSecond kills a recording process with SIGKILL
// in the middle of a recording, then repairs the folder: the recording
// keeps every frame but at most the last second's, bit for bit, and plays
// in sox.
func TestCrashKeepsAllButLastSecond(t *testing.T) {
	if testing.Short() {
		t.Skip("records for 2.6 s in a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const killAt = 130 // frames: 2.6 s, not a whole number of seconds
	written := 0
	sc := bufio.NewScanner(out)
	for written < killAt && sc.Scan() {
		written, _ = strconv.Atoi(sc.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() { // a frame may have been written before the kill landed
		written, _ = strconv.Atoi(sc.Text())
	}
	_ = cmd.Wait() // killed: the error is expected
	if written < killAt {
		t.Fatalf("child wrote %d frames before exiting: %s", written, stderr.String())
	}

	part := filepath.Join(dir, "crash-01.wav.part")
	if _, err := os.Stat(part); err != nil {
		t.Fatalf("no unfinished segment after the crash: %v", err)
	}
	repaired, err := RepairDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(repaired) != 1 || repaired[0].State != StateRepaired || len(repaired[0].Segments) != 1 {
		t.Fatalf("RepairDir = %+v", repaired)
	}
	wav := filepath.Join(dir, "crash-01.wav")
	w := readTestWAV(t, wav)
	left, right := w.channel(0), w.channel(1)
	kept := len(left) / 160
	t.Logf("wrote %d frames, kept %d (lost %d ms)", written, kept, (written-kept)*20)
	if lost := written - kept; lost < 0 || lost > 50 {
		t.Fatalf("wrote %d frames, kept %d: lost more than 1 s", written, kept)
	}
	if len(left)%160 != 0 {
		t.Fatalf("%d samples is not whole frames", len(left))
	}
	for i := range left {
		if left[i] != int16(i) || right[i] != -int16(i) {
			t.Fatalf("sample %d is %d/%d, want %d/%d", i, left[i], right[i], int16(i), -int16(i))
		}
	}
	if got := repaired[0].DurationMS; got != int64(kept*20) {
		t.Errorf("metadata says %d ms, file holds %d", got, kept*20)
	}
	requireSox(t, wav)

	// A second RepairDir finds nothing to do.
	if again, err := RepairDir(dir); err != nil || len(again) != 0 {
		t.Errorf("second RepairDir = %v, %v", again, err)
	}
}

// requireSox checks that sox reads path as audio. Without sox the test
// is skipped under -short and fails otherwise, naming the package.
func requireSox(t *testing.T, path string) {
	t.Helper()
	if _, err := exec.LookPath("sox"); err != nil {
		if testing.Short() {
			t.Skip("sox not installed (apt-get install -y sox)")
		}
		t.Fatal("sox not installed: apt-get install -y sox")
	}
	for _, args := range [][]string{{"--i", path}, {path, "-n", "stat"}} {
		bin := "sox"
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("sox %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if strings.Contains(string(out), "WARN") {
			t.Fatalf("sox %s warns:\n%s", strings.Join(args, " "), out)
		}
	}
}

// TestSoxPlaysEveryFormat checks finished files of every format in sox.
func TestSoxPlaysEveryFormat(t *testing.T) {
	for _, f := range []Format{PCM16, Ulaw, Alaw} {
		for _, l := range []Layout{Stereo, Mono} {
			dir := t.TempDir()
			r := mustOpen(t, dir, Options{Format: f, Layout: l, SampleRate: 16000})
			agent := make([]int16, 320)
			for i := range 13 {
				tone(agent, 440, 16000, i*320, 5000)
				if err := r.WriteFrame(agent, nil); err != nil {
					t.Fatal(err)
				}
			}
			m := mustClose(t, r)
			requireSox(t, filepath.Join(dir, m.Segments[0].File))
		}
	}
}
