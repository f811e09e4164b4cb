package rtpio

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func listen(t *testing.T, cfg Config) *Stream {
	t.Helper()
	if !cfg.Addr.IsValid() {
		cfg.Addr = loopback
	}
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// receive waits for the next packet; loopback delivers at once, the wait
// is only there so that a slow machine does not fail the test.
func receive(t *testing.T, s *Stream, buf []byte, pkt *rtp.Packet) Status {
	t.Helper()
	for range 2000 {
		st, err := s.Receive(buf, pkt)
		if err != nil {
			t.Fatal(err)
		}
		if st != Nothing {
			return st
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no packet arrived")
	return Nothing
}

func TestSendReceive(t *testing.T) {
	a := listen(t, Config{SSRC: 1234})
	b := listen(t, Config{})
	a.SetRemote(b.LocalAddr())
	buf := make([]byte, MaxPacket)
	var pkt rtp.Packet
	payload := make([]byte, 160)

	ts0 := a.Timestamp()
	type sent struct {
		send   bool
		marker bool
	}
	// talk, talk, silence, silence, talk (new talkspurt), talk
	plan := []sent{{true, true}, {true, false}, {false, false}, {false, false}, {true, true}, {true, false}}
	var lastSeq uint16
	for i, p := range plan {
		if p.send {
			payload[0] = byte(i)
			if err := a.SendFrame(8, payload); err != nil {
				t.Fatal(err)
			}
			st := receive(t, b, buf, &pkt)
			if i == 0 && st != NewSource || i > 0 && st != Packet {
				t.Errorf("frame %d: status %v", i, st)
			}
			if pkt.SSRC != 1234 || pkt.PayloadType != 8 || pkt.Marker != p.marker || pkt.Payload[0] != byte(i) || len(pkt.Payload) != 160 {
				t.Errorf("frame %d: %v", i, pkt.Header)
			}
			if want := ts0 + uint32(i)*160; pkt.Timestamp != want {
				t.Errorf("frame %d: timestamp %d, want %d", i, pkt.Timestamp, want)
			}
			if i > 0 && pkt.SequenceNumber != lastSeq+1 {
				t.Errorf("frame %d: sequence %d after %d", i, pkt.SequenceNumber, lastSeq)
			}
			lastSeq = pkt.SequenceNumber
		}
		a.EndFrame(160)
	}
	if st := a.Stats(); st.Sent != 4 || st.SentBytes != 640 {
		t.Errorf("sender stats %+v", st)
	}
	if st := b.Stats(); st.Received != 4 {
		t.Errorf("receiver stats %+v", st)
	}
	// An event packet keeps its own timestamp and marker.
	if err := a.SendEvent(101, 77, true, []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	receive(t, b, buf, &pkt)
	if pkt.Timestamp != 77 || !pkt.Marker || pkt.PayloadType != 101 || pkt.SequenceNumber != lastSeq+1 {
		t.Errorf("event packet %v", pkt.Header)
	}
}

func TestNoRemote(t *testing.T) {
	a := listen(t, Config{})
	if err := a.SendFrame(0, []byte{1}); !errors.Is(err, ErrNoRemote) {
		t.Errorf("send without remote: %v", err)
	}
	st, err := a.Receive(make([]byte, MaxPacket), &rtp.Packet{})
	if st != Nothing || err != nil {
		t.Errorf("empty receive: %v %v", st, err)
	}
	a.Close()
	if _, err := a.Receive(make([]byte, MaxPacket), &rtp.Packet{}); !errors.Is(err, ErrClosed) {
		t.Errorf("receive after close: %v", err)
	}
}

func TestPortRange(t *testing.T) {
	// A range around a port the kernel picked, so it is likely free.
	probe, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	base := probe.LocalAddr().(*net.UDPAddr).Port &^ 1
	probe.Close()
	r := PortRange{Min: base - 1, Max: base + 3} // even ports: base, base+2
	got := map[uint16]bool{}
	for range 2 {
		s, err := Listen(Config{Addr: loopback, Ports: r})
		if err != nil {
			t.Skipf("ports near %d busy: %v", base, err)
		}
		defer s.Close()
		p := s.LocalAddr().Port()
		if p%2 != 0 || int(p) < base || int(p) > base+2 {
			t.Errorf("bound %d, want an even port of %d-%d", p, r.Min, r.Max)
		}
		got[p] = true
	}
	if len(got) != 2 {
		t.Errorf("ports %v, want two different", got)
	}
	if _, err := Listen(Config{Addr: loopback, Ports: r}); !errors.Is(err, ErrNoPort) {
		t.Errorf("third stream in a range of two: %v", err)
	}
	if _, err := Listen(Config{Addr: loopback, Ports: PortRange{5, 5}}); !errors.Is(err, ErrNoPort) {
		t.Errorf("range without even port: %v", err)
	}
}

func TestSymmetric(t *testing.T) {
	phone := listen(t, Config{Symmetric: true})
	far := listen(t, Config{})
	far.SetRemote(phone.LocalAddr())
	// The SDP said somewhere else (a private address behind NAT).
	phone.SetRemote(netip.MustParseAddrPort("127.0.0.1:9"))
	buf := make([]byte, MaxPacket)
	var pkt rtp.Packet
	if err := far.SendFrame(0, []byte{1}); err != nil {
		t.Fatal(err)
	}
	receive(t, phone, buf, &pkt)
	if phone.Remote() != far.LocalAddr() {
		t.Fatalf("remote %v, want the source %v", phone.Remote(), far.LocalAddr())
	}
	if err := phone.SendFrame(0, []byte{2}); err != nil {
		t.Fatal(err)
	}
	receive(t, far, buf, &pkt)
	if pkt.Payload[0] != 2 {
		t.Errorf("got %v", pkt.Payload)
	}
}

func TestSourceChange(t *testing.T) {
	phone := listen(t, Config{})
	old := listen(t, Config{SSRC: 1})
	stray := listen(t, Config{SSRC: 2})
	next := listen(t, Config{SSRC: 3})
	for _, s := range []*Stream{old, stray, next} {
		s.SetRemote(phone.LocalAddr())
	}
	buf := make([]byte, MaxPacket)
	var pkt rtp.Packet
	send := func(s *Stream) {
		t.Helper()
		if err := s.SendFrame(0, []byte{byte(s.SSRC())}); err != nil {
			t.Fatal(err)
		}
		s.EndFrame(160)
	}
	send(old)
	if st := receive(t, phone, buf, &pkt); st != NewSource || pkt.SSRC != 1 {
		t.Fatalf("first packet: %v from %d", st, pkt.SSRC)
	}
	// A stray packet from another SSRC, and junk, are ignored.
	send(stray)
	stray.sock.sendTo([]byte("not rtp at all"), phone.LocalAddr())
	send(old)
	if st := receive(t, phone, buf, &pkt); st != Packet || pkt.SSRC != 1 {
		t.Fatalf("after the stray: %v from %d", st, pkt.SSRC)
	}
	// A new source in sequence takes over on its third packet.
	send(next)
	send(next)
	send(old)
	send(next)
	var statuses []Status
	var ssrcs []uint32
	for range 2 {
		statuses = append(statuses, receive(t, phone, buf, &pkt))
		ssrcs = append(ssrcs, pkt.SSRC)
	}
	if statuses[0] != Packet || ssrcs[0] != 1 || statuses[1] != NewSource || ssrcs[1] != 3 {
		t.Errorf("got %v from %v, want [packet new source] from [1 3]", statuses, ssrcs)
	}
	if st := phone.Stats(); st.Ignored != 4 {
		t.Errorf("ignored %d, want 4 (stray, junk, two probation packets)", st.Ignored)
	}
	if Status(9).String() != "Status(9)" || NewSource.String() != "new source" {
		t.Error("status names")
	}
}

func TestNoAllocs(t *testing.T) {
	a := listen(t, Config{})
	b := listen(t, Config{})
	a.SetRemote(b.LocalAddr())
	buf := make([]byte, MaxPacket)
	var pkt rtp.Packet
	payload := make([]byte, 160)
	allocs := testing.AllocsPerRun(200, func() {
		if err := a.SendFrame(0, payload); err != nil {
			t.Fatal(err)
		}
		a.EndFrame(160)
		for {
			st, err := b.Receive(buf, &pkt)
			if err != nil {
				t.Fatal(err)
			}
			if st == Nothing {
				break
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per packet sent and received, want 0", allocs)
	}
}

func BenchmarkReceiveEmpty(b *testing.B) {
	rx, err := Listen(Config{Addr: loopback})
	if err != nil {
		b.Fatal(err)
	}
	defer rx.Close()
	buf := make([]byte, MaxPacket)
	var pkt rtp.Packet
	b.ReportAllocs()
	for b.Loop() {
		rx.Receive(buf, &pkt)
	}
}

func TestControl(t *testing.T) {
	a := listen(t, Config{RTCP: true})
	b := listen(t, Config{RTCP: true})
	if p := a.LocalAddr().Port(); p%2 != 0 {
		t.Errorf("RTP on odd port %d", p)
	}
	a.SetRemote(b.LocalAddr())
	b.SetRemote(a.LocalAddr())
	buf := make([]byte, MaxPacket)
	rr := []byte{0x80, 201, 0, 1, 0, 0, 0, 7} // an empty RR
	// Without mux RTCP goes from port+1 to port+1.
	if err := a.SendControl(rr); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for range 2000 {
		var err error
		if got, err = b.ReceiveControl(buf); err != nil || got != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if string(got) != string(rr) {
		t.Fatalf("received % x, want % x", got, rr)
	}
	// With mux it shares the RTP socket and Receive hands it out.
	a.SetMux(true)
	b.SetMux(true)
	if err := a.SendControl(rr); err != nil {
		t.Fatal(err)
	}
	var pkt rtp.Packet
	if st := receive(t, b, buf, &pkt); st != Control || string(b.ControlPacket()) != string(rr) {
		t.Errorf("mux: %v % x", st, b.ControlPacket())
	}
	if st := b.Stats(); st.ControlReceived != 2 || st.Ignored != 0 || a.Stats().ControlSent != 2 {
		t.Errorf("stats %+v / %+v", st, a.Stats())
	}
	c := listen(t, Config{})
	c.SetRemote(b.LocalAddr())
	if err := c.SendControl(rr); !errors.Is(err, ErrNoControl) {
		t.Errorf("no RTCP socket: %v", err)
	}
}
