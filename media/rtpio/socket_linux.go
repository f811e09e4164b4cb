//go:build linux

package rtpio

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"syscall"
	"unsafe"
)

// udpSocket is a non-blocking UDP socket used with plain system calls.
// It is deliberately kept out of the Go runtime's network poller: a socket
// registered there makes every arriving datagram wake a thread blocked in
// epoll_wait, although nobody waits for it, since the engine drains the
// socket on its own tick. Measured: that doubled the context switches of
// a call. Reads are recvfrom(MSG_DONTWAIT), writes sendto on the
// O_NONBLOCK socket; neither can block, so both go through RawSyscall6,
// without the runtime's entersyscall/exitsyscall, which let the scheduler
// hand the P to another thread mid-tick (measured: another 4-5 context
// switches per tick with two calls). Addresses live in fields, so nothing
// allocates.
//
// It is used by one goroutine at a time, Close included.
type udpSocket struct {
	fd     int
	family int
	local  netip.AddrPort

	rsa   syscall.RawSockaddrAny
	tsa4  syscall.RawSockaddrInet4
	tsa6  syscall.RawSockaddrInet6
	valid bool
}

func (s *udpSocket) listen(ap netip.AddrPort) error {
	s.family = syscall.AF_INET6
	if ap.Addr().Is4() {
		s.family = syscall.AF_INET
	}
	fd, err := syscall.Socket(s.family, syscall.SOCK_DGRAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_UDP)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	var sa syscall.Sockaddr
	if s.family == syscall.AF_INET {
		sa = &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	} else {
		syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1)
		sa = &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return fmt.Errorf("bind %v: %w", ap, err)
	}
	got, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return fmt.Errorf("getsockname: %w", err)
	}
	switch a := got.(type) {
	case *syscall.SockaddrInet4:
		s.local = netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *syscall.SockaddrInet6:
		s.local = netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port))
	}
	s.fd, s.valid = fd, true
	return nil
}

func (s *udpSocket) localAddr() netip.AddrPort { return s.local }

func putPort(p *uint16, port uint16) {
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(p))[:], port)
}

func getPort(p *uint16) uint16 {
	return binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(p))[:])
}

// sendTo sends one datagram to to.
func (s *udpSocket) sendTo(b []byte, to netip.AddrPort) error {
	if !s.valid {
		return ErrClosed
	}
	var sa unsafe.Pointer
	var salen uintptr
	if s.family == syscall.AF_INET {
		if !to.Addr().Is4() {
			return fmt.Errorf("%v from an IPv4 socket: %w", to, syscall.EAFNOSUPPORT)
		}
		s.tsa4 = syscall.RawSockaddrInet4{Family: syscall.AF_INET, Addr: to.Addr().As4()}
		putPort(&s.tsa4.Port, to.Port())
		sa, salen = unsafe.Pointer(&s.tsa4), syscall.SizeofSockaddrInet4
	} else {
		s.tsa6 = syscall.RawSockaddrInet6{Family: syscall.AF_INET6, Addr: to.Addr().As16()}
		putPort(&s.tsa6.Port, to.Port())
		sa, salen = unsafe.Pointer(&s.tsa6), syscall.SizeofSockaddrInet6
	}
	for {
		_, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(s.fd),
			uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0, uintptr(sa), salen)
		switch e {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		}
		return e
	}
}

// recvFrom reads one datagram into b without blocking; n is -1 if none
// waits.
func (s *udpSocket) recvFrom(b []byte) (n int, from netip.AddrPort, err error) {
	if !s.valid {
		return 0, netip.AddrPort{}, ErrClosed
	}
	for {
		salen := uint32(syscall.SizeofSockaddrAny)
		r, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, uintptr(s.fd),
			uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), syscall.MSG_DONTWAIT,
			uintptr(unsafe.Pointer(&s.rsa)), uintptr(unsafe.Pointer(&salen)))
		switch e {
		case 0:
			return int(r), s.from(), nil
		case syscall.EAGAIN, syscall.ECONNREFUSED:
			// ECONNREFUSED: an ICMP error for an earlier send (the far
			// end does not listen yet); not this socket's fault.
			if e == syscall.ECONNREFUSED {
				continue
			}
			return -1, netip.AddrPort{}, nil
		case syscall.EINTR:
			continue
		}
		return 0, netip.AddrPort{}, e
	}
}

func (s *udpSocket) from() netip.AddrPort {
	switch s.rsa.Addr.Family {
	case syscall.AF_INET:
		sa := (*syscall.RawSockaddrInet4)(unsafe.Pointer(&s.rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), getPort(&sa.Port))
	case syscall.AF_INET6:
		sa := (*syscall.RawSockaddrInet6)(unsafe.Pointer(&s.rsa))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), getPort(&sa.Port))
	}
	return netip.AddrPort{}
}

func (s *udpSocket) close() error {
	if !s.valid {
		return nil
	}
	s.valid = false
	return syscall.Close(s.fd)
}
