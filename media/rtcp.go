package media

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"time"
)

// DefaultRTCPEvery is how many ticks apart a leg sends its RTCP reports
// when Options.RTCPEvery is zero: 250 frames, 5 s, RFC 3550's minimum.
const DefaultRTCPEvery = 250

// RTCP packet types and the SDES item the engine uses (RFC 3550 §12).
const (
	rtcpSR    = 200
	rtcpRR    = 201
	rtcpSDES  = 202
	sdesCNAME = 1
)

// rtcpOutSize holds the largest compound packet a leg sends: an SR with
// one report block (52 bytes) and an SDES chunk with a CNAME (at most
// 4+4+2+255+1, padded).
const rtcpOutSize = 52 + 268

// halfFrameNTP is 10 ms in NTP units (1/2^32 s). An RTCP packet is
// drained at the tick after it arrived, 0..20 ms late; it is taken to
// have come half a frame before that tick, which is right on average and
// keeps the round-trip time unbiased (measured to the tick either way).
const halfFrameNTP = uint64(FrameDuration/2) << 32 / uint64(time.Second)

// ntpEpochOffset is the seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// toNTP returns t as a 64-bit NTP timestamp (32.32 seconds since 1900).
func toNTP(t time.Time) uint64 {
	return uint64(t.Unix()+ntpEpochOffset)<<32 | uint64(t.Nanosecond())<<32/uint64(time.Second)
}

// durationNTP returns d in NTP units.
func durationNTP(d time.Duration) uint64 {
	s, ns := uint64(d/time.Second), uint64(d%time.Second)
	return s<<32 + ns<<32/uint64(time.Second)
}

// ntpMiddle returns the middle 32 bits of an NTP timestamp, the 16.16
// format of LSR and DLSR.
func ntpMiddle(t uint64) uint32 { return uint32(t >> 16) }

