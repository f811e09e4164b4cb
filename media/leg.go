package media

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"ccphone/media/dtmf"
	"ccphone/media/internal/osc"
	"ccphone/media/jitter"
	"ccphone/media/rtpio"
	"ccphone/media/sdpneg"
)

// LegConfig configures a new call leg.
type LegConfig struct {
	Name string // for logs, e.g. "line1"
	// Symmetric sends to where the far end's RTP comes from (for NAT).
	Symmetric bool
}

// Leg is the handle of one call's media. Its methods are safe from any
// goroutine; changes take effect at the engine's next tick, in the order
// they were made.
type Leg struct {
	e     *Engine
	st    *legState
	name  string
	local netip.AddrPort

	recMu sync.Mutex
	rec   Recorder // as the callers of StartRecording see it
}

// LegStats is a snapshot of a leg's counters.
type LegStats struct {
	RTP       rtpio.Stats
	Played    uint64        // frames of far-end audio played
	Lost      uint64        // frames lost in the network, concealed
	Concealed uint64        // frames concealed while the buffer ran dry
	Late      uint64        // packets that came after their turn
	Jitter    time.Duration // RFC 3550 interarrival jitter
	Delay     time.Duration // current jitter-buffer target
}

// AddLeg binds an RTP socket for a new leg (in the caller's goroutine, so
// its port is known at once for SDP) and adds the leg to the engine at the
// next tick. The leg neither sends nor plays until Apply gives it a codec.
func (e *Engine) AddLeg(cfg LegConfig) (*Leg, error) {
	stream, err := rtpio.Listen(rtpio.Config{Addr: e.opts.Addr, Ports: e.opts.Ports, Symmetric: cfg.Symmetric, RTCP: true})
	if err != nil {
		return nil, fmt.Errorf("media: leg %s: %w", cfg.Name, err)
	}
	st := &legState{
		name:     cfg.Name,
		stream:   stream,
		jb:       jitter.New(e.opts.Jitter),
		evSend:   dtmf.NewEventSender(rtpClock, rtpFrame, 10),
		inband:   dtmf.NewGenerator(e.rate, e.n),
		detector: dtmf.NewDetector(e.rate, e.n),
		dir:      sdpneg.Inactive,
		codec:    newLegCodec(),
		rtcp:     legRTCP{cname: newCNAME()},
	}
	l := &Leg{e: e, st: st, name: cfg.Name, local: stream.LocalAddr()}
	st.handle = l
	if err := e.enqueue(command{kind: cmdAddLeg, leg: st}); err != nil {
		stream.Close()
		return nil, err
	}
	return l, nil
}

// Name returns the leg's name.
func (l *Leg) Name() string { return l.name }

// LocalAddr returns the RTP socket's address, for the SDP the phone sends.
// When bound to 0.0.0.0, the SIP layer puts its own address in c=. The
// leg's RTCP socket is bound on the port above (RFC 3550 §11), so SDP
// needs no a=rtcp.
func (l *Leg) LocalAddr() netip.AddrPort { return l.local }

// Apply sets what offer/answer agreed: codec and payload types, where to
// send, the direction, whether RTCP shares the RTP port, and SRTP. When
// s is Secure the leg protects all it sends with s.SendKey and drops
// what s.RecvKey does not authenticate (counted in LegStats.RTP.Rejected);
// a renegotiation with the same keys goes on with the same SRTP state.
// A session whose keys are unusable is not applied (ErrSRTP).
func (l *Leg) Apply(s sdpneg.Session) error {
	set := legSettings{set: setSession, sess: s}
	if s.Secure() {
		p, err := newSRTP(s)
		if err != nil {
			return fmt.Errorf("media: leg %s: %w", l.name, err)
		}
		set.srtp = p
	}
	return l.update(set)
}

// SetDirection changes only the direction (sendrecv, sendonly, recvonly,
// inactive), as a re-INVITE for hold does.
func (l *Leg) SetDirection(d sdpneg.Direction) error {
	return l.update(legSettings{set: setDirection, dir: d})
}

