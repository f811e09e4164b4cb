package sip_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccphone/sip"
	"ccphone/sip/kamailiotest"
)

// rawRequest writes a minimal SIP request from the socket c to the UA at
// to.
func rawRequest(method string, c *net.UDPConn, to string, cseq int) []byte {
	local := c.LocalAddr().String()
	branch := "z9hG4bK" + strconv.FormatUint(rand.Uint64(), 36)
	return []byte(method + " sip:1001@" + to + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=" + branch + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:probe@" + local + ">;tag=" + strconv.FormatUint(rand.Uint64(), 36) + "\r\n" +
		"To: <sip:1001@" + to + ">\r\n" +
		"Call-ID: " + strconv.FormatUint(rand.Uint64(), 36) + "@test\r\n" +
		"CSeq: " + strconv.Itoa(cseq) + " " + method + "\r\n" +
		"Contact: <sip:probe@" + local + ">\r\n" +
		"Content-Length: 0\r\n\r\n")
}

func udpFrom(t *testing.T, host string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		t.Skipf("cannot bind %s (needs the loopback /8): %v", host, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t *testing.T, c *net.UDPConn, to string, data []byte) {
	t.Helper()
	addr, err := net.ResolveUDPAddr("udp", to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteTo(data, addr); err != nil {
		t.Fatal(err)
	}
}

// answer reads the next response on c, failing after waitTimeout.
func answer(t *testing.T, c *net.UDPConn) string {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return string(buf[:n])
}

// noAnswer checks that nothing is waiting on c. Call it only after an
// answer to a later request arrived: the UA reads its socket in order, so
// earlier requests have been dealt with by then.
func noAnswer(t *testing.T, c *net.UDPConn) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	n, _, err := c.ReadFrom(buf)
	if err == nil {
		t.Fatalf("untrusted source got an answer:\n%s", buf[:n])
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal(err)
	}
}

func statusLine(msg string) string {
	line, _, _ := strings.Cut(msg, "\r\n")
	return line
}

func TestTrustedServersOnly(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar") // on 127.0.0.1
	o := testOptions(t)
	o.Trust = sip.TrustPolicy{TrustedServersOnly: true}
	ua := start(t, o, account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil))
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	to := ua.Addr().String()

	scanner := udpFrom(t, "127.0.0.2")
	server := udpFrom(t, "127.0.0.1") // the registrar's host, another port

	send(t, scanner, to, rawRequest("OPTIONS", scanner, to, 1))
	send(t, scanner, to, rawRequest("INVITE", scanner, to, 2))
	send(t, server, to, rawRequest("OPTIONS", server, to, 1))
	if got := statusLine(answer(t, server)); got != "SIP/2.0 200 OK" {
		t.Errorf("registrar's OPTIONS answered %q, want 200 OK", got)
	}
	noAnswer(t, scanner)

	// With IP calls allowed, a stranger's INVITE gets through (100, then
	// 503: this UA has no media); its OPTIONS still does not.
	ua.SetTrustPolicy(sip.TrustPolicy{TrustedServersOnly: true, AllowIPCalls: true})
	send(t, scanner, to, rawRequest("OPTIONS", scanner, to, 3))
	send(t, scanner, to, rawRequest("INVITE", scanner, to, 4))
	got := answer(t, scanner)
	if !strings.Contains(got, "CSeq: 4 INVITE") {
		t.Errorf("first answer to the stranger is not for its INVITE:\n%s", got)
	}

	// With the policy off, anyone is answered.
	ua.SetTrustPolicy(sip.TrustPolicy{})
	send(t, scanner, to, rawRequest("OPTIONS", scanner, to, 5))
	for {
		got := answer(t, scanner) // the INVITE's final answer may come first
		if strings.Contains(got, "CSeq: 5 OPTIONS") {
			if statusLine(got) != "SIP/2.0 200 OK" {
				t.Errorf("OPTIONS with the policy off answered %q, want 200 OK", statusLine(got))
			}
			break
		}
	}
}

func TestJunkDoesNotStopTheUA(t *testing.T) {
	o := testOptions(t)
	o.Trust = sip.TrustPolicy{} // let everything reach the parser and handlers
	ua := start(t, o)
	to := ua.Addr().String()
	c := udpFrom(t, "127.0.0.1")

	junk := [][]byte{
		[]byte("\r\n\r\n"),
		[]byte("hello"),
		{0, 0, 0, 0, 0},
		{0xff, 0xfe, 0x00, 0x41, 0x0d, 0x0a},
		[]byte("INVITE\r\n\r\n"),
		[]byte("INVITE sip:1001@x SIP/2.0\r\n\r\n"),
		[]byte("OPTIONS sip:1001@x SIP/2.0\r\nVia: nonsense\r\nCSeq: x\r\n\r\n"),
		[]byte("OPTIONS sip:1001@x SIP/2.0\r\nContent-Length: 99999\r\n\r\nshort"),
		[]byte("SIP/2.0 200 OK\r\n\r\n"),
		[]byte("SIP/2.0 999999999999 Huge\r\nCSeq: 1 REGISTER\r\n\r\n"),
		[]byte("REGISTER sip:x SIP/2.0\r\nFrom: <<<>>>\r\nTo: ;;;\r\nCall-ID:\r\nCSeq: 1 REGISTER\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKx\r\n\r\n"),
		bytes.Repeat([]byte("A"), 60000),
		append([]byte("OPTIONS sip:a SIP/2.0\r\nX: "), bytes.Repeat([]byte("\x80"), 4000)...),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := make([]byte, 1+rng.IntN(1400))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		junk = append(junk, b)
	}
	valid := rawRequest("OPTIONS", c, to, 1)
	for range 50 { // valid requests cut short
		junk = append(junk, valid[:rng.IntN(len(valid))])
	}
	for _, j := range junk {
		send(t, c, to, j)
	}
	// And over TCP.
	tc, err := net.Dial("tcp", to)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range junk[:20] {
		if _, err := tc.Write(j); err != nil {
			break // the UA may close a connection that sent junk
		}
	}
	tc.Close()

	drain(c)
	send(t, c, to, rawRequest("OPTIONS", c, to, 7))
	for {
		got := answer(t, c)
		if strings.Contains(got, "CSeq: 7 OPTIONS") {
			if statusLine(got) != "SIP/2.0 200 OK" {
				t.Errorf("OPTIONS after junk answered %q, want 200 OK", statusLine(got))
			}
			break
		}
	}
}

