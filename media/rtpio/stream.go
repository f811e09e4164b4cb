package rtpio

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync/atomic"

	"github.com/pion/rtp"
)

// PortRange is the inclusive range of local UDP ports for RTP
// (rtp.port_min..rtp.port_max). Only even ports carry RTP; the odd port
// above each is left for RTCP. The zero range lets the kernel choose.
type PortRange struct {
	Min, Max int
}

// Config configures a Stream.
type Config struct {
	Addr  netip.Addr // local address to bind: 0.0.0.0, :: or one interface
	Ports PortRange
	// Symmetric sends to the address the remote's packets come from
	// rather than the one its SDP gave.
	Symmetric bool
	// SSRC to send with; 0 picks one at random.
	SSRC uint32
	// NewSourceAfter is how many packets in sequence from another source
	// switch to it; 0 means 3.
	NewSourceAfter int
}

// Status says what Receive got.
type Status uint8

// Receive results.
const (
	Nothing   Status = iota // no packet waits
	Packet                  // a packet of the current source
	NewSource               // the first packet of a new source: reset what depends on the old one
)

var statusNames = [...]string{"nothing", "packet", "new source"}

// String returns the status name.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Stats counts a stream's packets. Safe to read from any goroutine.
type Stats struct {
	Sent, Received uint64 // RTP packets
	SentBytes      uint64 // RTP payload bytes sent
	Ignored        uint64 // datagrams dropped: not RTP, foreign source
}

// MaxPacket is the largest datagram a Stream sends or receives.
const MaxPacket = 1500

// Stream is one RTP stream. See the package doc for its concurrency rules.
type Stream struct {
	sock  udpSocket
	local netip.AddrPort

	remote    netip.AddrPort
	symmetric bool
	latched   bool

	// sending
	ssrc          uint32
	hdr           rtp.Header
	ts            uint32
	sentThisFrame bool
	sentLastFrame bool
	out           [MaxPacket]byte

	// receiving
	newSourceAfter int
	haveSource     bool
	source         uint32
	candidate      uint32
	candidateFrom  netip.AddrPort
	candidateSeq   uint16
	candidateCount int

	sent, received, sentBytes, ignored atomic.Uint64
}

// Listen binds a stream's socket on cfg.Addr at the first free even port
// of cfg.Ports, starting from a random one.
func Listen(cfg Config) (*Stream, error) {
	addr := cfg.Addr
	if !addr.IsValid() {
		addr = netip.IPv4Unspecified()
	}
	s := &Stream{
		symmetric:      cfg.Symmetric,
		ssrc:           cfg.SSRC,
		newSourceAfter: cfg.NewSourceAfter,
	}
	if s.ssrc == 0 {
		s.ssrc = rand.Uint32() | 1
	}
	if s.newSourceAfter <= 0 {
		s.newSourceAfter = 3
	}
	s.hdr = rtp.Header{Version: 2, SSRC: s.ssrc, SequenceNumber: uint16(rand.Uint32())}
	s.ts = rand.Uint32()
	if err := s.bind(addr.Unmap(), cfg.Ports); err != nil {
		return nil, err
	}
	s.local = s.sock.localAddr()
	return s, nil
}

func (s *Stream) bind(addr netip.Addr, r PortRange) error {
	if r.Min == 0 && r.Max == 0 {
		if err := s.sock.listen(netip.AddrPortFrom(addr, 0)); err != nil {
			return fmt.Errorf("%w: %w", ErrNoPort, err)
		}
		return nil
	}
	lo, hi := (r.Min+1)&^1, r.Max
	if lo <= 0 || hi > 65535 || lo > hi {
		return fmt.Errorf("%w: range %d-%d has no even port", ErrNoPort, r.Min, r.Max)
	}
	n := (hi-lo)/2 + 1
	start := rand.IntN(n)
	var last error
	for i := range n {
		port := lo + 2*((start+i)%n)
		err := s.sock.listen(netip.AddrPortFrom(addr, uint16(port)))
		if err == nil {
			return nil
		}
		last = err
	}
	return fmt.Errorf("%w in %d-%d on %v: %w", ErrNoPort, r.Min, r.Max, addr, last)
}

// LocalAddr returns the bound address and port, for SDP.
func (s *Stream) LocalAddr() netip.AddrPort { return s.local }

// SSRC returns the SSRC the stream sends with.
func (s *Stream) SSRC() uint32 { return s.ssrc }

// SetRemote sets where to send, normally from the remote SDP. With
// Symmetric it is a first guess until the remote's first packet arrives.
func (s *Stream) SetRemote(a netip.AddrPort) {
	s.remote, s.latched = netip.AddrPortFrom(a.Addr().Unmap(), a.Port()), false
}

