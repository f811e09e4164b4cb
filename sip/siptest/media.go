// Package siptest holds test helpers for the sip package: a Media whose
// legs bind real UDP sockets on loopback and send and count RTP, so
// call tests can check that audio flows both ways before the media
// engine exists.
package siptest

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"ccphone/media/sdpneg"
	"ccphone/sip"
)

// Media is a sip.Media for tests. Every leg binds a UDP socket on
// 127.0.0.1, sends one silent G.711 packet every 20 ms to the
// negotiated remote while the direction allows, and counts what
// arrives. Safe for concurrent use.
type Media struct {
	// Codecs the legs offer; nil means PCMU, PCMA.
	Codecs []sdpneg.Codec

	mu   sync.Mutex
	legs map[sip.CallID]*Leg
	all  []*Leg
}

var _ sip.Media = (*Media)(nil)

// NewLeg binds a socket for call id.
func (m *Media) NewLeg(id sip.CallID) (sip.MediaLeg, error) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	l := &Leg{ID: id, conn: c, codecs: m.Codecs, done: make(chan struct{})}
	l.wg.Go(l.receive)
	m.mu.Lock()
	if m.legs == nil {
		m.legs = map[sip.CallID]*Leg{}
	}
	m.legs[id] = l
	m.all = append(m.all, l)
	m.mu.Unlock()
	return l, nil
}

// Leg returns the leg of call id, or nil.
func (m *Media) Leg(id sip.CallID) *Leg {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.legs[id]
}

// Open returns how many legs are not closed.
func (m *Media) Open() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, l := range m.all {
		if !l.closed.Load() {
			n++
		}
	}
	return n
}

// Leg is one test media leg.
type Leg struct {
	ID     sip.CallID
	conn   *net.UDPConn
	codecs []sdpneg.Codec

	received atomic.Int64
	sent     atomic.Int64
	closed   atomic.Bool

	mu      sync.Mutex
	session sdpneg.Session
	started bool
	updates int
	dtmf    []byte

	done chan struct{}
	wg   sync.WaitGroup
}

// Local describes the socket.
func (l *Leg) Local() sdpneg.Local {
	ap := l.conn.LocalAddr().(*net.UDPAddr).AddrPort()
	return sdpneg.Local{Addr: ap.Addr().Unmap(), Port: int(ap.Port()), Codecs: l.codecs}
}

// Start begins sending to s.Remote.
func (l *Leg) Start(s sdpneg.Session) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started {
		return errors.New("siptest: started twice")
	}
	l.started, l.session = true, s
	l.wg.Go(l.send)
	return nil
}

// Update replaces the session (hold, resume).
func (l *Leg) Update(s sdpneg.Session) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.session = s
	l.updates++
	return nil
}

// SendDTMF records the digit (RFC 4733 is the engine's job).
func (l *Leg) SendDTMF(d byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dtmf = append(l.dtmf, d)
	return nil
}

// Close stops the goroutines and closes the socket.
func (l *Leg) Close() error {
	if l.closed.Swap(true) {
		return errors.New("siptest: closed twice")
	}
	close(l.done)
	err := l.conn.Close()
	l.wg.Wait()
	return err
}

// Session returns the current session and how many Updates there were.
func (l *Leg) Session() (sdpneg.Session, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.session, l.updates
}

// Started reports whether Start was called.
func (l *Leg) Started() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.started
}

// DTMF returns the digits given to SendDTMF.
func (l *Leg) DTMF() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.dtmf)
}

// Received returns how many RTP packets arrived.
func (l *Leg) Received() int64 { return l.received.Load() }

// Sent returns how many RTP packets were sent.
func (l *Leg) Sent() int64 { return l.sent.Load() }

// Closed reports whether Close was called.
func (l *Leg) Closed() bool { return l.closed.Load() }

// Addr returns the leg's RTP address.
func (l *Leg) Addr() netip.AddrPort { return l.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (l *Leg) receive() {
	buf := make([]byte, 1500)
	var p rtp.Packet
	for {
		n, _, err := l.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if p.Unmarshal(buf[:n]) == nil {
			l.received.Add(1)
		}
	}
}

func (l *Leg) send() {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	p := rtp.Packet{Header: rtp.Header{Version: 2, SSRC: uint32(l.ID) + 0x1000}, Payload: make([]byte, 160)}
	buf := make([]byte, 12+160)
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
		}
		l.mu.Lock()
		s := l.session
		l.mu.Unlock()
		if !s.Direction.Sends() || !s.Remote.IsValid() {
			continue
		}
		fill := byte(0xff)
		if s.Codec == sdpneg.PCMA {
			fill = 0xd5
		}
		for i := range p.Payload {
			p.Payload[i] = fill
		}
		p.PayloadType = s.PayloadType
		p.SequenceNumber++
		p.Timestamp += 160
		n, err := p.MarshalTo(buf)
		if err != nil {
			continue
		}
		if _, err := l.conn.WriteToUDPAddrPort(buf[:n], s.Remote); err == nil {
			l.sent.Add(1)
		}
	}
}