// drain discards what is waiting on c (answers to the junk, such as 400).
func drain(c *net.UDPConn) {
	buf := make([]byte, 65536)
	for {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, _, err := c.ReadFrom(buf); err != nil {
			return
		}
	}
}

// waitCheckSync waits for a CheckSyncEvent, keeping registration events
// for later waits.
func (r *running) waitCheckSync() sip.CheckSyncEvent {
	r.t.Helper()
	for _, ev := range r.seen {
		if cs, ok := ev.(sip.CheckSyncEvent); ok {
			return cs
		}
	}
	timeout := time.After(waitTimeout)
	for {
		select {
		case ev, ok := <-r.Events():
			if !ok {
				r.t.Fatal("events closed waiting for check-sync")
			}
			r.seen = append(r.seen, ev)
			switch e := ev.(type) {
			case sip.CheckSyncEvent:
				return e
			case sip.RegistrationEvent:
				r.queued[e.Line] = append(r.queued[e.Line], e)
			}
		case <-timeout:
			r.t.Fatalf("no check-sync within %v; seen %v", waitTimeout, r.seen)
		}
	}
}

func notify(c *net.UDPConn, to string, cseq int, event string) []byte {
	msg := string(rawRequest("NOTIFY", c, to, cseq))
	msg = strings.Replace(msg, "Content-Length: 0\r\n", "Event: "+event+"\r\nSubscription-State: terminated\r\nContent-Length: 0\r\n", 1)
	return []byte(msg)
}

// TestCheckSync: a check-sync NOTIFY from the registrar becomes an event
// for the phone; the same NOTIFY from a stranger is refused, even with
// the trust policy off; other events get 489.
func TestCheckSync(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	o := testOptions(t)
	o.Trust = sip.TrustPolicy{} // let the stranger's NOTIFY reach the handler
	ua := start(t, o, account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil))
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	to := ua.Addr().String()

	scanner := udpFrom(t, "127.0.0.2")
	send(t, scanner, to, notify(scanner, to, 1, "check-sync;reboot=false"))
	if got := statusLine(answer(t, scanner)); got != "SIP/2.0 403 Forbidden" {
		t.Errorf("stranger's check-sync answered %q, want 403", got)
	}

	server := udpFrom(t, "127.0.0.1")
	send(t, server, to, notify(server, to, 2, "presence"))
	if got := statusLine(answer(t, server)); got != "SIP/2.0 489 Bad Event" {
		t.Errorf("presence NOTIFY answered %q, want 489", got)
	}
	send(t, server, to, notify(server, to, 3, "check-sync"))
	if got := statusLine(answer(t, server)); got != "SIP/2.0 200 OK" {
		t.Errorf("registrar's check-sync answered %q, want 200 OK", got)
	}
	ev := ua.waitCheckSync()
	if ev.Source != server.LocalAddr().String() {
		t.Errorf("check-sync from %q, want %q", ev.Source, server.LocalAddr())
	}
	for _, e := range ua.seen {
		if cs, ok := e.(sip.CheckSyncEvent); ok && cs.Source != ev.Source {
			t.Errorf("a check-sync event for the stranger: %v", cs)
		}
	}
}

// TestMWINotify: an unsolicited message-summary NOTIFY from the
// registrar's host becomes an MWIEvent for the line it names; from a
// stranger it is refused.
func TestMWINotify(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	o := testOptions(t)
	o.Trust = sip.TrustPolicy{}
	ua := start(t, o, account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil))
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	to := ua.Addr().String()
	mwi := func(c *net.UDPConn, cseq int) []byte {
		body := "Messages-Waiting: yes\r\nVoice-Message: 3/1 (0/0)\r\n"
		msg := string(notify(c, to, cseq, "message-summary"))
		msg = strings.Replace(msg, "Content-Length: 0\r\n\r\n", "Content-Type: application/simple-message-summary\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body, 1)
		return []byte(msg)
	}
	scanner := udpFrom(t, "127.0.0.2")
	send(t, scanner, to, mwi(scanner, 1))
	if got := statusLine(answer(t, scanner)); got != "SIP/2.0 403 Forbidden" {
		t.Errorf("stranger's MWI answered %q, want 403", got)
	}
	server := udpFrom(t, "127.0.0.1")
	send(t, server, to, mwi(server, 2))
	if got := statusLine(answer(t, server)); got != "SIP/2.0 200 OK" {
		t.Errorf("registrar's MWI answered %q, want 200", got)
	}
	ev := ua.next("MWI", func(ev sip.Event) bool { _, ok := ev.(sip.MWIEvent); return ok }).(sip.MWIEvent)
	if ev != (sip.MWIEvent{Line: 1, Waiting: true, New: 3, Old: 1}) {
		t.Errorf("MWI %+v", ev)
	}
}
