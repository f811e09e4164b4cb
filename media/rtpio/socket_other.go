//go:build !linux

package rtpio

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"time"
)

// udpSocket wraps a net.UDPConn where the phone does not run (developers'
// machines): reads use a deadline a microsecond ahead, which arms a
// runtime timer per empty read. socket_linux.go is the real one.
type udpSocket struct {
	conn *net.UDPConn
}

func (s *udpSocket) listen(ap netip.AddrPort) error {
	network := "udp6"
	if ap.Addr().Is4() {
		network = "udp4"
	}
	c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(ap))
	if err != nil {
		return err
	}
	s.conn = c
	return nil
}

func (s *udpSocket) localAddr() netip.AddrPort {
	return s.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

func (s *udpSocket) sendTo(b []byte, to netip.AddrPort) error {
	_, err := s.conn.WriteToUDPAddrPort(b, to)
	if errors.Is(err, net.ErrClosed) {
		return ErrClosed
	}
	return err
}

func (s *udpSocket) recvFrom(b []byte) (int, netip.AddrPort, error) {
	if err := s.conn.SetReadDeadline(time.Now().Add(time.Microsecond)); err != nil {
		if errors.Is(err, net.ErrClosed) {
			return 0, netip.AddrPort{}, ErrClosed
		}
		return 0, netip.AddrPort{}, err
	}
	n, from, err := s.conn.ReadFromUDPAddrPort(b)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return -1, netip.AddrPort{}, nil
	case errors.Is(err, net.ErrClosed):
		return 0, netip.AddrPort{}, ErrClosed
	}
	return n, from, err
}

func (s *udpSocket) close() error { return s.conn.Close() }
