package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// startPhoneProcess runs the ccphoned binary bin with env added to this
// process's environment, and waits for the panel's URL. The phone it
// returns is driven like startPhone's; stop sends SIGTERM.
func startPhoneProcess(t testing.TB, bin string, env []string, args ...string) *phone {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--board", "sim", "--panel", "127.0.0.1:0", "--log-level", "debug"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	p := &phone{t: t, stderr: &syncBuffer{}, done: make(chan int, 1)}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.pid = cmd.Process.Pid
	go func() {
		err := cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			code = -1
		}
		p.done <- code
	}()
	p.cancel = func() { _ = cmd.Process.Signal(syscall.SIGTERM) }
	t.Cleanup(func() {
		select {
		case code := <-p.done:
			p.done <- code
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	t.Cleanup(func() { p.cancel() })
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("no panel URL: %v; stderr:\n%s", err, p.stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	_, url, ok := strings.Cut(strings.TrimSpace(line), "front panel at ")
	if !ok {
		t.Fatalf("first line %q; stderr:\n%s", line, p.stderr)
	}
	p.url = url
	return p
}

// TestTLSRegistrationAndCall: both lines register with Kamailio over TLS
// (the registrar's certificate is for 127.0.0.1, signed by a CA made in
// the test). Without the CA the phone refuses the server; with the CA in
// sip.tls_ca_file both lines register
// (Kamailio keeps the bindings on its TLS socket), a call from the keys
// to baresip works, audio checked by frequency, hung up from the phone,
// and so does a call from baresip, which reaches the phone down its own
// TLS connection and is hung up by baresip.
func TestTLSRegistrationAndCall(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.StartWith(t, "tls", kamailiotest.Options{TLS: true})
	bin := filepath.Join(t.TempDir(), "ccphoned")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	port, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("sip.listen_port = %d\nrtp.port_min = 12000\nrtp.port_max = 12040\n", port)
	for n := 1; n <= 2; n++ {
		text += fmt.Sprintf(`account.%[1]d.enable = 1
account.%[1]d.user_name = 100%[1]d
account.%[1]d.password = secret100%[1]d
account.%[1]d.sip_server.1.address = 127.0.0.1
account.%[1]d.sip_server.1.port = %[2]d
account.%[1]d.sip_server.1.transport = tls
`, n, kam.TLSPort())
	}
	cfg := filepath.Join(t.TempDir(), "phone.cfg")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	// The system roots do not hold the test CA: no line registers.
	p := startPhoneProcess(t, bin, nil, "--config", cfg, "--state", t.TempDir())
	s := p.waitState("both lines failed", func(s apiState) bool {
		return len(s.Lines) == 2 && s.Lines[0].Registration == "failed" && s.Lines[1].Registration == "failed"
	})
	if s.Lines[0].Server != kam.TLSAddr() {
		t.Errorf("line 1 server %q, want %q", s.Lines[0].Server, kam.TLSAddr())
	}
	p.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if b, err := kam.Bindings(ctx, kamailiotest.User1); err != nil || len(b) != 0 {
		t.Errorf("bindings of 1001 through an untrusted TLS server: %+v %v", b, err)
	}

	// Trusting the CA.
	appendConfig(t, cfg, "sip.tls_ca_file = "+kam.CAFile()+"\n")
	audio := t.TempDir()
	p = startPhoneProcess(t, bin, nil, "--config", cfg, "--state", t.TempDir(), "--audio-dir", audio)
	logOnFailure(t, p)
	p.waitState("both lines registered over TLS", bothRegistered)
	for _, user := range []string{kamailiotest.User1, kamailiotest.User2} {
		kam.WaitRegistered(t, user, true, 10*time.Second)
		b, err := kam.Bindings(ctx, user)
		if err != nil || len(b) != 1 || !strings.HasPrefix(b[0].Socket, "tls:") || !strings.Contains(b[0].Address, "transport=tls") {
			t.Errorf("%s's binding %+v (%v), want one on the TLS socket with a TLS contact", user, b, err)
		}
	}

	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User3, Password: kamailiotest.Password3,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700})
	kam.WaitRegistered(t, kamailiotest.User3, true, 15*time.Second)
	p.press("1", "0", "0", "3", "ok")
	p.waitState("connected over TLS", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	waitPeer(t, bs, "CALL_ESTABLISHED", kamailiotest.User1)
	headset := filepath.Join(audio, "headset.raw")
	mark := rawSize(t, headset)
	waitGrowth(t, headset, mark+2*8000)
	if heard := rawSince(t, headset, mark); !dominant(heard, 8000, 700, 440, 1000) {
		t.Error("baresip's 700 Hz is not in the headset")
	}
	p.press("headset")
	waitPeer(t, bs, "CALL_CLOSED", kamailiotest.User1)
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })

	// baresip calls line 1: Kamailio reaches the phone down the TLS
	// connection the phone registered on (the phone has no TLS listener);
	// the headset key answers; baresip hangs up, and its BYE finds the
	// phone the same way.
	bs.Command(t, "dial", "sip:"+kamailiotest.User1+"@"+kam.Host())
	p.waitState("ringing over TLS", func(s apiState) bool { return sameStrings(callStates(s), "ringing") })
	p.press("headset")
	p.waitState("answered over TLS", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	waitPeer(t, bs, "CALL_ESTABLISHED", kamailiotest.User1)
	mark = rawSize(t, headset)
	waitGrowth(t, headset, mark+2*8000)
	if heard := rawSince(t, headset, mark); !dominant(heard, 8000, 700, 440, 1000) {
		t.Error("baresip's 700 Hz is not in the headset on the incoming call")
	}
	bs.Command(t, "hangup", "")
	waitPeer(t, bs, "CALL_CLOSED", kamailiotest.User1)
	p.waitState("the far end's BYE ended the call", func(s apiState) bool { return len(s.Calls) == 0 })
	if code := p.stop(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
}