// SetMute stops (or restarts) sending the agent's microphone to this
// leg; silence is sent instead so the far end keeps its media timers.
func (l *Leg) SetMute(on bool) error {
	return l.update(legSettings{set: setMute, mute: on})
}

// PlayClip plays c to the far end, mixed with what the agent says (an
// announcement that the call is recorded); nil stops it. The clip runs at
// the engine's rate and must not allocate in Add.
func (l *Leg) PlayClip(c ClipPlayer) error {
	return l.e.enqueue(command{kind: cmdLegClip, leg: l.st, clip: c})
}

// SetHold holds the leg locally: the far end gets silence (music on hold
// later) and the agent stops hearing it. The SIP layer also re-INVITEs
// with sdpneg.SendOnly and Applies the answer.
func (l *Leg) SetHold(on bool) error {
	return l.update(legSettings{set: setHold, hold: on})
}

// SendDTMF queues a digit for duration (0: 100 ms): as RFC 4733 events if
// the session negotiated telephone-event, as an in-band tone pair
// otherwise.
func (l *Leg) SendDTMF(d dtmf.Digit, duration time.Duration) error {
	if !d.Valid() {
		return fmt.Errorf("media: leg %s: %w", l.name, dtmf.ErrDigit)
	}
	return l.update(legSettings{set: setDigit, digit: d, duration: duration})
}

// Remove takes the leg out of the engine and closes its socket at the
// next tick.
func (l *Leg) Remove() error {
	return l.e.enqueue(command{kind: cmdRemoveLeg, leg: l.st})
}

// Stats returns the leg's counters, as of the last tick.
func (l *Leg) Stats() LegStats {
	s := l.st
	return LegStats{
		RTP:       s.stream.Stats(),
		Played:    s.played.Load(),
		Lost:      s.lost.Load(),
		Concealed: s.concealed.Load(),
		Late:      s.late.Load(),
		Jitter:    time.Duration(s.jitter.Load()) * time.Second / rtpClock,
		Delay:     time.Duration(s.target.Load()) * FrameDuration,
	}
}

func (l *Leg) update(s legSettings) error {
	kind := cmdUpdateLeg
	if s.set == setDigit {
		kind = cmdDigit
	}
	if err := l.e.enqueue(command{kind: kind, leg: l.st, apply: s}); err != nil {
		return fmt.Errorf("media: leg %s: %w", l.name, err)
	}
	return nil
}

type settingMask uint8

const (
	setSession settingMask = 1 << iota
	setDirection
	setMute
	setHold
	setDigit
)

type legSettings struct {
	set      settingMask
	sess     sdpneg.Session
	srtp     *rtpio.SRTP // with setSession: nil for plain RTP
	dir      sdpneg.Direction
	mute     bool
	hold     bool
	digit    dtmf.Digit
	duration time.Duration
}

// legState is a leg as the engine's goroutine sees it. Only the atomic
// counters are read elsewhere.
type legState struct {
	name   string
	handle *Leg
	stream *rtpio.Stream
	jb     *jitter.Buffer
	plc    jitter.Concealer

	hasCodec     bool
	codec        legCodec
	pt           uint8
	teSend       uint8 // 0: no RFC 4733
	teRecv       uint8
	dir          sdpneg.Direction
	muted, held  bool
	closed       bool
	sendErrors   uint64
	recvErrors   uint64
	evSend       *dtmf.EventSender
	evRecv       dtmf.EventReceiver
	inband       *dtmf.Generator
	detector     *dtmf.Detector
	far          [MaxFrameSamples]int16 // decoded far end, at the engine's rate
	out          [MaxFrameSamples]int16 // what is sent, when not the mic alone
	clip         ClipPlayer             // played to the far end beside the agent (an announcement)
	clipMix      [MaxFrameSamples]int32
	clipOut      [MaxFrameSamples]int16
	payload      [MaxFrameSamples]byte
	wasReceiving bool
	heard        bool      // far was played this tick (not held, receiving)
	partner      *legState // the other leg of a conference
	rec          Recorder
	recFailed    bool // the RecordingFailed event was sent
	rtcp         legRTCP

	played, lost, concealed, late, jitter, target atomic.Uint64

	qmu sync.Mutex // guards q, written by the engine, read by Quality
	q   qualityState
}

