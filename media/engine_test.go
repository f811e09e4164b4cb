package media

import (
	"context"
	"errors"
	"math"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"ccphone/hal"
	"ccphone/hal/haltest"
	"ccphone/media/dtmf"
	"ccphone/media/record"
	"ccphone/media/sdpneg"
	"ccphone/media/tone"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func newEngine(t *testing.T, audio hal.AudioOpener, events chan Event) *Engine {
	t.Helper()
	var ch chan<- Event
	if events != nil {
		ch = events
	}
	e, err := New(Options{Audio: audio, Addr: loopback, Events: ch})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func addLeg(t *testing.T, e *Engine, name string) *Leg {
	t.Helper()
	l, err := e.AddLeg(LegConfig{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func localOf(l *Leg, codecs []sdpneg.Codec, dtmfOn bool) sdpneg.Local {
	return sdpneg.Local{Addr: l.LocalAddr().Addr(), Port: int(l.LocalAddr().Port()), Codecs: codecs, NoTelephoneEvent: !dtmfOn, SessionID: 1}
}

// connect runs offer/answer between a (offerer) and b, and applies the
// outcome to both legs, as the SIP layer would.
func connect(t *testing.T, a, b *Leg, codecs []sdpneg.Codec, dtmfOn bool) (sa, sb sdpneg.Session) {
	t.Helper()
	la, lb := localOf(a, codecs, dtmfOn), localOf(b, codecs, dtmfOn)
	offer, err := sdpneg.Offer(la)
	if err != nil {
		t.Fatal(err)
	}
	answer, sb, err := sdpneg.Answer(offer, lb)
	if err != nil {
		t.Fatal(err)
	}
	sa, err = sdpneg.ParseAnswer(answer, la)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(sa); err != nil {
		t.Fatal(err)
	}
	if err := b.Apply(sb); err != nil {
		t.Fatal(err)
	}
	return sa, sb
}

func stepBoth(a, b *Engine, n int) {
	for range n {
		a.Step()
		b.Step()
	}
}

func TestToneAcrossEngines(t *testing.T) {
	for _, codec := range []sdpneg.Codec{sdpneg.PCMU, sdpneg.PCMA} {
		t.Run(codec.String(), func(t *testing.T) {
			audioA, audioB := newFakeAudio(1000, 8000), newFakeAudio(0, 0)
			a, b := newEngine(t, audioA, nil), newEngine(t, audioB, nil)
			la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
			sa, _ := connect(t, la, lb, []sdpneg.Codec{codec}, true)
			if sa.Codec != codec {
				t.Fatalf("negotiated %v", sa.Codec)
			}
			stepBoth(a, b, 100)
			heard := audioB.heard(hal.PortHeadset, 8000) // the last second
			share, rms := power(heard, 1000)
			if share < 0.95 || rms < 5000 || rms > 6300 {
				t.Errorf("B heard %.2f of its energy at 1 kHz, rms %.0f; want > 0.95 and about 5657", share, rms)
			}
			if other, _ := power(heard, 1300); other > 0.01 {
				t.Errorf("B heard %.2f at 1.3 kHz", other)
			}
			st := lb.Stats()
			if st.RTP.Received < 95 || st.Played < 90 || st.Lost != 0 {
				t.Errorf("B's leg: %+v", st)
			}
			// (A-law has no zero: its quietest codes decode to ±8.)
			if _, rms := power(audioA.heard(hal.PortHeadset, 8000), 1000); rms > 8 {
				t.Errorf("A heard rms %.0f from a silent B", rms)
			}
		})
	}
}

func collectDigits(events <-chan Event) string {
	var b strings.Builder
	for {
		select {
		case ev := <-events:
			if ev.Kind == DigitReceived {
				b.WriteString(ev.Digit.String())
			}
		default:
			return b.String()
		}
	}
}

func TestDTMFAcrossEngines(t *testing.T) {
	for _, tt := range []struct {
		name   string
		rfc    bool
		micAmp float64
	}{{"RFC 4733", true, 3000}, {"in-band", false, 0}} {
		t.Run(tt.name, func(t *testing.T) {
			events := make(chan Event, 16)
			// With RFC 4733 the mic keeps talking between the digits.
			a, b := newEngine(t, newFakeAudio(440, tt.micAmp), nil), newEngine(t, newFakeAudio(0, 0), events)
			la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
			_, sb := connect(t, la, lb, nil, tt.rfc)
			if sb.DTMF() != tt.rfc {
				t.Fatalf("telephone-event negotiated: %v", sb.DTMF())
			}
			stepBoth(a, b, 5)
			for _, r := range "15#9" {
				d, _ := dtmf.ParseDigit(r)
				if err := la.SendDTMF(d, 60*time.Millisecond); err != nil {
					t.Fatal(err)
				}
			}
			stepBoth(a, b, 60)
			if got := collectDigits(events); got != "15#9" {
				t.Errorf("B got digits %q, want %q", got, "15#9")
			}
		})
	}
}

func TestHold(t *testing.T) {
	audioA, audioB := newFakeAudio(1000, 8000), newFakeAudio(600, 8000)
	a, b := newEngine(t, audioA, nil), newEngine(t, audioB, nil)
	la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
	connect(t, la, lb, nil, true)
	stepBoth(a, b, 50)
	if s, _ := power(audioA.heard(hal.PortHeadset, 4000), 600); s < 0.9 {
		t.Fatalf("before hold A hears %.2f of 600 Hz", s)
	}
	// A holds B: A sendonly, B recvonly (what the re-INVITE agrees).
	la.SetDirection(sdpneg.SendOnly)
	lb.SetDirection(sdpneg.RecvOnly)
	stepBoth(a, b, 2)
	sentB := lb.Stats().RTP.Sent
	stepBoth(a, b, 50)
	if n := lb.Stats().RTP.Sent; n != sentB {
		t.Errorf("B (recvonly) sent %d packets on hold", n-sentB)
	}
	if _, rms := power(audioA.heard(hal.PortHeadset, 4000), 600); rms != 0 {
		t.Errorf("A hears rms %.0f on hold, want silence", rms)
	}
	if s, _ := power(audioB.heard(hal.PortHeadset, 4000), 1000); s < 0.9 {
		t.Errorf("B stopped hearing A (%.2f at 1 kHz) though A is sendonly", s)
	}
	// Both inactive: nothing either way.
	la.SetDirection(sdpneg.Inactive)
	lb.SetDirection(sdpneg.Inactive)
	stepBoth(a, b, 2)
	sentA := la.Stats().RTP.Sent
	stepBoth(a, b, 20)
	if n := la.Stats().RTP.Sent; n != sentA {
		t.Errorf("A (inactive) sent %d packets", n-sentA)
	}
	if _, rms := power(audioB.heard(hal.PortHeadset, 2400), 1000); rms != 0 {
		t.Errorf("B hears rms %.0f while inactive", rms)
	}
	// Resume.
	la.SetDirection(sdpneg.SendRecv)
	lb.SetDirection(sdpneg.SendRecv)
	stepBoth(a, b, 50)
	if s, _ := power(audioA.heard(hal.PortHeadset, 4000), 600); s < 0.9 {
		t.Errorf("after resume A hears %.2f of 600 Hz", s)
	}
	// Local hold and mute send silence but keep sending.
	la.SetMute(true)
	stepBoth(a, b, 50)
	if _, rms := power(audioB.heard(hal.PortHeadset, 4000), 1000); rms != 0 {
		t.Errorf("B hears rms %.0f from a muted A", rms)
	}
	lb.SetHold(true)
	stepBoth(a, b, 50)
	if _, rms := power(audioB.heard(hal.PortHeadset, 4000), 1000); rms != 0 {
		t.Errorf("B hears A while holding it")
	}
	if _, rms := power(audioA.heard(hal.PortHeadset, 4000), 600); rms != 0 {
		t.Errorf("A hears B's mic while B holds it")
	}
}

func TestTones(t *testing.T) {
	audio := newFakeAudio(0, 0)
	e := newEngine(t, audio, nil)
	ru, _ := tone.BuiltinPlan("ru")
	ring, err := ru.Tone(tone.Ringback)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.PlayTone(hal.PortHeadset, ring); err != nil {
		t.Fatal(err)
	}
	if err := e.PlayTone(hal.PortMonitor, ring); !errors.Is(err, ErrPort) {
		t.Errorf("tone on the monitor port: %v", err)
	}
	for range 100 { // 2 s: 0.8 s on, 1.2 s of the 3.2 s off
		e.Step()
	}
	heard := audio.heard(hal.PortHeadset, 16000)
	if s, rms := power(heard[:6400], 425); s < 0.95 || rms < 2000 {
		t.Errorf("first 0.8 s: %.2f at 425 Hz, rms %.0f", s, rms)
	}
	if _, rms := power(heard[6400:], 425); rms != 0 {
		t.Errorf("the pause is not silent: rms %.0f", rms)
	}
	e.StopTone(hal.PortHeadset)
	for range 250 {
		e.Step()
	}
	if _, rms := power(audio.heard(hal.PortHeadset, 16000), 425); rms != 0 {
		t.Errorf("tone still plays after StopTone")
	}
}

func TestSourceChangeEvent(t *testing.T) {
	events := make(chan Event, 16)
	a, b := newEngine(t, newFakeAudio(1000, 8000), nil), newEngine(t, newFakeAudio(0, 0), events)
	la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
	connect(t, la, lb, nil, true)
	stepBoth(a, b, 10)
	ev := <-events
	if ev.Kind != SourceChanged || ev.Leg != lb {
		t.Errorf("first event %+v, want the first source on lb", ev)
	}
	// A transfer: the far end is now someone else, with another SSRC.
	c := newEngine(t, newFakeAudio(1000, 8000), nil)
	lc := addLeg(t, c, "c")
	connect(t, lc, lb, nil, true)
	la.Remove()
	for range 10 {
		a.Step()
		c.Step()
		b.Step()
	}
	select {
	case ev := <-events:
		if ev.Kind != SourceChanged {
			t.Errorf("event %+v, want a source change", ev)
		}
	default:
		t.Error("no source change reported")
	}
}

func TestClosed(t *testing.T) {
	e, err := New(Options{Audio: &haltest.Audio{}, Addr: loopback})
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.AddLeg(LegConfig{Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddLeg(LegConfig{}); !errors.Is(err, ErrClosed) {
		t.Errorf("AddLeg after Close: %v", err)
	}
	if err := l.SetMute(true); !errors.Is(err, ErrClosed) {
		t.Errorf("SetMute after Close: %v", err)
	}
	if err := l.SendDTMF(dtmf.Digit(99), 0); !errors.Is(err, dtmf.ErrDigit) {
		t.Errorf("bad digit: %v", err)
	}
	e.Step() // harmless
	if _, err := New(Options{}); !errors.Is(err, ErrNoAudio) {
		t.Errorf("New without audio: %v", err)
	}
	if EventKind(9).String() != "EventKind(9)" || DigitReceived.String() != "digit" {
		t.Error("event kind names")
	}
}

func TestEventsNeverBlock(t *testing.T) {
	events := make(chan Event) // nobody reads
	a, b := newEngine(t, newFakeAudio(0, 0), nil), newEngine(t, newFakeAudio(0, 0), events)
	la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
	connect(t, la, lb, nil, true)
	la.SendDTMF(dtmf.Digit1, 0)
	stepBoth(a, b, 20) // would hang if an event send blocked
	if b.dropped == 0 {
		t.Error("no events were dropped")
	}
}

// loopedLegs returns an engine with two legs sending to each other.
func loopedLegs(tb testing.TB, audio hal.AudioOpener) (*Engine, *Leg, *Leg) {
	tb.Helper()
	return loopedLegsWith(tb, Options{Audio: audio}, sdpneg.PCMU)
}

// loopedLegsWith is loopedLegs with options and a codec.
func loopedLegsWith(tb testing.TB, opts Options, codec sdpneg.Codec) (*Engine, *Leg, *Leg) {
	tb.Helper()
	opts.Addr = loopback
	e, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	l1, err := e.AddLeg(LegConfig{Name: "line1"})
	if err != nil {
		tb.Fatal(err)
	}
	l2, err := e.AddLeg(LegConfig{Name: "line2", Symmetric: true})
	if err != nil {
		tb.Fatal(err)
	}
	s := sdpneg.Session{Codec: codec, PayloadType: codec.PayloadType(), TelephoneEvent: 101, LocalTelephoneEvent: 101, Direction: sdpneg.SendRecv}
	s.Remote = l2.LocalAddr()
	l1.Apply(s)
	s.Remote = l1.LocalAddr()
	l2.Apply(s)
	return e, l1, l2
}

// TestStepDoesNotAllocate: a whole tick with two active legs, an RFC 4733
// digit going out and a tone playing allocates nothing.
func TestStepDoesNotAllocate(t *testing.T) {
	e, l1, l2 := loopedLegs(t, &haltest.Audio{})
	defer e.Close()
	us, _ := tone.BuiltinPlan("us")
	cw, _ := us.Tone(tone.CallWaiting)
	e.PlayTone(hal.PortHeadset, cw)
	l1.SendDTMF(dtmf.Digit5, dtmf.MaxDuration)
	l2.SetMute(true)
	for range 20 {
		e.Step()
	}
	if a := testing.AllocsPerRun(100, e.Step); a != 0 {
		t.Errorf("%v allocations per tick, want 0", a)
	}
	if st := l2.Stats(); st.RTP.Received < 100 {
		t.Errorf("line2 did not get the events line1 sent: %+v", st)
	}
	if st := l1.Stats(); st.RTP.Received < 100 || st.Played < 90 {
		t.Errorf("line1 did not play what line2 sent: %+v", st)
	}
}

// TestStepWithEverythingDoesNotAllocate: a tick allocates nothing with
// recording, the monitor in every mode and a conference on, at both
// rates and with every codec.
func TestStepWithEverythingDoesNotAllocate(t *testing.T) {
	for _, wide := range []bool{false, true} {
		for _, codec := range []sdpneg.Codec{sdpneg.PCMU, sdpneg.G722} {
			e, l1, l2 := loopedLegsWith(t, Options{Audio: newFakeAudio(1000, 8000).supervisor(1800, 4000), Monitor: true, Wideband: wide}, codec)
			rec := openRecorder(t, e.SampleRate())
			if err := l1.StartRecording(rec); err != nil {
				t.Fatal(err)
			}
			e.Conference(l1, l2, true)
			for _, mode := range []MonitorMode{MonitorListen, MonitorWhisper, MonitorBarge} {
				e.SetMonitor(mode)
				for range 10 {
					e.Step()
				}
				if a := testing.AllocsPerRun(50, e.Step); a != 0 {
					t.Errorf("wideband %v, %v, monitor %v: %v allocations per tick, want 0", wide, codec, mode, a)
				}
			}
			if st := l1.Stats(); st.Played < 150 {
				t.Errorf("wideband %v, %v: line1 played %d frames", wide, codec, st.Played)
			}
			back, _ := l1.StopRecording()
			e.Step()
			if _, err := (<-back).(*record.Recorder).Close(); err != nil {
				t.Error(err)
			}
			e.Close()
		}
	}
}

func TestRun(t *testing.T) {
	e, l1, _ := loopedLegs(t, &haltest.Audio{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := e.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	// Wait for real frames to flow (no assertion on how fast).
	for l1.Stats().RTP.Received < 5 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// countdownClip plays a constant level for a number of frames.
type countdownClip struct {
	frames int
	level  int32
}

func (c *countdownClip) Add(mix []int32) bool {
	if c.frames == 0 {
		return false
	}
	c.frames--
	for i := range mix {
		mix[i] += c.level
	}
	return c.frames > 0
}

func TestPlayClip(t *testing.T) {
	audio := newFakeAudio(0, 0)
	e := newEngine(t, audio, nil)
	if err := e.PlayClip(hal.PortMonitor, &countdownClip{}); !errors.Is(err, ErrPort) {
		t.Errorf("clip on the monitor port: %v", err)
	}
	if err := e.PlayClip(hal.PortHeadset, &countdownClip{frames: 3, level: 1000}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		e.Step()
	}
	heard := audio.heard(hal.PortHeadset, 5*FrameSamples)
	for i, v := range heard {
		want := int16(0)
		if i < 3*FrameSamples {
			want = 1000
		}
		if v != want {
			t.Fatalf("sample %d = %d, want %d (the clip plays three frames, then stops)", i, v, want)
		}
	}
}

// sineClip plays a sine at hz for frames frames at rate.
type sineClip struct {
	hz, rate float64
	frames   int
	n        int
}

func (c *sineClip) Add(mix []int32) bool {
	if c.frames == 0 {
		return false
	}
	c.frames--
	for i := range mix {
		mix[i] += int32(4000 * math.Sin(2*math.Pi*c.hz*float64(c.n)/c.rate))
		c.n++
	}
	return c.frames > 0
}

// TestLegClip plays an announcement to the far end beside the agent's
// voice: B hears A's 1 kHz and the 1.5 kHz clip while it plays, then only
// A's voice.
func TestLegClip(t *testing.T) {
	audioA, audioB := newFakeAudio(1000, 4000), newFakeAudio(0, 0)
	a, b := newEngine(t, audioA, nil), newEngine(t, audioB, nil)
	la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
	connect(t, la, lb, nil, false)
	stepBoth(a, b, 20)
	if err := la.PlayClip(&sineClip{hz: 1500, rate: SampleRate, frames: 100}); err != nil {
		t.Fatal(err)
	}
	stepBoth(a, b, 60)
	heard := audioB.heard(hal.PortHeadset, 4000)
	if s1, _ := power(heard, 1500); s1 < 0.3 {
		t.Errorf("B hears %.2f of the clip's 1.5 kHz while it plays", s1)
	}
	if s2, _ := power(heard, 1000); s2 < 0.3 {
		t.Errorf("B hears %.2f of A's 1 kHz beside the clip", s2)
	}
	stepBoth(a, b, 100)
	if s, _ := power(audioB.heard(hal.PortHeadset, 4000), 1500); s > 0.05 {
		t.Errorf("the clip still plays after its end (%.2f)", s)
	}
}
