package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccphone/sip/kamailiotest"
)

// registrarConfig writes a config whose two lines register with srv, and
// whose SIP port is free.
func registrarConfig(t testing.TB, srv *kamailiotest.Server) string {
	t.Helper()
	port, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`sip.listen_port = %d
rtp.port_min = 12000
rtp.port_max = 12040
account.1.enable = 1
account.1.label = Sales 10
account.1.user_name = 1001
account.1.password = secret1001
account.1.sip_server.1.address = %s
account.1.sip_server.1.port = %d
account.2.enable = 1
account.2.label = Support 20
account.2.user_name = 1002
account.2.password = secret1002
account.2.sip_server.1.address = %s
account.2.sip_server.1.port = %d
account.2.sip_server.1.transport = tcp
`, port, srv.Host(), srv.Port(), srv.Host(), srv.Port())
	path := filepath.Join(t.TempDir(), "phone.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func bothRegistered(s apiState) bool {
	return len(s.Lines) == 2 && s.Lines[0].Registration == "registered" && s.Lines[1].Registration == "registered"
}

// TestLinesRegisterWithKamailio starts the phone against a real registrar:
// both lines register, and a long press on a line key switches that
// line's registration off and on again.
func TestLinesRegisterWithKamailio(t *testing.T) {
	srv := kamailiotest.Start(t, "registrar")
	p := startPhone(t, "--config", registrarConfig(t, srv), "--state", t.TempDir())
	s := p.waitState("both lines registered", bothRegistered)
	if s.Lines[0].Server != srv.Addr() {
		t.Errorf("line 1 server %q, want %q", s.Lines[0].Server, srv.Addr())
	}
	srv.WaitRegistered(t, "1001", true, 10*time.Second)
	srv.WaitRegistered(t, "1002", true, 10*time.Second)

	resp, err := http.Post(p.url+"api/keys/line1?hold=1500", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	p.waitState("line 1 switched off", func(s apiState) bool { return s.Lines[0].Registration == "disabled" })
	srv.WaitRegistered(t, "1001", false, 10*time.Second)

	resp, err = http.Post(p.url+"api/keys/line1?hold=1500", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	p.waitState("line 1 back", bothRegistered)

	if code := p.stop(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	// A clean stop unregisters both lines.
	srv.WaitRegistered(t, "1001", false, 10*time.Second)
	srv.WaitRegistered(t, "1002", false, 10*time.Second)
}

// BenchmarkBootToRegistered measures the DESIGN's boot budget: from
// starting the ccphoned process to both lines registered with a local
// registrar (reported as ms/boot).
func BenchmarkBootToRegistered(b *testing.B) {
	srv := kamailiotest.Start(b, "registrar")
	bin := filepath.Join(b.TempDir(), "ccphoned")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	cfg := registrarConfig(b, srv)
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(bin, "--board", "sim", "--panel", "127.0.0.1:0", "--config", cfg, "--state", b.TempDir())
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			b.Fatal(err)
		}
		_, url, _ := strings.Cut(strings.TrimSpace(line), "front panel at ")
		p := &phone{url: url}
		for {
			s, err := p.fetchState()
			if err == nil && bothRegistered(s) {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatalf("not registered after 10 s: %+v %v", s, err)
			}
			time.Sleep(time.Millisecond)
		}
		total += time.Since(start)
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/boot")
}

// appendConfig adds settings to the config file at path.
func appendConfig(t testing.TB, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// lineOneOnly turns line 2 off in a config registrarConfig wrote.
func lineOneOnly(t testing.TB, path string) {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text = []byte(strings.Replace(string(text), "account.2.enable = 1", "account.2.enable = 0", 1))
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
}