func (s *legState) update(kind commandKind, a *legSettings) {
	switch a.set {
	case setSession:
		ss := a.sess
		s.codec.set(ss.Codec, s.handle.e.rate)
		s.hasCodec = s.codec.valid()
		s.pt = ss.PayloadType
		s.teSend, s.teRecv = ss.TelephoneEvent, ss.LocalTelephoneEvent
		s.dir = ss.Direction
		if ss.Remote.IsValid() {
			s.stream.SetRemote(ss.Remote)
		}
		s.stream.SetMux(ss.RTCPMux)
		s.stream.SetSRTP(a.srtp)
		s.qmu.Lock()
		s.q.codec = s.codec.codec
		s.q.srtp = ss.SRTP
		s.qmu.Unlock()
	case setDirection:
		s.dir = a.dir
	case setMute:
		s.muted = a.mute
	case setHold:
		s.held = a.hold
	case setDigit:
		var err error
		if s.teSend != 0 {
			err = s.evSend.Enqueue(a.digit, a.duration)
		} else {
			err = s.inband.Enqueue(a.digit, a.duration)
		}
		if err != nil {
			s.handle.e.log.Warn("media: DTMF not sent", "leg", s.name, "digit", a.digit.String(), "err", err)
		}
	}
}

// receive drains the socket into the jitter buffer and the event
// receiver.
func (s *legState) receive(e *Engine, arrival uint32) {
	receiving := s.hasCodec && s.dir.Receives()
	if receiving != s.wasReceiving {
		// Starting or stopping to listen (hold, resume): start afresh.
		s.jb.Reset()
		s.plc.Reset()
		s.detector.Reset()
		s.codec.resetReceive()
		s.wasReceiving = receiving
	}
	for {
		b, err := s.stream.ReceiveControl(e.rbuf[:])
		if err != nil {
			if s.recvErrors%500 == 0 {
				e.log.Warn("media: receive RTCP", "leg", s.name, "err", err)
			}
			s.recvErrors++
			break
		}
		if b == nil {
			break
		}
		s.receiveControl(e, b)
	}
	for {
		st, err := s.stream.Receive(e.rbuf[:], &e.pkt)
		if err != nil {
			if s.recvErrors%500 == 0 {
				e.log.Warn("media: receive", "leg", s.name, "err", err)
			}
			s.recvErrors++
			return
		}
		if st == rtpio.Nothing {
			return
		}
		if st == rtpio.Control {
			s.receiveControl(e, s.stream.ControlPacket())
			continue
		}
		if !receiving {
			continue // drained and dropped
		}
		if st == rtpio.NewSource {
			s.jb.Reset()
			s.plc.Reset()
			s.codec.resetReceive()
			s.evRecv.Reset()
			e.emit(Event{Kind: SourceChanged, Leg: s.handle})
		}
		s.rtcp.recv.update(e.pkt.SSRC, e.pkt.SequenceNumber)
		pt := e.pkt.PayloadType
		switch {
		case s.teRecv != 0 && (pt == s.teRecv || pt == s.teSend):
			d, ok, err := s.evRecv.Receive(e.pkt.Timestamp, e.pkt.Payload)
			if err == nil && ok {
				e.emit(Event{Kind: DigitReceived, Leg: s.handle, Digit: d})
			}
		case pt == s.pt || pt == jitter.PayloadTypeCN:
			s.jb.Push(&e.pkt, arrival)
		}
	}
}