// Remote returns where the stream sends.
func (s *Stream) Remote() netip.AddrPort { return s.remote }

// Timestamp returns the RTP timestamp of the current frame.
func (s *Stream) Timestamp() uint32 { return s.ts }

// SendFrame sends one frame of audio with payload type pt at the current
// timestamp. The marker bit is set on the first frame of a talkspurt:
// when the previous frame sent nothing.
func (s *Stream) SendFrame(pt uint8, payload []byte) error {
	return s.send(pt, s.ts, !s.sentLastFrame, payload)
}

// SendEvent sends a packet with an explicit timestamp and marker, as
// RFC 4733 events need.
func (s *Stream) SendEvent(pt uint8, ts uint32, marker bool, payload []byte) error {
	return s.send(pt, ts, marker, payload)
}

func (s *Stream) send(pt uint8, ts uint32, marker bool, payload []byte) error {
	if !s.remote.IsValid() || s.remote.Port() == 0 {
		return ErrNoRemote
	}
	s.hdr.PayloadType, s.hdr.Timestamp, s.hdr.Marker = pt&0x7F, ts, marker
	n, err := rtp.MarshalPacketTo(s.out[:], &s.hdr, payload)
	if err != nil {
		return fmt.Errorf("%w: %d bytes: %w", ErrPayload, len(payload), err)
	}
	s.hdr.SequenceNumber++
	s.sentThisFrame = true
	if err := s.sock.sendTo(s.out[:n], s.remote); err != nil {
		if errors.Is(err, ErrClosed) {
			return ErrClosed
		}
		return fmt.Errorf("rtpio: send to %v: %w", s.remote, err)
	}
	s.sent.Add(1)
	s.sentBytes.Add(uint64(len(payload)))
	return nil
}

// EndFrame closes the current frame: the timestamp moves on by samples,
// whether or not anything was sent, so that it keeps counting real time
// across silence and hold while the sequence number counts packets.
func (s *Stream) EndFrame(samples uint32) {
	s.ts += samples
	s.sentLastFrame, s.sentThisFrame = s.sentThisFrame, false
}

// Receive reads the next packet of the current source into pkt, with
// buf (at least MaxPacket bytes) holding the datagram, without blocking.
// It skips datagrams that are not RTP or not from the source listened to.
func (s *Stream) Receive(buf []byte, pkt *rtp.Packet) (Status, error) {
	for {
		n, from, err := s.sock.recvFrom(buf)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return Nothing, ErrClosed
			}
			return Nothing, fmt.Errorf("rtpio: receive on %v: %w", s.local, err)
		}
		if n < 0 {
			return Nothing, nil
		}
		// RTP version 2, and not RTCP sharing the port (PT 72-76 + M).
		if n < 12 || buf[0]>>6 != 2 || (buf[1] >= 200 && buf[1] <= 204) || pkt.Unmarshal(buf[:n]) != nil {
			s.ignored.Add(1)
			continue
		}
		if st := s.accept(pkt, from); st != Nothing {
			s.received.Add(1)
			return st, nil
		}
		s.ignored.Add(1)
	}
}

// accept decides whether a packet is from the source listened to.
func (s *Stream) accept(pkt *rtp.Packet, from netip.AddrPort) Status {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if !s.haveSource {
		s.switchTo(pkt.SSRC, from)
		return NewSource
	}
	if pkt.SSRC == s.source && (!s.symmetric || !s.latched || from == s.remote) {
		if s.symmetric && !s.latched {
			s.remote, s.latched = from, true
		}
		return Packet
	}
	if s.candidateCount > 0 && pkt.SSRC == s.candidate && from == s.candidateFrom && pkt.SequenceNumber == s.candidateSeq+1 {
		s.candidateCount++
	} else {
		s.candidate, s.candidateFrom, s.candidateCount = pkt.SSRC, from, 1
	}
	s.candidateSeq = pkt.SequenceNumber
	if s.candidateCount >= s.newSourceAfter {
		s.switchTo(pkt.SSRC, from)
		return NewSource
	}
	return Nothing
}

func (s *Stream) switchTo(ssrc uint32, from netip.AddrPort) {
	s.haveSource, s.source, s.candidateCount = true, ssrc, 0
	if s.symmetric {
		s.remote, s.latched = from, true
	}
}

// Stats returns the stream's counters.
func (s *Stream) Stats() Stats {
	return Stats{Sent: s.sent.Load(), Received: s.received.Load(), SentBytes: s.sentBytes.Load(), Ignored: s.ignored.Load()}
}

// Close closes the socket. Later sends and receives fail with ErrClosed.
// Like sending and receiving, it belongs to the stream's goroutine.
func (s *Stream) Close() error {
	return s.sock.close()
}
