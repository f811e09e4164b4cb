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
	// RTCP also binds the odd port above the RTP port for RTCP (RFC 3550
	// §11); Listen then takes only even ports whose neighbour is free.
	RTCP bool
}

// Status says what Receive got.
type Status uint8

// Receive results.
const (
	Nothing   Status = iota // no packet waits
	Packet                  // a packet of the current source
	NewSource               // the first packet of a new source: reset what depends on the old one
	Control                 // with SetMux: an RTCP datagram on the RTP port, see ControlPacket
)

var statusNames = [...]string{"nothing", "packet", "new source", "control"}

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
	// RTCP datagrams sent and received, on either port.
	ControlSent, ControlReceived uint64
	// Rejected counts datagrams dropped by SRTP (see SetSRTP): RTP or
	// RTCP that failed authentication, was replayed or was malformed.
	Rejected uint64
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

	// RTCP: its own socket on the port above, or the RTP one with mux
	ctl        udpSocket
	hasCtl     bool
	mux        bool
	ctlRemote  netip.AddrPort // where RTCP goes without mux; see SetRemote
	ctlLatched bool
	ctlIn      []byte // the datagram Receive last returned as Control

	srtp *srtpState // nil: plain RTP; see SetSRTP

	sent, received, sentBytes, ignored, ctlSent, ctlReceived, rejected atomic.Uint64
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
	if err := s.bind(addr.Unmap(), cfg.Ports, cfg.RTCP); err != nil {
		return nil, err
	}
	s.local = s.sock.localAddr()
	return s, nil
}

// kernelPortTries is how often bind asks the kernel for a port before it
// gives up finding an even one with its odd neighbour free.
const kernelPortTries = 64

func (s *Stream) bind(addr netip.Addr, r PortRange, rtcp bool) error {
	if r.Min == 0 && r.Max == 0 {
		var last error
		for range kernelPortTries {
			if err := s.sock.listen(netip.AddrPortFrom(addr, 0)); err != nil {
				return fmt.Errorf("%w: %w", ErrNoPort, err)
			}
			if !rtcp {
				return nil
			}
			p := s.sock.localAddr().Port()
			if p%2 == 0 {
				if last = s.listenControl(addr, p); last == nil {
					return nil
				}
			}
			s.sock.close()
		}
		return fmt.Errorf("%w: no even port with a free RTCP port on %v: %v", ErrNoPort, addr, last)
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
		if err == nil && rtcp {
			if err = s.listenControl(addr, uint16(port)); err != nil {
				s.sock.close()
			}
		}
		if err == nil {
			return nil
		}
		last = err
	}
	return fmt.Errorf("%w in %d-%d on %v: %w", ErrNoPort, r.Min, r.Max, addr, last)
}

// listenControl binds the RTCP socket on the port above rtpPort.
func (s *Stream) listenControl(addr netip.Addr, rtpPort uint16) error {
	if err := s.ctl.listen(netip.AddrPortFrom(addr, rtpPort+1)); err != nil {
		return err
	}
	s.hasCtl = true
	return nil
}

// LocalAddr returns the bound address and port, for SDP.
func (s *Stream) LocalAddr() netip.AddrPort { return s.local }

// SSRC returns the SSRC the stream sends with.
func (s *Stream) SSRC() uint32 { return s.ssrc }

// SetRemote sets where to send, normally from the remote SDP. With
// Symmetric it is a first guess until the remote's first packet arrives.
// RTCP goes to the port above a (RFC 3550 §11) unless SetMux is on, and,
// with Symmetric, to where the remote's RTCP comes from once it came.
func (s *Stream) SetRemote(a netip.AddrPort) {
	s.remote, s.latched = netip.AddrPortFrom(a.Addr().Unmap(), a.Port()), false
	s.ctlRemote, s.ctlLatched = netip.AddrPortFrom(s.remote.Addr(), s.remote.Port()+1), false
}

// SetMux multiplexes RTCP on the RTP port (RFC 5761, a=rtcp-mux): it
// goes to Remote, and Receive returns arriving RTCP as Control.
func (s *Stream) SetMux(on bool) { s.mux = on }