// newCNAME returns a random CNAME, as RFC 7022 recommends for phones
// with no stable name to give: 96 random bits in base64.
func newCNAME() string {
	var b [12]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// receiverStats follows the sequence numbers of the source a leg
// listens to, for the report block (RFC 3550 appendix A.1 and A.3).
type receiverStats struct {
	valid         bool
	ssrc          uint32
	baseSeq       uint32
	maxSeq        uint16
	cycles        uint32 // sequence wraps × 65536
	badSeq        uint32 // the sequence that would confirm a jump; > 0xFFFF when none
	received      uint32
	expectedPrior uint32
	receivedPrior uint32
}

// The limits of RFC 3550 appendix A.1.
const (
	maxDropout  = 3000
	maxMisorder = 100
)

func (r *receiverStats) start(ssrc uint32, seq uint16) {
	*r = receiverStats{valid: true, ssrc: ssrc, baseSeq: uint32(seq), maxSeq: seq, badSeq: 1 << 16, received: 1}
}

// update counts a packet of ssrc with sequence number seq.
func (r *receiverStats) update(ssrc uint32, seq uint16) {
	if !r.valid || ssrc != r.ssrc {
		r.start(ssrc, seq)
		return
	}
	switch delta := seq - r.maxSeq; {
	case delta < maxDropout:
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	case delta <= 1<<16-maxMisorder:
		// A big jump: restart if the next packet follows it.
		if uint32(seq) != r.badSeq {
			r.badSeq = uint32(seq+1) & 0xFFFF
			return
		}
		r.start(ssrc, seq)
		return
	}
	// else a duplicate or reordered packet: counted, as RFC 3550 does
	r.received++
}

func (r *receiverStats) extendedMax() uint32 { return r.cycles + uint32(r.maxSeq) }

// interval returns the report block's fraction lost (of 256) and
// cumulative lost (24-bit signed, clamped) and starts the next interval.
func (r *receiverStats) interval() (fraction uint8, lost int32) {
	expected := r.extendedMax() - r.baseSeq + 1
	cum := int64(expected) - int64(r.received)
	lost = int32(min(max(cum, -0x800000), 0x7FFFFF))
	expInt := expected - r.expectedPrior
	recvInt := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received
	if lostInt := int64(expInt) - int64(recvInt); expInt != 0 && lostInt > 0 {
		fraction = uint8(min(lostInt<<8/int64(expInt), 255))
	}
	return fraction, lost
}

// legRTCP is a leg's RTCP state, owned by the engine's goroutine.
type legRTCP struct {
	cname    string
	next     uint64 // tick of the next report
	recv     receiverStats
	lastSent uint64 // RTP packets sent at the last report
	// The far end's last SR: the middle of its NTP timestamp, and when it
	// came in our NTP time; lsr 0 means none yet.
	lsr   uint32
	lsrAt uint64
	out   [rtcpOutSize]byte
	errs  uint64
}

// report sends the leg's RTCP compound packet when its time has come:
// an SR if the leg sent RTP since the last one, else an RR; one report
// block about the source it listens to, if any; and SDES CNAME.
func (s *legState) report(e *Engine) {
	r := &s.rtcp
	if e.rtcpEvery == 0 || e.tick < r.next {
		return
	}
	// RFC 3550 §6.3.1: 0.5 to 1.5 times the interval, so that phones do
	// not fall into step.
	r.next = e.tick + e.rtcpEvery/2 + rand.Uint64N(e.rtcpEvery+1)
	if !s.hasCodec || !s.stream.Remote().IsValid() {
		return
	}
	n := s.marshalReport(e)
	if err := s.stream.SendControl(r.out[:n]); err != nil {
		if r.errs%100 == 0 {
			e.log.Warn("media: send RTCP", "leg", s.name, "err", err, "count", r.errs+1)
		}
		r.errs++
	}
}

// marshalReport writes the compound packet into s.rtcp.out and returns
// its length.
func (s *legState) marshalReport(e *Engine) int {
	r := &s.rtcp
	b := r.out[:]
	be := binary.BigEndian
	st := s.stream.Stats()
	blocks := 0
	if r.recv.valid {
		blocks = 1
	}
	var n int
	if st.Sent != r.lastSent {
		// SR: header, SSRC, NTP, RTP timestamp, packet and octet counts.
		r.lastSent = st.Sent
		b[0], b[1] = 0x80|byte(blocks), rtcpSR
		be.PutUint16(b[2:], uint16(6+6*blocks))
		be.PutUint32(b[4:], s.stream.SSRC())
		be.PutUint64(b[8:], e.now)
		// The frame just sent (EndFrame has moved the clock on) is the
		// one of this tick's NTP time.
		be.PutUint32(b[16:], s.stream.Timestamp()-rtpFrame)
		be.PutUint32(b[20:], uint32(st.Sent))
		be.PutUint32(b[24:], uint32(st.SentBytes))
		n = 28
	} else {
		b[0], b[1] = 0x80|byte(blocks), rtcpRR
		be.PutUint16(b[2:], uint16(1+6*blocks))
		be.PutUint32(b[4:], s.stream.SSRC())
		n = 8
	}
	if blocks == 1 {
		n += s.marshalBlock(e, b[n:])
	}
	return n + s.marshalSDES(b[n:])
}

// marshalBlock writes the report block about the source listened to.
func (s *legState) marshalBlock(e *Engine, b []byte) int {
	r := &s.rtcp
	be := binary.BigEndian
	fraction, lost := r.recv.interval()
	be.PutUint32(b[0:], r.recv.ssrc)
	be.PutUint32(b[4:], uint32(lost)&0xFFFFFF)
	b[4] = fraction
	be.PutUint32(b[8:], r.recv.extendedMax())
	be.PutUint32(b[12:], s.jb.Stats().Jitter)
	var dlsr uint32
	if r.lsr != 0 {
		dlsr = uint32((e.now - r.lsrAt) >> 16)
	}
	be.PutUint32(b[16:], r.lsr)
	be.PutUint32(b[20:], dlsr)
	s.qmu.Lock()
	s.q.loss = float64(fraction) * 100 / 256
	s.q.lost = int64(lost)
	s.qmu.Unlock()
	return 24
}

// marshalSDES writes an SDES packet with one chunk: our SSRC and CNAME.
func (s *legState) marshalSDES(b []byte) int {
	cname := s.rtcp.cname
	n := 8 + 2 + len(cname) + 1 // header, SSRC, type and length, text, end
	n = (n + 3) &^ 3
	clear(b[:n])
	b[0], b[1] = 0x81, rtcpSDES
	binary.BigEndian.PutUint16(b[2:], uint16(n/4-1))
	binary.BigEndian.PutUint32(b[4:], s.stream.SSRC())
	b[8], b[9] = sdesCNAME, byte(len(cname))
	copy(b[10:], cname)
	return n
}

// receiveControl reads one RTCP compound packet b (SR, RR; others are
// skipped) without allocating: the far end's SR time, for our LSR and
// DLSR, and its report block about our stream, for the far end's view
// and the round-trip time (RFC 3550 §6.4.1).
func (s *legState) receiveControl(e *Engine, b []byte) {
	r := &s.rtcp
	be := binary.BigEndian
	arrival := e.now - halfFrameNTP
	for len(b) >= 4 && b[0]>>6 == 2 {
		count := int(b[0] & 0x1F)
		n := (int(be.Uint16(b[2:])) + 1) * 4
		if n > len(b) {
			return
		}
		p := b[:n]
		b = b[n:]
		var blocks []byte
		switch p[1] {
		case rtcpSR:
			if len(p) < 28 {
				continue
			}
			if sender := be.Uint32(p[4:]); !r.recv.valid || sender == r.recv.ssrc {
				r.lsr, r.lsrAt = ntpMiddle(be.Uint64(p[8:])), arrival
			}
			blocks = p[28:]
		case rtcpRR:
			if len(p) < 8 {
				continue
			}
			blocks = p[8:]
		default:
			continue
		}
		for ; count > 0 && len(blocks) >= 24; count-- {
			if be.Uint32(blocks) == s.stream.SSRC() {
				s.farReport(arrival, blocks[:24])
			}
			blocks = blocks[24:]
		}
	}
}

// farReport takes in the far end's report block about our stream.
func (s *legState) farReport(arrival uint64, blk []byte) {
	be := binary.BigEndian
	lost := int32(be.Uint32(blk[4:])<<8) >> 8
	jitter := be.Uint32(blk[12:])
	lsr, dlsr := be.Uint32(blk[16:]), be.Uint32(blk[20:])
	s.qmu.Lock()
	defer s.qmu.Unlock()
	q := &s.q
	q.farReported = true
	q.farLoss = float64(blk[4]) * 100 / 256
	q.farLost = int64(lost)
	q.farJitter = time.Duration(jitter) * time.Second / rtpClock
	if lsr != 0 {
		// RTT = A - LSR - DLSR, in 1/65536 s; a negative one is bogus.
		if rtt := int32(ntpMiddle(arrival) - lsr - dlsr); rtt >= 0 {
			q.rtt = time.Duration(rtt) * time.Second >> 16
		}
	}
}
