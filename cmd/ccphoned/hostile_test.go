package main

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"ccphone/sip/kamailiotest"
	"ccphone/sip/sipptest"
)

// sipRequest is a minimal SIP request over UDP from local to the phone.
func sipRequest(method, local, phone, callID string) string {
	return fmt.Sprintf("%[1]s sip:1001@%[3]s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %[2]s;branch=z9hG4bK-%[4]s\r\n"+
		"Max-Forwards: 70\r\n"+
		"From: <sip:stranger@%[2]s>;tag=h%[4]s\r\n"+
		"To: <sip:1001@%[3]s>\r\n"+
		"Call-ID: %[4]s\r\n"+
		"CSeq: 1 %[1]s\r\n"+
		"Contact: <sip:stranger@%[2]s>\r\n"+
		"Content-Length: 0\r\n\r\n", method, local, phone, callID)
}

// TestHostileInput throws at the running phone what scanners and broken
// peers send, with trusted-servers-only on (the default): a flood of junk
// datagrams and broken SIP over UDP and TCP, an INVITE from a stranger
// (127.0.0.2: dropped without an answer, and logged), an offer with no
// codec the phone has (488 at once, the agent is never rung; sipp fails
// on 200),
// and an unknown method from the server's host (405 or 501). Afterwards
// both lines are still registered, the panel answers, and a call from
// sipp is answered and hung up from the keys.
func TestHostileInput(t *testing.T) {
	sipptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	cfg := registrarConfig(t, kam)
	p := startPhone(t, "--config", cfg, "--state", t.TempDir())
	logOnFailure(t, p)
	p.waitState("registered", bothRegistered)
	addr := sipAddr(t, cfg)

	// Junk over UDP: random bytes, truncated and oversized SIP.
	u, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	junk := make([]byte, 1400)
	broken := []string{
		"INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: \r\n\r\n",
		"SIP/2.0 200 OK\r\nCSeq: x\r\n\r\n",
		"REGISTER\r\n\r\n",
		sipRequest("INVITE", u.LocalAddr().String(), addr, "cl")[:120],
		strings.Replace(sipRequest("OPTIONS", u.LocalAddr().String(), addr, "len"), "Content-Length: 0", "Content-Length: 99999", 1),
		"\x00\x01\x02" + strings.Repeat("A", 60000),
	}
	for i := range 3000 {
		var msg []byte
		if i%10 == 0 {
			msg = []byte(broken[(i/10)%len(broken)])
		} else {
			if _, err := rand.Read(junk); err != nil {
				t.Fatal(err)
			}
			msg = junk[:1+i%len(junk)]
		}
		if _, err := u.Write(msg); err != nil && !strings.Contains(err.Error(), "refused") {
			t.Fatalf("datagram %d: %v", i, err)
		}
	}
	// Junk over TCP, then a stream that stops mid-message.
	for _, payload := range []string{strings.Repeat("\xff\xfe junk ", 8000), sipRequest("INVITE", "127.0.0.1:1", addr, "tcp")[:90]} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write([]byte(payload)) // the phone may close on us mid-way
		c.Close()
	}

	// The flood may have overrun the socket's buffer: the phone answers
	// again once it has read its way through (OPTIONS, resent as UDP
	// requests are).
	answered := false
	for range 60 {
		if statusWithin(t, u, sipRequest("OPTIONS", u.LocalAddr().String(), addr, "alive"), 500*time.Millisecond) == 200 {
			answered = true
			break
		}
	}
	if !answered {
		t.Fatal("the phone does not answer OPTIONS after the flood")
	}

	// A stranger's INVITE: no answer, a log line.
	raddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)}, raddr)
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	if _, err := stranger.Write([]byte(sipRequest("INVITE", stranger.LocalAddr().String(), addr, "scan"))); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "dropped request from untrusted source", "src="+stranger.LocalAddr().String())
	if err := stranger.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n, err := stranger.Read(make([]byte, 2048)); err == nil {
		t.Errorf("the stranger got an answer (%d bytes)", n)
	}
	if s := p.state(); len(s.Calls) != 0 {
		t.Errorf("the stranger's INVITE reached the screen: %+v", s.Calls)
	}

	// An offer without a common codec.
	sp := sipptest.Start(t, "bad_sdp.xml", addr, sipptest.Options{Service: kamailiotest.User1})
	if res := sp.Wait(); res.Exit != 0 || res.Successful != 1 {
		t.Errorf("bad SDP: sipp: %v", res)
	}
	if s := p.state(); len(s.Calls) != 0 || s.MissedCalls != 0 {
		t.Errorf("the refused offer reached the agent: calls %v, missed %d", s.Calls, s.MissedCalls)
	}

	// An unknown method from the registrar's host.
	if got := statusOf(t, u, sipRequest("FROBNICATE", u.LocalAddr().String(), addr, "frob")); got != 405 && got != 501 {
		t.Errorf("unknown method answered %d, want 405 or 501", got)
	}

	// Still working.
	if s := p.state(); !bothRegistered(s) {
		t.Errorf("lines after the abuse: %+v", s.Lines)
	}
	sp = sipptest.Start(t, "remote_bye.xml", addr, sipptest.Options{Service: kamailiotest.User1})
	p.waitState("a good call ringing", func(s apiState) bool { return sameStrings(callStates(s), "ringing") })
	p.press("headset")
	p.waitState("connected", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	p.press("headset")
	if res := sp.Wait(); res.Exit != 0 || res.Successful != 1 {
		t.Errorf("the call after the abuse: sipp: %v", res)
	}
}

// statusOf sends req on c and returns the status code of the final
// response that comes back (provisional ones are skipped).
func statusOf(t *testing.T, c net.Conn, req string) int {
	t.Helper()
	code := statusWithin(t, c, req, 10*time.Second)
	if code == 0 {
		t.Fatal("no answer to the request")
	}
	return code
}

// statusWithin is statusOf waiting at most d; 0 means no answer.
func statusWithin(t *testing.T, c net.Conn, req string, d time.Duration) int {
	t.Helper()
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	deadline := time.Now().Add(d)
	for {
		if err := c.SetReadDeadline(deadline); err != nil {
			t.Fatal(err)
		}
		n, err := c.Read(buf)
		if err != nil {
			return 0
		}
		line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		var code int
		if _, err := fmt.Sscanf(line, "SIP/2.0 %d", &code); err != nil {
			continue // not a response (a request of the phone's own)
		}
		if !strings.Contains(string(buf[:n]), "Call-ID: "+callIDOf(req)+"\r\n") {
			continue // a late answer to the flood
		}
		if code >= 200 {
			return code
		}
	}
}

func callIDOf(req string) string {
	sc := bufio.NewScanner(strings.NewReader(req))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Call-ID: "); ok {
			return v
		}
	}
	return ""
}

// waitLog waits for a line of the phone's log that holds all of parts.
func waitLog(t *testing.T, p *phone, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for l := range strings.Lines(p.stderr.String()) {
			all := true
			for _, part := range parts {
				all = all && strings.Contains(l, part)
			}
			if all {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q", parts)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
