package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ccphone/provisioning/nginxtest"
	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// TestRestarterWaitsForIdleLines: settings read at any time cause no
// restart; one read only at start does, after idlePolls idle polls in a
// row, with the LCD told first that a restart is pending.
func TestRestarterWaitsForIdleLines(t *testing.T) {
	// What the lines say at each poll once a restart is pending.
	const idle, busy = true, false
	var script []bool
	for range 2 * idlePolls {
		script = append(script, busy)
	}
	for range idlePolls - 1 {
		script = append(script, idle)
	}
	script = append(script, busy) // a call starts just before the window ends
	for range idlePolls {
		script = append(script, idle)
	}
	polls := 0 // Run's goroutine counts; read after it stopped
	r := newRestarter(func() bool {
		polls++
		return script[polls-1]
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var notices []string
	r.notify = func(key string) { notices = append(notices, key) }
	ticks := make(chan time.Time)
	restarted := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		r.Run(t.Context(), ticks, func() { close(restarted) })
	}()
	tick := func(what string) {
		t.Helper()
		select {
		case ticks <- time.Now():
		case <-stopped:
			t.Fatalf("restarted %s", what)
		}
	}

	r.Offer([]string{"account.1.label", "lcd.contrast"})
	for range 2 * idlePolls {
		tick("for settings that apply at once") // polls nothing: no script used
	}
	r.Offer([]string{"account.1.label", "sip.listen_port"})
	for i := range script {
		tick("before " + strconv.Itoa(idlePolls) + " idle polls in a row, at poll " + strconv.Itoa(i+1))
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("no restart after the lines were idle")
	}
	select {
	case <-restarted:
	default:
		t.Fatal("Run returned without asking for the restart")
	}
	if polls != len(script) {
		t.Errorf("polled the lines %d times, want %d", polls, len(script))
	}
	if want := []string{"notice.restart_pending", "notice.restarting"}; !slices.Equal(notices, want) {
		t.Errorf("LCD notices %q, want %q", notices, want)
	}
}

// TestListenPortChangeRestartsWhenIdle: a provisioned change of the SIP
// port arrives during a call; the call goes on, and only when it has
// ended does ccphoned stop to be started again (exitReexec); started
// again, it listens on the new port.
func TestListenPortChangeRestartsWhenIdle(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	dir := t.TempDir()
	cfg := registrarConfig(t, kam)
	lineOneOnly(t, cfg)
	srv := nginxtest.Start(t, nginxtest.Options{Root: dir})
	appendConfig(t, cfg, "provisioning.server_url = "+srv.URL+"/\nprovisioning.interval = 0\n")
	const mac = "00:15:65:00:00:01"
	if err := os.WriteFile(filepath.Join(dir, "cc800.cfg"), []byte("account.1.label = Queue A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	p := startPhone(t, "--config", cfg, "--state", state, "--mac", mac)
	p.waitState("registered", func(s apiState) bool {
		return s.Lines[0].Registration == "registered" && s.Lines[0].Label == "Queue A"
	})
	oldPort := sipPort(t, cfg)
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)
	p.press("1", "0", "0", "2", "ok")
	p.waitState("connected", func(s apiState) bool { return callField(s, "state") == "connected" })
	bs.WaitEvent(t, "CALL_ESTABLISHED")

	newPort, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cc800.cfg"),
		[]byte("account.1.label = Queue B\nsip.listen_port = "+strconv.Itoa(newPort)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := checkSync(t, kam.Host(), "127.0.0.1:"+strconv.Itoa(oldPort)); got != "SIP/2.0 200 OK" {
		t.Fatalf("check-sync answered %q", got)
	}
	p.waitState("the new label", func(s apiState) bool { return s.Lines[0].Label == "Queue B" })
	// Twice the idle window: the phone must not restart under the call.
	select {
	case code := <-p.done:
		p.done <- code
		t.Fatalf("ccphoned stopped (exit %d) during a call", code)
	case <-time.After(2 * idlePolls * idlePoll):
	}
	if callField(p.state(), "state") != "connected" {
		t.Fatalf("the call did not survive the change: %+v", p.state().Calls)
	}
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	select {
	case code := <-p.done:
		p.done <- code
		if code != exitReexec {
			t.Fatalf("exit %d after the call, want %d (start again)", code, exitReexec)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ccphoned did not restart once the lines were idle")
	}

	p = startPhone(t, "--config", cfg, "--state", state, "--mac", mac)
	p.waitState("registered again", func(s apiState) bool { return s.Lines[0].Registration == "registered" })
	if got := checkSync(t, kam.Host(), "127.0.0.1:"+strconv.Itoa(newPort)); got != "SIP/2.0 200 OK" {
		t.Errorf("on the new port %d check-sync answered %q", newPort, got)
	}
}

// sipPort reads sip.listen_port from a config file registrarConfig wrote.
func sipPort(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var port int
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "sip.listen_port = "); ok {
			port, _ = strconv.Atoi(v)
		}
	}
	if port == 0 {
		t.Fatalf("%s: no sip.listen_port", path)
	}
	return port
}

// TestHeartbeat: with the watchdog's descriptor in the environment, a
// byte arrives for each period while the event loop answers, and none
// while it does not.
func TestHeartbeat(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	t.Setenv(watchdogEnv, strconv.Itoa(int(w.Fd())))
	var stuck atomic.Bool
	alive := func(ctx context.Context) error {
		if stuck.Load() {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		heartbeat(ctx, 20*time.Millisecond, alive, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	buf := make([]byte, 16)
	for range 3 {
		if err := r.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if n, err := r.Read(buf); err != nil || n == 0 {
			t.Fatalf("no heartbeat while alive: %d, %v", n, err)
		}
	}
	stuck.Store(true)
	// Drain what was sent before the loop got stuck, then expect silence.
	time.Sleep(100 * time.Millisecond)
	r.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	r.Read(buf)
	if err := r.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(buf); err == nil {
		t.Errorf("%d heartbeat bytes while the event loop was stuck", n)
	}
	cancel()
	<-done
}

// TestRestartInPlace runs the real binary: a provisioned change of the
// SIP port, with no call up, makes ccphoned replace itself (the same
// process, never exiting) with a copy that listens on the new port and
// serves the panel where it did.
func TestRestartInPlace(t *testing.T) {
	dir := t.TempDir()
	srv := nginxtest.Start(t, nginxtest.Options{Root: dir})
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "cc800.cfg"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("account.1.label = Queue A\n")
	oldPort, err := freeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	newPort, err := freeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	panelPort, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// Line 1's server is this host, so a check-sync from it is trusted;
	// nothing answers there, which does not matter here.
	cfg := filepath.Join(t.TempDir(), "phone.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("sip.listen_port = %d\naccount.1.enable = 1\naccount.1.user_name = 1001\n"+
		"account.1.sip_server.1.address = 127.0.0.1\naccount.1.sip_server.1.port = 9\n"+
		"provisioning.server_url = %s/\nprovisioning.interval = 0\n", oldPort, srv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ccphoned")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	p := startPhoneProcess(t, bin, nil, "--config", cfg, "--state", t.TempDir(), "--mac", "00:15:65:00:00:02",
		"--panel", "127.0.0.1:"+strconv.Itoa(panelPort))
	logOnFailure(t, p)
	p.waitState("provisioned", func(s apiState) bool { return len(s.Lines) > 0 && s.Lines[0].Label == "Queue A" })

	write("account.1.label = Queue B\nsip.listen_port = " + strconv.Itoa(newPort) + "\n")
	if got := checkSync(t, "127.0.0.1", "127.0.0.1:"+strconv.Itoa(oldPort)); got != "SIP/2.0 200 OK" {
		t.Fatalf("check-sync answered %q", got)
	}
	deadline := time.Now().Add(30 * time.Second)
	for checkSync(t, "127.0.0.1", "127.0.0.1:"+strconv.Itoa(newPort)) != "SIP/2.0 200 OK" {
		if time.Now().After(deadline) {
			t.Fatal("nothing answers on the new SIP port")
		}
	}
	select {
	case code := <-p.done:
		t.Fatalf("the process exited (%d) instead of replacing itself", code)
	default:
	}
	p.waitState("the new copy's panel", func(s apiState) bool { return len(s.Lines) > 0 && s.Lines[0].Label == "Queue B" })
	if !strings.Contains(p.stderr.String(), `msg="restarting to apply settings"`) {
		t.Error("no restart in the log")
	}
	if n := strings.Count(p.stderr.String(), "msg=started"); n != 2 {
		t.Errorf("%d starts in the log, want 2 (one process, started twice)", n)
	}
}
