package kamailiotest_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"testing"
	"time"

	"ccphone/sip/kamailiotest"
)

func TestStartTwoKillRestart(t *testing.T) {
	primary := kamailiotest.Start(t, "primary")
	backup := kamailiotest.Start(t, "backup")
	if primary.Addr() == backup.Addr() {
		t.Fatalf("both servers on %s", primary.Addr())
	}
	primary.WaitRegistered(t, kamailiotest.User1, false, time.Second)
	primary.Kill()
	primary.Restart()
	primary.WaitRegistered(t, kamailiotest.User1, false, time.Second)
	backup.Stop()
	backup.Stop() // a second Stop does nothing
}

// TestStartTLS: a server started with TLS answers OPTIONS on its TLS
// port, to a client that trusts only CAFile and checks the certificate
// is for 127.0.0.1; a client without the CA refuses the certificate.
func TestStartTLS(t *testing.T) {
	srv := kamailiotest.StartWith(t, "tls", kamailiotest.Options{TLS: true})
	if srv.TLSAddr() == "" || srv.TLSAddr() == srv.Addr() {
		t.Fatalf("TLS address %q beside %q", srv.TLSAddr(), srv.Addr())
	}
	pemData, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatal("no certificate in CAFile")
	}
	c, err := tls.Dial("tcp", srv.TLSAddr(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("TLS to %s: %v\n%s", srv.TLSAddr(), err, srv.Log())
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := "OPTIONS sip:" + srv.TLSAddr() + ";transport=tls SIP/2.0\r\n" +
		"Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-tlsping\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:ping@" + local + ">;tag=ping\r\n" +
		"To: <sip:" + srv.TLSAddr() + ">\r\n" +
		"Call-ID: tlsping\r\n" +
		"CSeq: 1 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "SIP/2.0 200") {
		t.Errorf("answer over TLS %q (%v)", line, err)
	}

	if c, err := tls.Dial("tcp", srv.TLSAddr(), &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "127.0.0.1"}); err == nil {
		c.Close()
		t.Error("a client without the test CA accepted the certificate")
	}
	if plain := kamailiotest.Start(t, "plain"); plain.TLSAddr() != "" || plain.CAFile() != "" {
		t.Errorf("a server without TLS has TLS address %q, CA %q", plain.TLSAddr(), plain.CAFile())
	}
}
