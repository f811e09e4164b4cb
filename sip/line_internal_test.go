package sip

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"ccphone/provisioning"
	"ccphone/sip/kamailiotest"
)

func testAccount() provisioning.Account {
	a := provisioning.Account{Index: 1, Enable: true, Label: "Sales", UserName: "1001", Password: "secret1001"}
	a.Servers[0] = provisioning.Server{Address: "192.0.2.1", Port: 5060, Transport: "udp", Expires: time.Minute}
	return a
}

// TestApplyComparesAccounts drives one line's apply by hand (Run is not
// running, so the test goroutine owns the line): only changes that
// matter to registration start a new one.
func TestApplyComparesAccounts(t *testing.T) {
	u, err := New(Options{ListenAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	l := u.lines[0]
	ctx := context.Background()
	events := func() []RegistrationEvent {
		var out []RegistrationEvent
		for {
			select {
			case ev := <-u.events:
				out = append(out, ev.(RegistrationEvent))
			default:
				return out
			}
		}
	}

	l.apply(ctx)
	if got := events(); len(got) != 1 || got[0].State != RegistrationDisabled {
		t.Fatalf("no account: events %v, want one disabled", got)
	}

	acc := testAccount()
	l.setAccount(acc)
	l.apply(ctx)
	if l.retryAt.IsZero() || !l.active {
		t.Fatal("new account: no registration scheduled")
	}
	l.retryAt = time.Time{} // as if registered

	same := acc
	same.Label = "Sales 10"
	same.Forward.Always = "2000"
	same.Voicemail = "*97"
	l.setAccount(same)
	l.apply(ctx)
	if !l.retryAt.IsZero() {
		t.Error("label, forwarding or voicemail change scheduled a new registration")
	}
	if l.acc.Label != "Sales 10" {
		t.Errorf("label %q not taken over", l.acc.Label)
	}

	for name, change := range map[string]func(*provisioning.Account){
		"password":       func(a *provisioning.Account) { a.Password = "other" },
		"auth name":      func(a *provisioning.Account) { a.AuthName = "auth1001" },
		"backup server":  func(a *provisioning.Account) { a.Servers[1].Address = "192.0.2.2" },
		"expires":        func(a *provisioning.Account) { a.Servers[0].Expires = 2 * time.Minute },
		"outbound proxy": func(a *provisioning.Account) { a.OutboundProxy = "192.0.2.3:5060" },
	} {
		next := l.acc
		change(&next)
		l.setAccount(next)
		l.apply(ctx)
		if l.retryAt.IsZero() {
			t.Errorf("%s change did not schedule a new registration", name)
		}
		l.retryAt = time.Time{}
	}

	l.setEnabled(false)
	l.apply(ctx)
	if got := events(); len(got) != 0 {
		t.Errorf("events %v: the line never left disabled, nothing to report", got)
	}
	if l.active || !l.retryAt.IsZero() {
		t.Error("switched-off line still active")
	}
}

func TestFailover(t *testing.T) {
	for _, tt := range []struct {
		code int
		want bool
	}{
		{0, true}, {403, true}, {500, true}, {503, true}, {504, true},
		{401, false}, {404, false}, {407, false}, {423, false}, {603, false},
	} {
		if got := (result{code: tt.code}).failover(); got != tt.want {
			t.Errorf("failover after %d = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestGrantedExpires(t *testing.T) {
	ours := "sip:1001@127.0.0.1:5062"
	tests := []struct {
		name    string
		headers []sip.Header
		want    time.Duration
	}{
		{"our contact's expires", []sip.Header{
			contactHeader(t, "<sip:1001@127.0.0.1:9999>;expires=3000"),
			contactHeader(t, "<sip:1001@127.0.0.1:5062>;expires=120"),
			sip.NewHeader("Expires", "600"),
		}, 120 * time.Second},
		{"Expires header", []sip.Header{sip.NewHeader("Expires", "300")}, 300 * time.Second},
		{"other contacts only", []sip.Header{contactHeader(t, "<sip:1001@10.0.0.1:5060>;expires=10")}, time.Hour},
		{"nothing", nil, time.Hour},
		{"bad number", []sip.Header{sip.NewHeader("Expires", "soon")}, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := sip.NewResponse(200, "OK")
			for _, h := range tt.headers {
				res.AppendHeader(h)
			}
			if got := grantedExpires(res, ours, time.Hour); got != tt.want {
				t.Errorf("grantedExpires = %v, want %v", got, tt.want)
			}
		})
	}
}

func contactHeader(t *testing.T, value string) *sip.ContactHeader {
	t.Helper()
	h := &sip.ContactHeader{}
	name, err := sip.ParseAddressValue(value, &h.Address, &h.Params)
	if err != nil {
		t.Fatal(err)
	}
	h.DisplayName = name
	return h
}

func TestOptionsValidation(t *testing.T) {
	for name, o := range map[string]Options{
		"fraction 1":      {RefreshFraction: 1},
		"negative":        {RegisterTimeout: -time.Second},
		"retry max < min": {RetryMin: time.Minute, RetryMax: time.Second},
		"bad address":     {ListenAddr: "nonsense"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestSipgoLogsAreCutAndJunkDemoted(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(sipgoHandler{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})})
	log.Error("failed to parse", "data", strings.Repeat("A", 10000))
	if buf.Len() != 0 {
		t.Errorf("junk logged at Info: %s", buf.String())
	}
	log.Error("something of ours", "data", strings.Repeat("B", 10000))
	if n := strings.Count(buf.String(), "B"); n != maxLoggedValue {
		t.Errorf("logged %d bytes of the value, want %d", n, maxLoggedValue)
	}
}

// TestPasswordNeverLogged registers through a digest challenge with
// every log on, and looks for the password in the output.
func TestPasswordNeverLogged(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	var buf syncBuffer
	u, err := New(Options{ListenAddr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- u.Run(ctx) }()
	acc := testAccount()
	acc.Password = kamailiotest.Password1
	acc.Servers[0].Address = kam.Host()
	acc.Servers[0].Port = kam.Port()
	if err := u.SetAccount(1, acc); err != nil {
		t.Fatal(err)
	}
	for ev := range u.Events() {
		if re := ev.(RegistrationEvent); re.Line == 1 && re.State == RegistrationRegistered {
			break
		}
	}
	cancel()
	<-done
	out := buf.String()
	if !strings.Contains(out, "Authorization") && !strings.Contains(out, "registered") {
		t.Logf("log:\n%s", out)
	}
	if strings.Contains(out, kamailiotest.Password1) {
		t.Errorf("password in the log:\n%s", out)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestTLSListener(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	u, err := New(Options{ListenAddr: "127.0.0.1:0", TLSConfig: cfg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- u.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if !u.tlsAP.IsValid() {
		t.Fatal("no TLS listener")
	}
	c, err := tls.Dial("tcp", u.tlsAP.String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}
