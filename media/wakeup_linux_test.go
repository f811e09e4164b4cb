//go:build linux

package media

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ccphone/hal/haltest"
)

// usage is the process's CPU time and context switches so far.
type usage struct {
	cpu      time.Duration // user + system, from getrusage
	statCPU  time.Duration // utime + stime from /proc/self/stat (10 ms ticks)
	switches int64         // voluntary + involuntary, all threads
}

func readUsage(t *testing.T) usage {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	u := usage{
		cpu:      time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), // int64 on every arch
		switches: int64(ru.Nvcsw) + int64(ru.Nivcsw),
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		// Fields after the ")" that ends the command name; utime and
		// stime are fields 14 and 15 of the line.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		u.statCPU = time.Duration(ut+st) * 10 * time.Millisecond
	}
	return u
}

func threads() int {
	m, _ := filepath.Glob("/proc/self/task/*")
	return len(m)
}

func measure(t *testing.T, name string, d time.Duration, run func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	before := readUsage(t)
	run(ctx)
	after := readUsage(t)
	sec := d.Seconds()
	t.Logf("%-28s %6.2f ms CPU/s (proc stat %5.1f ms/s), %6.1f context switches/s, %d threads",
		name,
		float64((after.cpu-before.cpu).Microseconds())/1000/sec,
		float64((after.statCPU-before.statCPU).Milliseconds())/sec,
		float64(after.switches-before.switches)/sec, threads())
}

// TestRealtimeWakeups runs the real 20 ms clock with two calls for a few
// seconds and reports the whole process's CPU time and context switches
// per second, next to an idle process and a bare Go ticker. It asserts
// nothing about the figures: speed belongs to benchmarks and to
// side-by-side runs against baresip.
func TestRealtimeWakeups(t *testing.T) {
	if testing.Short() {
		t.Skip("runs in real time")
	}
	measure(t, "idle", time.Second, func(ctx context.Context) { <-ctx.Done() })
	measure(t, "bare 20 ms time.Ticker", 2*time.Second, func(ctx context.Context) {
		tk := time.NewTicker(FrameDuration)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
			}
		}
	})
	e, l1, l2 := loopedLegs(t, &haltest.Audio{})
	defer e.Close()
	measure(t, "engine, 2 legs, 8 kHz G.711", 3*time.Second, func(ctx context.Context) {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Run(ctx)
		}()
		wg.Wait()
	})
	s1, s2 := l1.Stats(), l2.Stats()
	t.Logf("line1 %+v", s1)
	t.Logf("line2 %+v", s2)
	if s1.RTP.Received == 0 || s2.RTP.Received == 0 {
		t.Error("no media flowed")
	}
}
