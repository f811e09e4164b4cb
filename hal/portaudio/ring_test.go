package portaudio

import (
	"slices"
	"testing"
	"time"

	"ccphone/hal"
)

func seq(from, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(from + i)
	}
	return s
}

func TestRingPrefillAndOrder(t *testing.T) {
	r := newRing(8, 4)
	dst := make([]int16, 2)
	r.write(seq(1, 2))
	if got := r.read(dst); got != 0 || !slices.Equal(dst, []int16{0, 0}) {
		t.Fatalf("before prefill: read %d %v, want silence", got, dst)
	}
	r.write(seq(3, 2))
	r.write(seq(5, 2))
	for want := int16(1); want <= 5; want += 2 {
		if got := r.read(dst); got != 2 || !slices.Equal(dst, []int16{want, want + 1}) {
			t.Fatalf("read %d %v, want %v", got, dst, []int16{want, want + 1})
		}
	}
	st := r.snapshot()
	if st.Underruns != 0 || st.Overruns != 0 || st.Fill != 0 || st.In != 6 || st.Out != 8 {
		t.Errorf("stats %+v", st)
	}
}

func TestRingUnderrunGivesSilenceAndRefills(t *testing.T) {
	r := newRing(8, 2)
	r.write(seq(1, 3))
	dst := make([]int16, 2)
	r.read(dst)
	if got := r.read(dst); got != 1 || !slices.Equal(dst, []int16{3, 0}) {
		t.Fatalf("short read %d %v, want [3 0]", got, dst)
	}
	st := r.snapshot()
	if st.Underruns != 1 || st.Inserted != 1 {
		t.Errorf("stats %+v, want one underrun of one sample", st)
	}
	// Refilling: one sample is not enough for the prefill of two.
	r.write(seq(4, 1))
	if got := r.read(dst); got != 0 {
		t.Errorf("read %d before the ring refilled, want 0", got)
	}
	r.write(seq(5, 1))
	if got := r.read(dst); got != 2 || !slices.Equal(dst, []int16{4, 5}) {
		t.Errorf("read %d %v after refill, want [4 5]", got, dst)
	}
}

func TestRingOverrunDropsOldest(t *testing.T) {
	r := newRing(6, 2)
	for i := 0; i < 5; i++ {
		r.write(seq(1+2*i, 2)) // 1..10 into a ring of 6
	}
	st := r.snapshot()
	if st.Overruns != 2 || st.Dropped != 4 || st.Fill != 6 {
		t.Errorf("stats %+v, want 2 overruns dropping 4", st)
	}
	dst := make([]int16, 6)
	if got := r.read(dst); got != 6 || !slices.Equal(dst, seq(5, 6)) {
		t.Errorf("read %d %v, want the newest 5..10", got, dst)
	}
	r.write(seq(1, 9)) // more than fits at once
	if got := r.read(dst); got != 6 || !slices.Equal(dst, seq(4, 6)) {
		t.Errorf("read %d %v, want the last six of an oversize write", got, dst)
	}
}

func TestRingDrain(t *testing.T) {
	r := newRing(8, 6)
	r.write(seq(1, 3))
	r.setDrain()
	dst := make([]int16, 4)
	if got := r.read(dst); got != 3 || !slices.Equal(dst, []int16{1, 2, 3, 0}) {
		t.Errorf("draining read %d %v, want what is left", got, dst)
	}
	if st := r.snapshot(); st.Underruns != 0 {
		t.Errorf("drain counted %d underruns", st.Underruns)
	}
}

// TestRingClocks runs a writer and a reader on clocks 1% apart, one
// frame per tick. A faster reader meets underruns and never a gap: it
// gets everything written, in order. A slower reader meets overruns: the
// oldest audio goes, what it gets stays in order.
func TestRingClocks(t *testing.T) {
	for _, readerRate := range []float64{1.01, 0.99} {
		r := newRing(160*10, 160*2)
		frame := make([]int16, 160)
		var next, want int16
		var wrote, read float64
		for step := 0; step < 100000; step++ {
			if read < wrote*readerRate-2 { // simulated time in frames
				read++
				got := r.read(frame)
				for _, v := range frame[:got] {
					// Gaps are shorter than the ring, so int16
					// differences survive the wrap.
					if gap := v - want; readerRate > 1 && gap != 0 || gap < 0 {
						t.Fatalf("reader at %v: read %d, want %d", readerRate, v, want)
					}
					want = v + 1
				}
			} else {
				wrote++
				for i := range frame {
					frame[i] = next
					next++
				}
				r.write(frame)
			}
		}
		st := r.snapshot()
		if readerRate > 1 && (st.Underruns == 0 || st.Overruns != 0) {
			t.Errorf("faster reader: stats %+v, want underruns, no overruns", st)
		}
		if readerRate < 1 && (st.Overruns == 0 || st.Underruns != 0) {
			t.Errorf("slower reader: stats %+v, want overruns, no underruns", st)
		}
	}
}

func TestRingAllocs(t *testing.T) {
	r := newRing(1600, 320)
	frame := make([]int16, 160)
	if n := testing.AllocsPerRun(1000, func() { r.write(frame); r.read(frame) }); n != 0 {
		t.Errorf("%v allocations per write and read, want 0", n)
	}
}

func TestRingSizes(t *testing.T) {
	f := hal.AudioFormat{SampleRate: 8000, Channels: 2, FrameSamples: 160}
	pre, capacity := New(Opts{}).ringSizes(f)
	if pre != 2*320 || capacity != 10*320 {
		t.Errorf("defaults: prefill %d, capacity %d values; want 640, 3200", pre, capacity)
	}
	pre, capacity = New(Opts{Prefill: 50 * time.Millisecond, Buffer: time.Millisecond}).ringSizes(f)
	if pre != 3*320 || capacity != 6*320 {
		t.Errorf("prefill %d, capacity %d values; want 960 (rounded up), 1920 (prefill + 3 frames)", pre, capacity)
	}
}
