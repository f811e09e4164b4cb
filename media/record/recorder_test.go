package record

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ccphone/hal/haltest"
	"ccphone/media/g711"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testOptions(o Options) Options {
	if o.Clock == nil {
		o.Clock = haltest.NewClock()
	}
	o.Logger = quiet()
	if o.Call.CallID == "" {
		o.Call = CallInfo{CallID: "a84b4c76e66710@pc33.example.com", Line: 1, Direction: "in",
			Network: "offnet", From: "sip:2000@pbx.example.net", To: "sip:1001@pbx.example.net", Rule: "all-inbound"}
	}
	return o
}

func mustOpen(t *testing.T, dir string, o Options) *Recorder {
	t.Helper()
	r, err := Open(dir, testOptions(o))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustClose(t *testing.T, r *Recorder) Meta {
	t.Helper()
	m, err := r.Close()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestChannelsByFrequency records a 1 kHz tone from the agent and a
// 600 Hz tone from the far end, and finds each on its own channel (or
// both in the mono mix), in every format and at both rates.
func TestChannelsByFrequency(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		for _, f := range []Format{PCM16, Ulaw, Alaw} {
			for _, l := range []Layout{Stereo, Mono} {
				t.Run(fmt.Sprintf("%d/%v/%v", rate, f, l), func(t *testing.T) {
					dir := t.TempDir()
					r := mustOpen(t, dir, Options{Format: f, Layout: l, SampleRate: rate})
					n := rate / 50
					agent, far := make([]int16, n), make([]int16, n)
					const frames = 50
					for i := range frames {
						tone(agent, 1000, rate, i*n, 8000)
						tone(far, 600, rate, i*n, 8000)
						if err := r.WriteFrame(agent, far); err != nil {
							t.Fatal(err)
						}
					}
					m := mustClose(t, r)
					if len(m.Segments) != 1 || m.DurationMS != 1000 {
						t.Fatalf("segments %+v, duration %d ms; want one of 1000 ms", m.Segments, m.DurationMS)
					}
					w := readTestWAV(t, filepath.Join(dir, m.Segments[0].File))
					wantTag := map[Format]int{PCM16: 1, Ulaw: 7, Alaw: 6}[f]
					if w.tag != wantTag || w.channels != l.channels() || w.rate != rate {
						t.Fatalf("fmt: tag %d, %d channels, %d Hz", w.tag, w.channels, w.rate)
					}
					if got := len(w.data) / w.block; got != frames*n {
						t.Fatalf("%d sample frames, want %d", got, frames*n)
					}
					left := w.channel(0)
					if l == Mono {
						if a, b := goertzel(left, 1000, rate), goertzel(left, 600, rate); a < 1e6 || b < 1e6 {
							t.Fatalf("mono mix: 1 kHz power %.0f, 600 Hz power %.0f; want both", a, b)
						}
						return
					}
					right := w.channel(1)
					if a, b := goertzel(left, 1000, rate), goertzel(left, 600, rate); a < 100*b {
						t.Fatalf("left: agent's 1 kHz %.0f, far end's 600 Hz %.0f", a, b)
					}
					if a, b := goertzel(right, 600, rate), goertzel(right, 1000, rate); a < 100*b {
						t.Fatalf("right: far end's 600 Hz %.0f, agent's 1 kHz %.0f", a, b)
					}
				})
			}
		}
	}
}

// TestG711RoundTrip checks that a G.711 recording holds exactly the codes
// of the samples, and decodes to what G.711 makes of them.
func TestG711RoundTrip(t *testing.T) {
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		t.Run(law.String(), func(t *testing.T) {
			f := map[g711.Law]Format{g711.Ulaw: Ulaw, g711.Alaw: Alaw}[law]
			dir := t.TempDir()
			r := mustOpen(t, dir, Options{Format: f})
			var want [2][]int16
			agent, far := make([]int16, 160), make([]int16, 160)
			for i := range 10 {
				for j := range agent {
					agent[j] = int16((i*160 + j) * 41) // sweeps all of int16
					far[j] = int16(-(i*160 + j) * 23)
				}
				if err := r.WriteFrame(agent, far); err != nil {
					t.Fatal(err)
				}
				for c, src := range [][]int16{agent, far} {
					codes := make([]byte, len(src))
					law.Encode(codes, src)
					dec := make([]int16, len(src))
					law.Decode(dec, codes)
					want[c] = append(want[c], dec...)
				}
			}
			m := mustClose(t, r)
			w := readTestWAV(t, filepath.Join(dir, m.Segments[0].File))
			if w.bits != 8 || w.block != 2 || w.fact != 1600 {
				t.Fatalf("bits %d, block %d, fact %d", w.bits, w.block, w.fact)
			}
			for c := range 2 {
				if got := w.channel(c); !slices.Equal(got, want[c]) {
					t.Fatalf("channel %d differs from G.711's decoding", c)
				}
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	dir := t.TempDir()
	clock := haltest.NewClock()
	r := mustOpen(t, dir, Options{Clock: clock, Format: Ulaw, SampleRate: 16000})
	for range 25 {
		if err := r.WriteFrame(nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	m := mustClose(t, r)
	got, err := ReadMeta(filepath.Join(dir, m.ID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	want := testOptions(Options{}).Call
	if got.CallInfo != want {
		t.Errorf("call info %+v, want %+v", got.CallInfo, want)
	}
	if got.State != StateFinished || got.DurationMS != 500 || got.Format != "pcmu" || got.SampleRate != 16000 ||
		got.Channels != 2 || got.Layout != "stereo" || !got.Start.Equal(clock.Now()) || len(got.Segments) != 1 {
		t.Errorf("metadata %+v", got)
	}
	st, err := os.Stat(filepath.Join(dir, got.Segments[0].File))
	if err != nil {
		t.Fatal(err)
	}
	if got.Segments[0].Bytes != st.Size() || st.Size() != 58+25*320*2 {
		t.Errorf("segment bytes %d, file %d", got.Segments[0].Bytes, st.Size())
	}
	if files := m.Files(); len(files) != 2 || files[1] != m.MetaPath() {
		t.Errorf("Files() = %q", files)
	}
	list, err := List(dir)
	if err != nil || len(list) != 1 || list[0].ID != m.ID {
		t.Errorf("List = %v, %v", list, err)
	}
	if _, err := Open(dir, testOptions(Options{Clock: clock, ID: m.ID})); !errors.Is(err, ErrOptions) {
		t.Errorf("reopening ID %s: %v, want ErrOptions", m.ID, err)
	}
}

// TestSegments stops and starts the recording twice: three files of one
// recording, none overwritten, frames while stopped not recorded.
func TestSegments(t *testing.T) {
	dir := t.TempDir()
	clock := haltest.NewClock()
	r := mustOpen(t, dir, Options{Clock: clock, Paused: true, SyncEvery: 100 * time.Millisecond, Buffers: 32})
	frame := make([]int16, 160)
	write := func(v int16, n int) {
		for i := range frame {
			frame[i] = v
		}
		for range n {
			if err := r.WriteFrame(frame, frame); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(9, 5) // paused: dropped
	for seg := int16(1); seg <= 3; seg++ {
		clock.Advance(time.Second)
		if err := r.Start(); err != nil {
			t.Fatal(err)
		}
		if err := r.Start(); err != nil { // no-op
			t.Fatal(err)
		}
		write(seg, int(seg)*7)
		if err := r.Stop(); err != nil {
			t.Fatal(err)
		}
		write(9, 3) // stopped: dropped
	}
	m := mustClose(t, r)
	if len(m.Segments) != 3 || m.DurationMS != (7+14+21)*20 {
		t.Fatalf("segments %+v, duration %d", m.Segments, m.DurationMS)
	}
	for i, s := range m.Segments {
		if want := fmt.Sprintf("%s-%02d.wav", m.ID, i+1); s.File != want {
			t.Errorf("segment %d is %s, want %s", i, s.File, want)
		}
		w := readTestWAV(t, filepath.Join(dir, s.File))
		left := w.channel(0)
		if len(left) != (i+1)*7*160 {
			t.Errorf("segment %d: %d samples", i+1, len(left))
		}
		for _, v := range left {
			if v != int16(i+1) {
				t.Fatalf("segment %d holds sample %d", i+1, v)
			}
		}
		if !s.Start.Equal(haltest.NewClock().Now().Add(time.Duration(i+1) * time.Second)) {
			t.Errorf("segment %d starts %v", i+1, s.Start)
		}
	}
}

func TestMinLengthDiscards(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, dir, Options{MinLength: time.Second})
	for range 49 {
		if err := r.WriteFrame(nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	m := mustClose(t, r)
	if !m.Discarded {
		t.Fatal("980 ms recording with a 1 s minimum was kept")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}

	r = mustOpen(t, dir, Options{MinLength: time.Second})
	for range 50 {
		if err := r.WriteFrame(nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if m := mustClose(t, r); m.Discarded || len(m.Segments) != 1 {
		t.Fatalf("1 s recording with a 1 s minimum: %+v", m)
	}
}

func TestTimeLimit(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, dir, Options{TimeLimit: 500 * time.Millisecond})
	var limited int
	for i := range 40 {
		err := r.WriteFrame(nil, nil)
		switch {
		case i < 25 && err != nil:
			t.Fatalf("frame %d: %v", i, err)
		case i >= 25 && !errors.Is(err, ErrTimeLimit):
			t.Fatalf("frame %d: %v, want ErrTimeLimit", i, err)
		case err != nil:
			limited++
		}
	}
	if r.Recording() {
		t.Error("Recording() after the limit")
	}
	if err := r.Start(); !errors.Is(err, ErrTimeLimit) {
		t.Errorf("Start after the limit: %v", err)
	}
	m := mustClose(t, r)
	if m.DurationMS != 500 {
		t.Fatalf("duration %d ms, want 500", m.DurationMS)
	}
	if w := readTestWAV(t, filepath.Join(dir, m.Segments[0].File)); len(w.data) != 25*640 {
		t.Fatalf("%d data bytes", len(w.data))
	}
}

func TestBadFrames(t *testing.T) {
	r := mustOpen(t, t.TempDir(), Options{})
	if err := r.WriteFrame(make([]int16, 159), nil); !errors.Is(err, ErrFrameSize) {
		t.Errorf("159 samples: %v", err)
	}
	if err := r.WriteFrame(nil, make([]int16, 320)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("320 samples at 8 kHz: %v", err)
	}
	if err := r.WriteFrame(nil, nil); err != nil {
		t.Error(err)
	}
	mustClose(t, r)
	if err := r.WriteFrame(nil, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if _, err := r.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	for _, o := range []Options{{SampleRate: 44100}, {ID: "../x"}, {Format: 9}, {MinLength: -1}} {
		if _, err := Open(t.TempDir(), testOptions(o)); !errors.Is(err, ErrOptions) {
			t.Errorf("Open(%+v): %v, want ErrOptions", o, err)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing"), testOptions(Options{})); err == nil {
		t.Error("Open in a missing folder succeeded")
	}
}

// TestDiskWritesEverySecond checks that audio reaches the file (with a
// consistent header) every SyncEvery without Close.
func TestDiskWritesEverySecond(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, dir, Options{})
	defer r.Close()
	part := filepath.Join(dir, r.ID()+"-01.wav.part")
	for i := 1; i <= 120; i++ {
		if err := r.WriteFrame(nil, nil); err != nil {
			t.Fatal(err)
		}
		if i%50 != 0 {
			continue
		}
		want := int64(44 + i*640)
		deadline := time.Now().Add(5 * time.Second)
		for {
			st, err := os.Stat(part)
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after %d frames the file holds %d bytes, want %d", i, st.Size(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func TestWriteFrameAllocatesNothing(t *testing.T) {
	for _, o := range []Options{{}, {Format: Ulaw, Layout: Mono, SampleRate: 16000}} {
		r := mustOpen(t, t.TempDir(), Options{Format: o.Format, Layout: o.Layout, SampleRate: o.SampleRate, Buffers: 64})
		n := r.frameSample
		agent, far := make([]int16, n), make([]int16, n)
		allocs := testing.AllocsPerRun(400, func() {
			if err := r.WriteFrame(agent, far); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v/%v: %v allocations per WriteFrame", o.Format, o.Layout, allocs)
		}
		allocs = testing.AllocsPerRun(20, func() {
			if err := r.Stop(); err != nil {
				t.Fatal(err)
			}
			if err := r.Start(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per Stop+Start", allocs)
		}
		mustClose(t, r)
	}
}

func BenchmarkWriteFrame(b *testing.B) {
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"pcm16-stereo-8k", Options{}},
		{"pcmu-stereo-8k", Options{Format: Ulaw}},
		{"pcm16-stereo-16k", Options{SampleRate: 16000}},
		{"pcma-mono-16k", Options{Format: Alaw, Layout: Mono, SampleRate: 16000}},
	} {
		b.Run(c.name, func(b *testing.B) {
			o := c.o
			o.Clock, o.Logger = haltest.NewClock(), quiet()
			o.Buffers = 16
			r, err := Open(b.TempDir(), o)
			if err != nil {
				b.Fatal(err)
			}
			agent, far := make([]int16, r.frameSample), make([]int16, r.frameSample)
			tone(agent, 1000, o.SampleRate+8000*btoi(o.SampleRate == 0), 0, 8000)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if err := r.WriteFrame(agent, far); err != nil {
					b.Fatal(err)
				}
				if i++; i%r.syncFrames == 0 {
					// In a call the writer has 20 ms per frame; here it
					// gets its time outside the measurement.
					b.StopTimer()
					for len(r.free) < 1 {
						time.Sleep(50 * time.Microsecond)
					}
					b.StartTimer()
				}
			}
			b.StopTimer()
			if _, err := r.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkEncode is WriteFrame's CPU work alone: one frame into the
// file's format.
func BenchmarkEncode(b *testing.B) {
	for _, o := range []Options{{}, {Format: Ulaw}, {Format: Alaw, Layout: Mono, SampleRate: 16000}} {
		b.Run(o.Format.String()+"-"+o.Layout.String(), func(b *testing.B) {
			o.Clock, o.Logger = haltest.NewClock(), quiet()
			r, err := Open(b.TempDir(), o)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			agent, far := make([]int16, r.frameSample), make([]int16, r.frameSample)
			tone(agent, 1000, 8000, 0, 8000)
			dst := make([]byte, r.frameBytes)
			b.ReportAllocs()
			for b.Loop() {
				r.encode(dst, agent, far)
			}
		})
	}
}
