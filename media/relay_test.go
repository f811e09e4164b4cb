package media

import (
	"context"

	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"ccphone/hal"
	"ccphone/media/sdpneg"
)

// udpRelay forwards UDP datagrams from its in socket to one address, as a
// network would: it drops a share of them and delays each by a random
// time, so that they also come out of order. The randomness is seeded:
// the same packets are dropped and delayed alike in every run.
type udpRelay struct {
	in, out  *net.UDPConn
	to       netip.AddrPort
	loss     float64       // share of packets dropped
	maxDelay time.Duration // each packet is held 0..maxDelay
	rng      *rand.Rand    // used by run only

	pending sync.WaitGroup // packets being held
	done    chan struct{}

	mu                            sync.Mutex
	lastSeq                       uint16
	sent                          bool
	forwarded, dropped, reordered int
	sendErrors                    atomic.Int64
}

// startRelay listens on a kernel-chosen loopback port and forwards to
// to; t.Cleanup stops it.
func startRelay(t *testing.T, to netip.AddrPort, loss float64, maxDelay time.Duration, seed uint64) *udpRelay {
	t.Helper()
	in, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		in.Close()
		t.Fatal(err)
	}
	r := &udpRelay{in: in, out: out, to: to, loss: loss, maxDelay: maxDelay,
		rng: rand.New(rand.NewPCG(seed, 0x5eed)), done: make(chan struct{})}
	go r.run()
	t.Cleanup(r.stop)
	return r
}

// Addr returns where to send packets to be relayed.
func (r *udpRelay) Addr() netip.AddrPort { return r.in.LocalAddr().(*net.UDPAddr).AddrPort() }

func (r *udpRelay) run() {
	defer close(r.done)
	buf := make([]byte, 2048)
	for {
		n, err := r.in.Read(buf)
		if err != nil {
			return // closed
		}
		if r.rng.Float64() < r.loss {
			r.mu.Lock()
			r.dropped++
			r.mu.Unlock()
			continue
		}
		p := slices.Clone(buf[:n])
		var d time.Duration
		if r.maxDelay > 0 {
			d = time.Duration(r.rng.Int64N(int64(r.maxDelay) + 1))
		}
		r.pending.Add(1)
		time.AfterFunc(d, func() {
			defer r.pending.Done()
			r.forward(p)
		})
	}
}

func (r *udpRelay) forward(p []byte) {
	var h rtp.Header
	if _, err := h.Unmarshal(p); err == nil {
		r.mu.Lock()
		if r.sent && int16(h.SequenceNumber-r.lastSeq) < 0 {
			r.reordered++
		} else {
			r.lastSeq = h.SequenceNumber
		}
		r.sent = true
		r.forwarded++
		r.mu.Unlock()
	}
	if _, err := r.out.WriteToUDPAddrPort(p, r.to); err != nil {
		r.sendErrors.Add(1)
	}
}

func (r *udpRelay) stop() {
	r.in.Close()
	<-r.done
	r.pending.Wait()
	r.out.Close()
}

func (r *udpRelay) counts() (forwarded, dropped, reordered int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forwarded, r.dropped, r.reordered
}

// signalAudio is a board whose headset microphone plays a given signal
// (then silence) and whose headset records what it is given, at 8 kHz.
type signalAudio struct {
	mu  sync.Mutex
	mic []int16
	pos int
	out []int16
}

func (a *signalAudio) OpenAudio(p hal.AudioPort, f hal.AudioFormat) (hal.AudioStream, error) {
	if f.SampleRate != SampleRate || f.Channels != 1 || f.FrameSamples != FrameSamples {
		return nil, hal.ErrOutOfRange
	}
	return &signalStream{a: a, port: p}, nil
}

func (a *signalAudio) heard() []int16 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.out)
}

type signalStream struct {
	a    *signalAudio
	port hal.AudioPort
}

func (s *signalStream) ReadFrame(frame []int16) error {
	clear(frame)
	if s.port != hal.PortHeadset {
		return nil
	}
	a := s.a
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pos += copy(frame, a.mic[min(a.pos, len(a.mic)):])
	return nil
}

func (s *signalStream) WriteFrame(frame []int16) error {
	if s.port != hal.PortHeadset {
		return nil
	}
	s.a.mu.Lock()
	s.a.out = append(s.a.out, frame...)
	s.a.mu.Unlock()
	return nil
}

func (s *signalStream) Close() error { return nil }

// melody returns d of a tone at 8 kHz that changes frequency every
// 100 ms (seeded, 400 to 3000 Hz) with its phase continuous: it never
// falls silent, and being aperiodic it lines up with a delayed copy of
// itself at one lag only.
func melody(d time.Duration, amp float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, int(d.Seconds()*SampleRate))
	phase, hz := 0.0, 0.0
	for i := range out {
		if i%(SampleRate/10) == 0 {
			hz = 400 + 2600*rng.Float64()
		}
		phase += 2 * math.Pi * hz / SampleRate
		out[i] = int16(amp * math.Sin(phase))
	}
	return out
}

