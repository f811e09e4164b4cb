package media

import (
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"ccphone/hal/haltest"
	"ccphone/media/sdpneg"
)

// udpPair binds an even loopback port and the odd one above, as a phone
// binds RTP and RTCP.
func udpPair(t *testing.T) (rtpConn, rtcpConn *net.UDPConn) {
	t.Helper()
	for range 100 {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		p := c.LocalAddr().(*net.UDPAddr).Port
		if p%2 == 0 {
			if d, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + 1}); err == nil {
				t.Cleanup(func() { c.Close(); d.Close() })
				return c, d
			}
		}
		c.Close()
	}
	t.Fatal("no free even/odd port pair")
	return nil, nil
}

func addrOf(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

func nextPort(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr(), a.Port()+1) }

// relayPath carries one direction of one port: what arrives on in is
// sent from out to to.
type relayPath struct {
	in, out *net.UDPConn
	to      netip.AddrPort
	fromA   bool
	rtp     int // RTP packets seen, for the drop pattern
}

type heldPacket struct {
	due  time.Duration
	path *relayPath
	b    []byte
}

// relay stands between two engines in simulated time: every packet is
// held delay, and every dropEvery-th RTP packet each way is dropped (0:
// none). It keeps every RTCP datagram it carried.
type relay struct {
	t         *testing.T
	paths     []*relayPath
	delay     time.Duration
	dropEvery int
	held      []heldPacket
	rtcpFromA [][]byte
	rtcpFromB [][]byte
}

func isRTCP(b []byte) bool { return len(b) >= 2 && b[1] >= 200 && b[1] <= 204 }

// collect takes in what the engines sent in the tick at now.
func (r *relay) collect(now time.Duration) {
	buf := make([]byte, 1500)
	for _, p := range r.paths {
		rc, err := p.in.SyscallConn()
		if err != nil {
			r.t.Fatal(err)
		}
		for {
			n := -1
			rc.Read(func(fd uintptr) bool {
				n, _, _ = syscall.Recvfrom(int(fd), buf, syscall.MSG_DONTWAIT)
				return true
			})
			if n < 0 {
				break
			}
			b := append([]byte(nil), buf[:n]...)
			if isRTCP(b) {
				if p.fromA {
					r.rtcpFromA = append(r.rtcpFromA, b)
				} else {
					r.rtcpFromB = append(r.rtcpFromB, b)
				}
			} else {
				p.rtp++
				if r.dropEvery > 0 && p.rtp%r.dropEvery == 0 {
					continue
				}
			}
			r.held = append(r.held, heldPacket{due: now + r.delay, path: p, b: b})
		}
	}
}

// forward sends what is due at now.
func (r *relay) forward(now time.Duration) {
	keep := r.held[:0]
	for _, h := range r.held {
		if h.due > now {
			keep = append(keep, h)
			continue
		}
		if _, err := h.path.out.WriteToUDPAddrPort(h.b, h.path.to); err != nil {
			r.t.Fatal(err)
		}
	}
	r.held = keep
}

