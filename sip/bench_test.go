package sip_test

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccphone/sip"
)

// BenchmarkInviteToRinging measures INVITE in to 180 Ringing out, on the
// wire: a raw UDP client on loopback sends an INVITE with SDP and times
// the 180; the phone's event loop (a goroutine here) rejects each call
// with 486, which the client ACKs. Reports p50 and p99 in µs (budget:
// p99 ≤ 2 ms).
func BenchmarkInviteToRinging(b *testing.B) {
	o, _ := withMedia(b)
	o.Trust = sip.TrustPolicy{}
	o.EventBuffer = 256
	ua := start(b, o)
	to := ua.Addr().String()
	go func() {
		for ev := range ua.Events() {
			if ce, ok := ev.(sip.CallEvent); ok && ce.State == sip.CallRinging {
				_ = ua.Reject(ce.ID, 486)
			}
		}
	}()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	raddr, _ := net.ResolveUDPAddr("udp", to)
	local := c.LocalAddr().String()
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	buf := make([]byte, 65536)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		id := strconv.Itoa(i) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		head := "Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + id + "\r\n" +
			"From: <sip:bench@" + local + ">;tag=f" + id + "\r\n"
		invite := "INVITE sip:1001@" + to + " SIP/2.0\r\n" + head +
			"To: <sip:1001@" + to + ">\r\nCall-ID: " + id + "\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n" +
			"Contact: <sip:bench@" + local + ">\r\nContent-Type: application/sdp\r\nContent-Length: " + strconv.Itoa(len(sdp)) + "\r\n\r\n" + sdp
		t0 := time.Now()
		if _, err := c.WriteToUDP([]byte(invite), raddr); err != nil {
			b.Fatal(err)
		}
		var toHdr string
		for got180, got486 := false, false; !got486; {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _, err := c.ReadFromUDP(buf)
			if err != nil {
				b.Fatalf("call %d: %v", i, err)
			}
			msg := string(buf[:n])
			switch {
			case strings.HasPrefix(msg, "SIP/2.0 180") && !got180:
				got180 = true
				lat = append(lat, time.Since(t0))
			case strings.HasPrefix(msg, "SIP/2.0 4"), strings.HasPrefix(msg, "SIP/2.0 5"):
				if !strings.HasPrefix(msg, "SIP/2.0 486") || !got180 {
					b.Fatalf("call %d: %s", i, strings.SplitN(msg, "\r\n", 2)[0])
				}
				got486 = true
				for l := range strings.SplitSeq(msg, "\r\n") {
					if strings.HasPrefix(l, "To:") {
						toHdr = l
					}
				}
			}
		}
		ack := "ACK sip:1001@" + to + " SIP/2.0\r\n" + head + toHdr + "\r\nCall-ID: " + id +
			"\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
		if _, err := c.WriteToUDP([]byte(ack), raddr); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}