// longestQuiet returns the longest run of samples in s whose magnitude
// is at most limit.
func longestQuiet(s []int16, limit int16) int {
	longest, run := 0, 0
	for _, v := range s {
		if v <= limit && v >= -limit {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// bestLag returns the lag in samples, from lo to hi, at which got lines
// up best with want[from:from+n] (normalized cross-correlation).
func bestLag(want, got []int16, from, n, lo, hi int) int {
	best, bestScore := lo, math.Inf(-1)
	for lag := lo; lag <= hi; lag++ {
		if from+lag < 0 || from+lag+n > len(got) {
			continue
		}
		var dot, energy float64
		for i := range n {
			g := float64(got[from+lag+i])
			dot += float64(want[from+i]) * g
			energy += g * g
		}
		if energy == 0 {
			continue
		}
		if score := dot / math.Sqrt(energy); score > bestScore {
			best, bestScore = lag, score
		}
	}
	return best
}

// TestLossAndJitterRelay sends a continuous tone from one engine to two
// others on the real 20 ms clock: through a relay that drops 5% of the
// packets and delays each by 0 to 40 ms (so they also reorder), and
// through a relay that only forwards. The impaired output has no gap
// longer than a frame after start-up (the jitter buffer waits for late
// packets and the concealer fills the lost ones), and its delay over the
// clean path's stays under 80 ms.
func TestLossAndJitterRelay(t *testing.T) {
	const (
		run     = 8 * time.Second
		startup = 2 * time.Second // the buffer settles; not judged
		maxGap  = FrameSamples    // one frame
		maxAdd  = 80 * time.Millisecond
	)
	sender := &signalAudio{mic: melody(run+2*time.Second, 8000, 7)}
	impairedOut, cleanOut := &signalAudio{}, &signalAudio{}
	newEng := func(a hal.AudioOpener) *Engine {
		e, err := New(Options{Audio: a, Addr: loopback, RTCPEvery: -1})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a, b, c := newEng(sender), newEng(impairedOut), newEng(cleanOut)
	defer a.Close()
	defer b.Close()
	defer c.Close()
	receive := func(e *Engine) *Leg {
		l := addLeg(t, e, "rx")
		if err := l.Apply(sdpneg.Session{Codec: sdpneg.PCMU, PayloadType: 0, Direction: sdpneg.RecvOnly}); err != nil {
			t.Fatal(err)
		}
		return l
	}
	lb, lc := receive(b), receive(c)
	impaired := startRelay(t, lb.LocalAddr(), 0.05, 40*time.Millisecond, 1)
	clean := startRelay(t, lc.LocalAddr(), 0, 0, 2)
	for _, to := range []netip.AddrPort{impaired.Addr(), clean.Addr()} {
		l := addLeg(t, a, "tx")
		if err := l.Apply(sdpneg.Session{Codec: sdpneg.PCMU, PayloadType: 0, Direction: sdpneg.SendOnly, Remote: to}); err != nil {
			t.Fatal(err)
		}
	}

	// The two receivers tick together on one clock, so that their
	// outputs line up sample for sample; the sender has its own.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := a.Run(ctx); err != nil {
			t.Error(err)
		}
	})
	frames := int(run / FrameDuration)
	tick := time.NewTicker(FrameDuration)
	start, done := time.Now(), 0
	for done < frames {
		<-tick.C
		due := int(time.Since(start) / FrameDuration)
		n := due - done
		if n > maxCatchUp {
			done, n = due-1, 1
		}
		for ; n > 0 && done < frames; n-- {
			b.Step()
			c.Step()
			done++
		}
	}
	tick.Stop()
	cancel()
	wg.Wait()

	fwd, dropped, reordered := impaired.counts()
	t.Logf("impaired relay: %d forwarded, %d dropped, %d reordered; receiver %+v", fwd, dropped, reordered, lb.Stats())
	if dropped == 0 || reordered == 0 || fwd < frames*8/10 {
		t.Fatalf("the relay did not impair the stream: %d forwarded, %d dropped, %d reordered", fwd, dropped, reordered)
	}
	if impaired.sendErrors.Load()+clean.sendErrors.Load() > 0 {
		t.Errorf("relays failed to send %d packets", impaired.sendErrors.Load()+clean.sendErrors.Load())
	}

	got, want := impairedOut.heard(), cleanOut.heard()
	first := slices.IndexFunc(want, func(v int16) bool { return v > 1000 || v < -1000 })
	if first < 0 || len(got) != len(want) {
		t.Fatalf("clean output starts at %d of %d samples, impaired has %d", first, len(want), len(got))
	}
	judged := first + int(startup.Seconds()*SampleRate)
	end := len(want) - 2*FrameSamples
	if gap := longestQuiet(want[judged:end], 64); gap > maxGap {
		t.Errorf("the clean path has a gap of %d samples", gap)
	}
	gap := longestQuiet(got[judged:end], 64)
	t.Logf("longest gap after start-up: %d samples (%.1f ms)", gap, float64(gap)*1000/SampleRate)
	if gap > maxGap {
		t.Errorf("a gap of %d samples (%.1f ms) in the impaired output, want at most one frame (%d)", gap, float64(gap)*1000/SampleRate, maxGap)
	}

	// The added delay, window by window: where the impaired output lines
	// up with the clean one.
	const window = SampleRate / 2
	lo, hi := -40*SampleRate/1000, 200*SampleRate/1000
	var lags []time.Duration
	for from := judged; from+window+hi < len(got); from += window {
		lag := bestLag(want, got, from, window, lo, hi)
		lags = append(lags, time.Duration(lag)*time.Second/SampleRate)
	}
	if len(lags) < 5 {
		t.Fatalf("only %d windows to judge", len(lags))
	}
	t.Logf("added delay per half second: %v", lags)
	for i, d := range lags {
		if d >= maxAdd || d < 0 {
			t.Errorf("window %d: added delay %v, want 0 to %v", i, d, maxAdd)
		}
	}
}