// SendControl sends one RTCP datagram (a compound packet): on the RTP
// socket with SetMux, else from the RTCP socket to the port above the
// remote. It fails with ErrNoRemote when there is nowhere to send, and
// without mux when the stream has no RTCP socket (Config.RTCP).
func (s *Stream) SendControl(b []byte) error {
	sock, to := &s.sock, s.remote
	if !s.mux {
		if !s.hasCtl {
			return ErrNoControl
		}
		sock, to = &s.ctl, s.ctlRemote
	}
	if !to.IsValid() || s.remote.Port() == 0 {
		return ErrNoRemote
	}
	if s.srtp != nil {
		var err error
		if b, err = s.protectControl(b); err != nil {
			return err
		}
	}
	if err := sock.sendTo(b, to); err != nil {
		if errors.Is(err, ErrClosed) {
			return ErrClosed
		}
		return fmt.Errorf("rtpio: send RTCP to %v: %w", to, err)
	}
	s.ctlSent.Add(1)
	return nil
}

// ReceiveControl reads the next datagram waiting on the RTCP socket into
// buf (at least MaxPacket bytes) without blocking, and returns it; nil
// when none waits or the stream has no RTCP socket. The datagram is not
// checked beyond its first byte (version 2): that is the parser's job.
// With SetMux, RTCP comes through Receive instead (a far end that still
// sends to the port above is heard here as well).
func (s *Stream) ReceiveControl(buf []byte) ([]byte, error) {
	if !s.hasCtl {
		return nil, nil
	}
	for {
		n, from, err := s.ctl.recvFrom(buf)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return nil, ErrClosed
			}
			return nil, fmt.Errorf("rtpio: receive RTCP on %v: %w", s.local, err)
		}
		if n < 0 {
			return nil, nil
		}
		if n < 8 || buf[0]>>6 != 2 {
			s.ignored.Add(1)
			continue
		}
		b := buf[:n]
		if s.srtp != nil {
			var ok bool
			if b, ok = s.unprotectControl(b); !ok {
				continue
			}
		}
		if s.symmetric && !s.ctlLatched {
			s.ctlRemote, s.ctlLatched = netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), true
		}
		s.ctlReceived.Add(1)
		return b, nil
	}
}

// ControlPacket returns the RTCP datagram for which Receive last
// returned Control. It points into Receive's buf.
func (s *Stream) ControlPacket() []byte { return s.ctlIn }

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
	room := s.out[:]
	if s.srtp != nil {
		room = s.out[:MaxPacket-srtpMaxOverhead]
	}
	n, err := rtp.MarshalPacketTo(room, &s.hdr, payload)
	if err != nil {
		return fmt.Errorf("%w: %d bytes: %w", ErrPayload, len(payload), err)
	}
	s.hdr.SequenceNumber++
	s.sentThisFrame = true
	b := s.out[:n]
	if s.srtp != nil {
		if b, err = s.protect(n); err != nil {
			return err
		}
	}
	if err := s.sock.sendTo(b, s.remote); err != nil {
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
		if s.mux && n >= 8 && buf[0]>>6 == 2 && buf[1] >= 200 && buf[1] <= 204 {
			b := buf[:n]
			if s.srtp != nil {
				var ok bool
				if b, ok = s.unprotectControl(b); !ok {
					continue
				}
			}
			s.ctlIn = b
			s.ctlReceived.Add(1)
			return Control, nil
		}
		if n < 12 || buf[0]>>6 != 2 || (buf[1] >= 200 && buf[1] <= 204) {
			s.ignored.Add(1)
			continue
		}
		b := buf[:n]
		if s.srtp != nil {
			var ok bool
			if b, ok = s.unprotect(b); !ok {
				continue
			}
		}
		if pkt.Unmarshal(b) != nil {
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
	return Stats{Sent: s.sent.Load(), Received: s.received.Load(), SentBytes: s.sentBytes.Load(), Ignored: s.ignored.Load(),
		ControlSent: s.ctlSent.Load(), ControlReceived: s.ctlReceived.Load(), Rejected: s.rejected.Load()}
}

// Close closes the socket. Later sends and receives fail with ErrClosed.
// Like sending and receiving, it belongs to the stream's goroutine.
func (s *Stream) Close() error {
	err := s.sock.close()
	if s.hasCtl {
		s.hasCtl = false
		if cerr := s.ctl.close(); err == nil {
			err = cerr
		}
	}
	return err
}
