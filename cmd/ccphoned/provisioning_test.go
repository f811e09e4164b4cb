package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccphone/provisioning/nginxtest"
	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// checkSync sends a NOTIFY Event: check-sync from a UDP socket on host to
// the phone at to, and returns the status line of the answer.
func checkSync(t *testing.T, host, to string) string {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		t.Skipf("cannot bind %s: %v", host, err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := "NOTIFY sip:1001@" + to + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:prov@" + local + ">;tag=cs1\r\n" +
		"To: <sip:1001@" + to + ">\r\n" +
		"Call-ID: cs-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\n" +
		"CSeq: 1 NOTIFY\r\n" +
		"Event: check-sync\r\n" +
		"Subscription-State: terminated\r\n" +
		"Content-Length: 0\r\n\r\n"
	raddr, err := net.ResolveUDPAddr("udp", to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteTo([]byte(msg), raddr); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		return "no answer"
	}
	line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	return line
}

// TestProvisioningFromNginx runs the phone against a real provisioning
// server and registrar: the files from nginx apply at start; a changed
// file applies on check-sync from the registrar's host, and not on the
// same NOTIFY from a stranger; a broken file changes nothing and says so.
func TestProvisioningFromNginx(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	root := t.TempDir()
	srv := nginxtest.Start(t, nginxtest.Options{Root: root})
	const mac = "00:15:65:aa:bb:cc"
	// nginx's ETag and Last-Modified come from the file's size and
	// mtime in seconds: each version gets a later mtime, as an admin's
	// edit a while later would.
	version := time.Now().Add(-time.Hour)
	write := func(name, data string) {
		t.Helper()
		path := filepath.Join(root, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		version = version.Add(time.Minute)
		if err := os.Chtimes(path, version, version); err != nil {
			t.Fatal(err)
		}
	}
	common := "account.1.sip_server.1.address = " + kam.Host() + "\n" +
		"account.1.sip_server.1.port = " + strconv.Itoa(kam.Port()) + "\n" +
		"account.1.enable = 1\naccount.1.user_name = 1001\naccount.1.password = secret1001\n"
	write("cc800.cfg", common)
	write("001565aabbcc.cfg", "account.1.label = Queue A\n")

	sipPort, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "phone.cfg")
	baseCfg := "sip.listen_port = " + strconv.Itoa(sipPort) + "\n" +
		"provisioning.server_url = " + srv.URL + "/\n" +
		"provisioning.interval = 0\n"
	if err := os.WriteFile(base, []byte(baseCfg), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startPhone(t, "--config", base, "--state", t.TempDir(), "--mac", mac)
	p.waitState("the provisioned line registered", func(s apiState) bool {
		return s.Lines[0].Label == "Queue A" && s.Lines[0].Registration == "registered"
	})
	sipAddr := "127.0.0.1:" + strconv.Itoa(sipPort)

	write("001565aabbcc.cfg", "account.1.label = Queue B\n")
	if got := checkSync(t, "127.0.0.2", sipAddr); got != "no answer" {
		t.Errorf("a stranger's check-sync was answered: %q", got)
	}
	if got := checkSync(t, kam.Host(), sipAddr); got != "SIP/2.0 200 OK" {
		t.Fatalf("the registrar's check-sync answered %q", got)
	}
	p.waitState("the new label", func(s apiState) bool { return s.Lines[0].Label == "Queue B" })
	if s := p.state(); s.Lines[0].Registration != "registered" {
		t.Errorf("a label change disturbed the registration: %q", s.Lines[0].Registration)
	}

	// A broken file changes nothing; the phone says why.
	write("001565aabbcc.cfg", "account.1.label = Queue C\nlcd.contrast = dark\n")
	checkSync(t, kam.Host(), sipAddr)
	s := p.waitState("the failed check", func(s apiState) bool { return s.Provisioning.Result == "failed" })
	if !strings.Contains(s.Provisioning.Error, "001565aabbcc.cfg:2: lcd.contrast") {
		t.Errorf("error %q does not name the file, line and key", s.Provisioning.Error)
	}
	if s.Lines[0].Label != "Queue B" || s.Lines[0].Registration != "registered" {
		t.Errorf("a broken file changed the phone: %+v", s.Lines[0])
	}
}

// registration identifies user's binding at srv by its Call-ID and CSeq:
// a new REGISTER changes one or the other, so a re-registration shows.
func registration(t *testing.T, srv *kamailiotest.Server, user string) string {
	t.Helper()
	b, err := srv.Bindings(t.Context(), user)
	if err != nil {
		t.Fatalf("bindings of %s: %v", user, err)
	}
	if len(b) == 0 {
		return "none"
	}
	return fmt.Sprintf("%s/%d", b[0].CallID, b[0].CSeq)
}

// TestReprovisionDuringCall changes both lines while line 1 is in a call:
// line 2 re-registers at once; line 1 keeps its registration and its call,
// and re-registers when the call ends.
func TestReprovisionDuringCall(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	root := t.TempDir()
	srv := nginxtest.Start(t, nginxtest.Options{Root: root})
	version := time.Now().Add(-time.Hour)
	write := func(data string) {
		t.Helper()
		path := filepath.Join(root, "cc800.cfg")
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		version = version.Add(time.Minute)
		if err := os.Chtimes(path, version, version); err != nil {
			t.Fatal(err)
		}
	}
	accounts := func(name1, name2 string) string {
		return fmt.Sprintf(`account.1.enable = 1
account.1.user_name = 1001
account.1.password = secret1001
account.1.display_name = %s
account.1.sip_server.1.address = %s
account.1.sip_server.1.port = %d
account.2.enable = 1
account.2.user_name = doorphone
account.2.password = doorpass
account.2.display_name = %s
account.2.sip_server.1.address = %s
account.2.sip_server.1.port = %d
`, name1, kam.Host(), kam.Port(), name2, kam.Host(), kam.Port())
	}
	write(accounts("Anna", "Door"))
	sipPort, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "phone.cfg")
	if err := os.WriteFile(base, []byte(fmt.Sprintf("sip.listen_port = %d\nprovisioning.server_url = %s/\nprovisioning.interval = 0\n", sipPort, srv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startPhone(t, "--config", base, "--state", t.TempDir(), "--mac", "00:15:65:aa:bb:01")
	p.waitState("both lines registered", bothRegistered)
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	p.press("1", "0", "0", "2", "ok")
	p.waitState("in a call on line 1", func(s apiState) bool { return callField(s, "state") == "connected" })
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	line1, line2 := registration(t, kam, "1001"), registration(t, kam, "doorphone")

	// Both lines change; the server says so.
	write(accounts("Anna Petrova", "Door 2"))
	if got := checkSync(t, kam.Host(), "127.0.0.1:"+strconv.Itoa(sipPort)); got != "SIP/2.0 200 OK" {
		t.Fatalf("check-sync answered %q", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r := registration(t, kam, "doorphone"); r == line2 || r == "none"; r = registration(t, kam, "doorphone") {
		if time.Now().After(deadline) {
			t.Fatal("line 2 did not re-register after the change")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := registration(t, kam, "1001"); got != line1 {
		t.Errorf("line 1 re-registered during its call (%s -> %s)", line1, got)
	}
	if s := p.state(); callField(s, "state") != "connected" {
		t.Fatalf("the call was dropped: %+v", s.Calls)
	}

	// The call ends; then line 1 takes its new account.
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	deadline = time.Now().Add(10 * time.Second)
	for r := registration(t, kam, "1001"); r == line1 || r == "none"; r = registration(t, kam, "1001") {
		if time.Now().After(deadline) {
			t.Fatal("line 1 did not re-register after its call")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.waitState("both registered again", bothRegistered)
}