// relayedCall runs a G.711 call from A to B through a relay for ticks
// frames, RTCP every 100 ticks, and returns A's and B's legs and the
// relay. dirA is A's direction (B's is the opposite).
func relayedCall(t *testing.T, dropEvery int, mux bool, dirA sdpneg.Direction, ticks int) (la, lb *Leg, r *relay) {
	t.Helper()
	opts := Options{Addr: loopback, RTCPEvery: 100}
	opts.Audio = newFakeAudio(1000, 8000)
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	opts.Audio = newFakeAudio(600, 8000)
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	la, lb = addLeg(t, a, "a"), addLeg(t, b, "b")

	faceA, faceActl := udpPair(t) // where A sends
	faceB, faceBctl := udpPair(t) // where B sends
	r = &relay{t: t, delay: 30 * time.Millisecond, dropEvery: dropEvery, paths: []*relayPath{
		{in: faceA, out: faceB, to: lb.LocalAddr(), fromA: true},
		{in: faceB, out: faceA, to: la.LocalAddr()},
	}}
	if !mux {
		r.paths = append(r.paths,
			&relayPath{in: faceActl, out: faceBctl, to: nextPort(lb.LocalAddr()), fromA: true},
			&relayPath{in: faceBctl, out: faceActl, to: nextPort(la.LocalAddr())})
	}
	dirB := sdpneg.MakeDirection(dirA.Receives(), dirA.Sends())
	s := sdpneg.Session{Codec: sdpneg.PCMU, Direction: dirA, RTCPMux: mux, Remote: addrOf(faceA)}
	la.Apply(s)
	s.Direction, s.Remote = dirB, addrOf(faceB)
	lb.Apply(s)
	for k := range ticks {
		now := time.Duration(k) * FrameDuration
		r.forward(now)
		a.Step()
		b.Step()
		r.collect(now)
	}
	return la, lb, r
}

// TestQualityThroughRelay: a call through a relay that holds every
// packet 30 ms each way and drops every tenth RTP packet each way.
// A's Quality shows the far end's report of 10 % loss, its own 10 %, a
// round trip of 60 ms and a MOS below the loss-free call's.
func TestQualityThroughRelay(t *testing.T) {
	clean, _, _ := relayedCall(t, 0, false, sdpneg.SendRecv, 600)
	la, lb, r := relayedCall(t, 10, false, sdpneg.SendRecv, 600)
	q, qc := la.Quality(), clean.Quality()
	t.Logf("lossy: %+v", q)
	t.Logf("clean: %+v", qc)
	if !q.FarReported || q.FarLoss < 7 || q.FarLoss > 13 {
		t.Errorf("far end's loss %.1f %% (reported %v), want 10 ± 3", q.FarLoss, q.FarReported)
	}
	if q.Loss < 7 || q.Loss > 13 {
		t.Errorf("our loss %.1f %%, want 10 ± 3", q.Loss)
	}
	if q.RTT < 45*time.Millisecond || q.RTT > 75*time.Millisecond {
		t.Errorf("RTT %v, want 60 ms ± 15", q.RTT)
	}
	if qc.RTT < 45*time.Millisecond || qc.RTT > 75*time.Millisecond || qc.FarLoss != 0 || qc.Loss != 0 {
		t.Errorf("clean call: RTT %v, loss %.1f/%.1f %%", qc.RTT, qc.Loss, qc.FarLoss)
	}
	if q.Codec != sdpneg.PCMU || q.PacketsSent < 590 || q.Received < 500 || q.FarLost < 40 {
		t.Errorf("counters: %+v", q)
	}
	if !(q.MOS < qc.MOS-0.5) || qc.MOS < 4.2 || q.MOS < 1 {
		t.Errorf("MOS %.2f lossy, %.2f clean; want the lossy one well below a clean 4.2+", q.MOS, qc.MOS)
	}
	if st := lb.Stats().RTP; st.ControlReceived < 3 || st.ControlSent < 3 {
		t.Errorf("B's RTCP counters: %+v", st)
	}

	// The wire format, as pion/rtcp reads it: A sends SRs with a report
	// block about B's stream, and its CNAME.
	if len(r.rtcpFromA) < 3 {
		t.Fatalf("A sent %d RTCP packets, want several", len(r.rtcpFromA))
	}
	last := r.rtcpFromA[len(r.rtcpFromA)-1]
	pkts, err := rtcp.Unmarshal(last)
	if err != nil {
		t.Fatalf("A's RTCP does not parse: %v\n% x", err, last)
	}
	if len(pkts) != 2 {
		t.Fatalf("A's compound packet has %d packets: %v", len(pkts), pkts)
	}
	sr, ok := pkts[0].(*rtcp.SenderReport)
	if !ok {
		t.Fatalf("first packet %T, want an SR", pkts[0])
	}
	if sr.SSRC != la.st.stream.SSRC() || sr.PacketCount < 400 || sr.OctetCount != 160*sr.PacketCount || sr.NTPTime == 0 {
		t.Errorf("SR %+v", sr)
	}
	if len(sr.Reports) != 1 {
		t.Fatalf("SR has %d report blocks", len(sr.Reports))
	}
	rb := sr.Reports[0]
	if rb.SSRC != lb.st.stream.SSRC() || rb.FractionLost < 18 || rb.FractionLost > 33 || rb.TotalLost < 40 || rb.LastSenderReport == 0 || rb.Delay == 0 {
		t.Errorf("report block %+v", rb)
	}
	sdes, ok := pkts[1].(*rtcp.SourceDescription)
	if !ok || len(sdes.Chunks) != 1 || sdes.Chunks[0].Source != sr.SSRC || len(sdes.Chunks[0].Items) != 1 ||
		sdes.Chunks[0].Items[0].Type != rtcp.SDESCNAME || sdes.Chunks[0].Items[0].Text != la.st.rtcp.cname {
		t.Errorf("SDES %+v", pkts[1])
	}
}

