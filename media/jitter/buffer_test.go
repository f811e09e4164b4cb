package jitter

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// pkt makes a 160-sample PCMU packet whose payload names its sequence.
func pkt(seq uint16, ts uint32) *rtp.Packet {
	return &rtp.Packet{
		Header:  rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts, SSRC: 1},
		Payload: []byte{byte(seq >> 8), byte(seq), 0xFF},
	}
}

// step is one tick of a scripted test: packets pushed (by sequence
// offset from base; 1000+n = comfort noise at n; 2000+n = voice at n
// with the tick's timestamp, as after a pause), then one Pop.
type step struct {
	push []int
	want string // kind letter: v voice, l lost, s silence; v carries seq offset
}

// run plays a script and returns the frames as "v0 v1 l s ...".
func run(b *Buffer, base uint16, tsBase uint32, steps [][]int) string {
	var out []string
	for tick, push := range steps {
		for _, off := range push {
			p := pkt(base+uint16(off), tsBase+uint32(off)*160)
			if off >= 2000 { // sent now, after a pause (DTX): the timestamp is the tick's
				p = pkt(base+uint16(off-2000), tsBase+uint32(tick)*160)
			} else if off >= 1000 { // comfort noise
				p = pkt(base+uint16(off-1000), tsBase+uint32(off-1000)*160)
				p.PayloadType = PayloadTypeCN
			}
			b.Push(p, tsBase+uint32(tick)*160)
		}
		f := b.Pop()
		switch f.Kind {
		case Voice:
			out = append(out, "v"+itoa(int(f.Seq-base)))
		case Lost:
			out = append(out, "l")
		default:
			out = append(out, "s")
		}
	}
	return strings.Join(out, " ")
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestScripts(t *testing.T) {
	tests := []struct {
		name  string
		base  uint16
		ts    uint32
		steps [][]int
		want  string
		check func(*testing.T, Stats)
	}{
		{"in order", 100, 0, [][]int{{0}, {1}, {2}, {3}, {4}}, "s v0 v1 v2 v3", nil},
		{"reordered", 100, 0, [][]int{{0}, {2}, {1}, {3}, {4}, {}}, "s v0 v1 v2 v3 v4", nil},
		// 0 came two frames after 1: the buffer starts two frames deep.
		{"reordered before start", 100, 0, [][]int{{1}, {0}, {2}, {3}}, "s s v0 v1", nil},
		{"duplicate", 100, 0, [][]int{{0}, {1, 1}, {2, 0}, {3}}, "s v0 v1 v2",
			func(t *testing.T, s Stats) {
				if s.Duplicates != 1 || s.Late != 1 {
					t.Errorf("duplicates %d late %d, want 1 and 1", s.Duplicates, s.Late)
				}
			}},
		{"sequence wrap", 65534, 0, [][]int{{0}, {1}, {2}, {3}, {4}}, "s v0 v1 v2 v3", nil},
		{"timestamp wrap", 7, 0xFFFFFE00, [][]int{{0}, {1}, {2}, {3}, {4}}, "s v0 v1 v2 v3",
			func(t *testing.T, s Stats) {
				if s.Jitter != 0 {
					t.Errorf("jitter %d across the wrap, want 0", s.Jitter)
				}
			}},
		{"loss", 100, 0, [][]int{{0}, {1}, {}, {3}, {4}, {5}}, "s v0 v1 l v3 v4",
			func(t *testing.T, s Stats) {
				if s.Lost != 1 {
					t.Errorf("lost %d, want 1", s.Lost)
				}
			}},
		{"late packet dropped", 100, 0, [][]int{{0}, {1}, {3}, {4}, {2}, {5}, {}}, "s v0 v1 l v3 v4 v5",
			func(t *testing.T, s Stats) {
				if s.Late != 1 {
					t.Errorf("late %d, want 1", s.Late)
				}
			}},
		// Running dry, the buffer waits a frame for a packet that may
		// still come (the delay grows a frame), and counts it lost after
		// that. 3 comes two frames after its turn, later than any packet
		// before: lost, and dropped when it comes. Having seen packets
		// that late, the buffer then waits for 4, which comes a frame late.
		{"underrun conceals and waits", 100, 0, [][]int{{0}, {1}, {2}, {}, {}, {3}, {4}, {5}}, "s v0 v1 v2 l l v4 v5",
			func(t *testing.T, s Stats) {
				if s.Concealed != 1 || s.Lost != 1 || s.Late != 1 {
					t.Errorf("%+v, want 1 concealed, 1 lost, 1 late", s)
				}
			}},
		// A sender whose clock is slow skips a frame time now and then:
		// the frame the buffer holds absorbs the first; the next is
		// waited for (one frame concealed, the delay grows), not lost.
		{"slow sender waited for", 100, 0, [][]int{{0}, {1}, {2}, {3}, {}, {4}, {5}, {6}, {}, {7}, {8}, {9}}, "s v0 v1 v2 v3 v4 v5 v6 l v7 v8 v9",
			func(t *testing.T, s Stats) {
				if s.Concealed != 1 || s.Lost != 0 {
					t.Errorf("%+v, want 1 concealed, none lost", s)
				}
			}},
		// 2 comes two frames late, after its turn: lost. Then 5 is
		// missing while 6 is here; packets have come that late lately,
		// so the buffer waits a frame for it and plays it.
		{"late packet waited for", 100, 0, [][]int{{0}, {1}, {}, {3}, {2}, {4}, {6}, {5}, {7}, {}}, "s v0 v1 l v3 v4 l v5 v6 v7",
			func(t *testing.T, s Stats) {
				if s.Lost != 1 || s.Late != 1 || s.Concealed != 1 {
					t.Errorf("%+v, want 1 lost, 1 late, 1 concealed", s)
				}
			}},
		{"comfort noise is silence, and so is the pause after it", 100, 0,
			[][]int{{0}, {1}, {1002}, {}, {}, {}, {2003}, {2004}, {2005}}, "s v0 v1 s s s s v3 v4", nil},
		{"jump far ahead restarts", 100, 0, [][]int{{0}, {1}, {2}, {500}, {501}, {502}}, "s v0 v1 l v500 v501",
			func(t *testing.T, s Stats) {
				if s.Resets != 1 {
					t.Errorf("resets %d, want 1", s.Resets)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(DefaultOptions())
			if got := run(b, tt.base, tt.ts, tt.steps); got != tt.want {
				t.Errorf("frames %q\nwant   %q", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, b.Stats())
			}
		})
	}
}

func TestTargetAdapts(t *testing.T) {
	b := New(DefaultOptions())
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 500 {
		// Packets arrive up to 100 ms late, at random.
		arrival := uint32(i*160 + rng.IntN(800))
		b.Push(pkt(uint16(i), uint32(i*160)), arrival)
		b.Pop()
	}
	s := b.Stats()
	if s.Target < 5 || s.Target > 10 {
		t.Errorf("target %d frames with %d jitter, want 5..10", s.Target, s.Jitter)
	}
	for i := 500; i < 1500; i++ {
		b.Push(pkt(uint16(i), uint32(i*160)), uint32(i*160))
		b.Pop()
	}
	if s := b.Stats(); s.Target != 2 {
		t.Errorf("target %d frames after the jitter stopped (%d), want 2", s.Target, s.Jitter)
	}
	big := New(Options{MinDelay: 10 * time.Millisecond, MaxDelay: 10 * time.Second})
	if big.minFrames != 1 || big.maxFrames != Size/2 {
		t.Errorf("limits %d..%d, want 1..%d", big.minFrames, big.maxFrames, Size/2)
	}
}

// TestDrift runs a sender whose clock is 2% fast or slow against ours:
// the buffer drops or conceals frames and stays near its target.
func TestDrift(t *testing.T) {
	for _, tt := range []struct {
		name  string
		every int // the sender sends one extra packet (or one fewer) every n ticks
		fast  bool
	}{{"fast sender", 50, true}, {"slow sender", 50, false}} {
		t.Run(tt.name, func(t *testing.T) {
			b := New(DefaultOptions())
			seq := uint16(0)
			maxDepth := 0
			for tick := range 3000 {
				n := 1
				if tick%tt.every == 0 && tick > 0 {
					if tt.fast {
						n = 2
					} else {
						n = 0
					}
				}
				for range n {
					b.Push(pkt(seq, uint32(seq)*160), uint32(tick*160))
					seq++
				}
				b.Pop()
				maxDepth = max(maxDepth, b.Len())
			}
			s := b.Stats()
			if tt.fast && s.Dropped < 40 {
				t.Errorf("dropped %d frames of 60 extra", s.Dropped)
			}
			if !tt.fast && s.Concealed < 40 {
				t.Errorf("concealed %d frames of 60 missing", s.Concealed)
			}
			if maxDepth > 6 {
				t.Errorf("buffer grew to %d frames", maxDepth)
			}
		})
	}
}

// TestRandomNetwork: a lossy, reordering, duplicating network. Whatever
// happens, every Voice frame was sent, comes out in sequence order, and
// comes out once.
func TestRandomNetwork(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		b := New(DefaultOptions())
		const n = 3000
		base := uint16(rng.Uint32())
		tsBase := rng.Uint32()
		arrivals := make([][]int, n+40) // tick -> packet indexes
		for i := range n {
			if rng.Float64() < 0.05 { // lost
				continue
			}
			copies := 1
			if rng.Float64() < 0.05 { // duplicated
				copies = 2
			}
			for range copies {
				at := i + rng.IntN(6) // up to 100 ms late: reordered
				if rng.Float64() < 0.01 {
					at += 20 // very late
				}
				arrivals[at] = append(arrivals[at], i)
			}
		}
		var last int32 = -1
		seen := make(map[uint16]bool)
		voice := 0
		for tick, list := range arrivals {
			for _, i := range list {
				seq := base + uint16(i)
				b.Push(pkt(seq, tsBase+uint32(i)*160), tsBase+uint32(tick)*160)
			}
			f := b.Pop()
			if f.Kind != Voice {
				continue
			}
			voice++
			idx := int32(f.Seq - base)
			if idx <= last {
				t.Fatalf("seed %d: frame %d after %d", seed, idx, last)
			}
			if seen[f.Seq] {
				t.Fatalf("seed %d: frame %d twice", seed, idx)
			}
			if idx >= n || f.Payload[0] != byte(f.Seq>>8) || f.Payload[1] != byte(f.Seq) || f.Timestamp != tsBase+uint32(idx)*160 {
				t.Fatalf("seed %d: frame %d is not what was sent", seed, idx)
			}
			seen[f.Seq] = true
			last = idx
		}
		if voice < n*80/100 {
			t.Errorf("seed %d: only %d of %d frames played", seed, voice, n)
		}
	}
}

func TestConcealer(t *testing.T) {
	var c Concealer
	frame := make([]int16, 160)
	c.Conceal(frame)
	for _, v := range frame {
		if v != 0 {
			t.Fatal("concealment before any good frame is not silent")
		}
	}
	good := make([]int16, 160)
	for i := range good {
		good[i] = 10000
	}
	c.Good(good)
	var energies []int
	for range 5 {
		c.Conceal(frame)
		e := 0
		for _, v := range frame {
			e += int(v)
		}
		energies = append(energies, e/160)
	}
	// Fading: each frame quieter than the one before, then silence.
	for i := 1; i < 4; i++ {
		if energies[i] >= energies[i-1] {
			t.Errorf("frame %d not quieter: %v", i, energies)
		}
	}
	if energies[0] < 8000 || energies[3] > 1500 || energies[4] != 0 {
		t.Errorf("fade %v, want from about 8700 to 0 at the end of the 4th frame", energies)
	}
	if Lost.String() != "lost" || Kind(7).String() != "Kind(7)" {
		t.Error("kind names")
	}
}

func TestNoAllocs(t *testing.T) {
	b := New(DefaultOptions())
	var c Concealer
	frame := make([]int16, 160)
	p := pkt(0, 0)
	i := uint16(0)
	allocs := testing.AllocsPerRun(500, func() {
		p.SequenceNumber = i
		p.Timestamp = uint32(i) * 160
		if i%7 != 3 {
			b.Push(p, uint32(i)*160)
		}
		f := b.Pop()
		if f.Kind == Lost {
			c.Conceal(frame)
		} else {
			c.Good(frame)
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame, want 0", allocs)
	}
}

func BenchmarkPushPop(b *testing.B) {
	buf := New(DefaultOptions())
	p := pkt(0, 0)
	p.Payload = make([]byte, 160)
	i := uint16(0)
	b.ReportAllocs()
	for b.Loop() {
		p.SequenceNumber = i
		p.Timestamp = uint32(i) * 160
		buf.Push(p, uint32(i)*160)
		buf.Pop()
		i++
	}
}

// TestFollowsJitter is the relay test's network without sockets: 5%
// loss and 0 to 40 ms of delay, drained on a 20 ms clock whose phase
// against the sender's is random (so packets come 0 to 2 frames after
// they were sent). After a second the buffer conceals at most one frame
// in a row more than the network lost in a row, drops (almost) no packet
// that arrived as too late, and plays each frame at most three frames
// after it was sent.
func TestFollowsJitter(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		rng := rand.New(rand.NewPCG(seed, 40))
		b := New(DefaultOptions())
		const n = 3000
		phase := rng.Float64() * 20 // ms from a send to the next drain
		arrivals := make([][]int, n+10)
		burst, lostRun := 0, 0 // the most packets lost in a row
		for i := range n {
			if rng.Float64() < 0.05 {
				lostRun++
				burst = max(burst, lostRun)
				continue
			}
			lostRun = 0
			at := i + int((phase+40*rng.Float64())/20) // drained on this tick
			arrivals[at] = append(arrivals[at], i)
		}
		run, longest, late, worst := 0, 0, 0, 0
		for tick := range n {
			for _, i := range arrivals[tick] {
				if !b.Push(pkt(uint16(i), uint32(i)*160), uint32(tick)*160) {
					late++
				}
			}
			f := b.Pop()
			if tick < 50 {
				continue
			}
			if f.Kind == Voice {
				run = 0
				worst = max(worst, tick-int(f.Seq))
			} else {
				run++
				longest = max(longest, run)
			}
		}
		if longest > burst+1 || late > 3 || worst > 3 {
			t.Errorf("seed %d: %d frames concealed in a row (network lost %d in a row), %d packets too late, played up to %d frames after sending; want ≤ %d, ≤ 3, ≤ 3 (%+v)",
				seed, longest, burst, late, worst, burst+1, b.Stats())
		}
	}
}