// play takes one frame from the jitter buffer and adds it to mix
// (len(mix) is the engine's frame).
func (s *legState) play(mix []int32) {
	s.heard = false
	if !s.wasReceiving {
		return
	}
	far := s.far[:len(mix)]
	f := s.jb.Pop()
	switch f.Kind {
	case jitter.Voice:
		s.codec.decode(far, f.Payload)
		s.plc.Good(far)
	case jitter.Lost:
		s.plc.Conceal(far)
	default:
		clear(far)
	}
	if s.teRecv == 0 {
		if d, ok := s.detector.Block(far); ok {
			s.handle.e.emit(Event{Kind: DigitReceived, Leg: s.handle, Digit: d})
		}
	}
	if s.held {
		return
	}
	s.heard = true
	addInto(mix, far)
}

// send sends this frame: DTMF events, or the agent's side (or silence,
// or an in-band digit) encoded; hands the recorder its frame; and moves
// the RTP clock on.
func (s *legState) send(e *Engine) {
	defer s.stream.EndFrame(rtpFrame)
	agent := e.silent[:e.n]
	if !s.hasCodec || !s.dir.Sends() || !s.stream.Remote().IsValid() {
		s.record(e, agent)
		return
	}
	var err error
	if p, ok := s.evSend.Next(s.stream.Timestamp()); ok {
		agent = s.voice(e)
		err = s.stream.SendEvent(s.teSend, p.Timestamp, p.Marker, p.Payload[:])
	} else {
		if s.inband.Read(s.out[:e.n]) {
			agent = s.out[:e.n]
		} else {
			agent = s.withClip(e, s.voice(e))
		}
		n := s.codec.encode(s.payload[:], agent)
		err = s.stream.SendFrame(s.pt, s.payload[:n])
	}
	s.record(e, agent)
	if err != nil {
		if s.sendErrors%500 == 0 {
			e.log.Warn("media: send", "leg", s.name, "err", err, "count", s.sendErrors+1)
		}
		s.sendErrors++
	}
}

// withClip mixes the leg's clip, if any, into v (what goes to the far
// end); a clip that has played to its end is dropped.
func (s *legState) withClip(e *Engine, v []int16) []int16 {
	if s.clip == nil || s.held {
		return v
	}
	n := e.n
	mix := s.clipMix[:n]
	for i := range mix {
		mix[i] = int32(v[i])
	}
	if !s.clip.Add(mix) {
		s.clip = nil
	}
	out := s.clipOut[:n]
	osc.Saturate(out, mix)
	return out
}

// voice returns what the agent's side says to this leg this frame:
// silence while held; otherwise the microphone (unless muted), the
// supervisor when barging, and the conference partner as the agent hears
// it. One source is returned as is; several are mixed into s.out.
func (s *legState) voice(e *Engine) []int16 {
	n := e.n
	if s.held {
		return e.silent[:n]
	}
	var srcs [3][]int16
	k := 0
	if !s.muted {
		srcs[k] = e.mic[:n]
		k++
	}
	if e.monitor == MonitorBarge {
		srcs[k] = e.sup[:n]
		k++
	}
	if p := s.partner; p != nil && p.heard {
		srcs[k] = p.far[:n]
		k++
	}
	switch k {
	case 0:
		return e.silent[:n]
	case 1:
		return srcs[0]
	}
	out := s.out[:n]
	for i := range out {
		v := int32(srcs[0][i]) + int32(srcs[1][i])
		if k == 3 {
			v += int32(srcs[2][i])
		}
		out[i] = osc.Sat16(v)
	}
	return out
}

// publish copies the jitter buffer's counters where Stats can read them.
func (s *legState) publish() {
	j := s.jb.Stats()
	s.played.Store(j.Played)
	s.lost.Store(j.Lost)
	s.concealed.Store(j.Concealed)
	s.late.Store(j.Late)
	s.jitter.Store(uint64(j.Jitter))
	s.target.Store(uint64(j.Target))
}

func (s *legState) close() {
	if s.closed {
		return
	}
	s.closed = true
	s.stream.Close()
}