// TestRTCPMux: with a=rtcp-mux RTCP shares the RTP port; a receive-only
// leg sends RRs, which give the sender the round trip.
func TestRTCPMux(t *testing.T) {
	la, lb, r := relayedCall(t, 0, true, sdpneg.SendOnly, 400)
	q := la.Quality()
	if !q.FarReported || q.FarLoss != 0 || q.RTT < 45*time.Millisecond || q.RTT > 75*time.Millisecond {
		t.Errorf("A's quality %+v", q)
	}
	if st := la.Stats().RTP; st.ControlReceived < 2 || st.Ignored != 0 {
		t.Errorf("A's counters %+v", st)
	}
	if len(r.rtcpFromB) < 2 {
		t.Fatalf("B sent %d RTCP packets", len(r.rtcpFromB))
	}
	pkts, err := rtcp.Unmarshal(r.rtcpFromB[len(r.rtcpFromB)-1])
	if err != nil {
		t.Fatal(err)
	}
	rr, ok := pkts[0].(*rtcp.ReceiverReport)
	if !ok || rr.SSRC != lb.st.stream.SSRC() || len(rr.Reports) != 1 || rr.Reports[0].SSRC != la.st.stream.SSRC() || rr.Reports[0].LastSenderReport == 0 {
		t.Errorf("B's report %+v", pkts[0])
	}
	if _, ok := pkts[1].(*rtcp.SourceDescription); !ok {
		t.Errorf("B's second packet %T", pkts[1])
	}
	// A sends but does not receive: SRs without report blocks.
	pkts, err = rtcp.Unmarshal(r.rtcpFromA[len(r.rtcpFromA)-1])
	if err != nil {
		t.Fatal(err)
	}
	if sr, ok := pkts[0].(*rtcp.SenderReport); !ok || len(sr.Reports) != 0 {
		t.Errorf("A's report %+v", pkts[0])
	}
}

// TestStepWithRTCPDoesNotAllocate: ticks that send and receive RTCP
// (every other tick here) allocate nothing.
func TestStepWithRTCPDoesNotAllocate(t *testing.T) {
	e, l1, l2 := loopedLegsWith(t, Options{Audio: &haltest.Audio{}, RTCPEvery: 2}, sdpneg.PCMU)
	defer e.Close()
	for range 20 {
		e.Step()
	}
	if a := testing.AllocsPerRun(200, e.Step); a != 0 {
		t.Errorf("%v allocations per tick, want 0", a)
	}
	if st := l1.Stats().RTP; st.ControlReceived < 50 {
		t.Errorf("line1 got %d RTCP packets", st.ControlReceived)
	}
	if q := l2.Quality(); !q.FarReported || q.RTT > 40*time.Millisecond {
		t.Errorf("line2's quality %+v", q)
	}
}
