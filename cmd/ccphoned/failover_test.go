package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// failoverExpires is the registration lifetime the phone asks for: the
// schema's minimum, so a refresh (at 85% of it) comes soon.
const failoverExpires = 30

// TestFailoverThroughThePhone: both lines register at the primary
// Kamailio with a backup configured (line 1 over UDP, line 2 over TCP).
// The agent is in a call with baresip (700 Hz) when the primary dies:
// both lines register at the backup within two refresh intervals, the
// call stays connected with baresip's audio still in the headset, and
// once the primary is back both lines return to it (and leave the
// backup). The call then ends from the Headset key.
func TestFailoverThroughThePhone(t *testing.T) {
	baresiptest.Require(t)
	primary := kamailiotest.Start(t, "primary")
	backup := kamailiotest.Start(t, "backup")
	port, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "phone.cfg")
	var text string
	text += fmt.Sprintf("sip.listen_port = %d\nrtp.port_min = 12000\nrtp.port_max = 12040\n", port)
	for n, transport := range map[int]string{1: "udp", 2: "tcp"} {
		user := fmt.Sprintf("100%d", n)
		text += fmt.Sprintf(`account.%[1]d.enable = 1
account.%[1]d.user_name = %[2]s
account.%[1]d.password = secret%[2]s
account.%[1]d.sip_server.1.address = 127.0.0.1
account.%[1]d.sip_server.1.port = %[3]d
account.%[1]d.sip_server.1.transport = %[5]s
account.%[1]d.sip_server.1.expires = %[6]d
account.%[1]d.sip_server.2.address = 127.0.0.1
account.%[1]d.sip_server.2.port = %[4]d
account.%[1]d.sip_server.2.transport = %[5]s
account.%[1]d.sip_server.2.expires = %[6]d
`, n, user, primary.Port(), backup.Port(), transport, failoverExpires)
	}
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	audio := t.TempDir()
	p := startPhone(t, "--config", cfg, "--state", t.TempDir(), "--audio-dir", audio)
	logOnFailure(t, p)
	onServer := func(addr string) func(apiState) bool {
		return func(s apiState) bool {
			return bothRegistered(s) && s.Lines[0].Server == addr && s.Lines[1].Server == addr
		}
	}
	p.waitState("both lines at the primary", onServer(primary.Addr()))

	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User3, Password: kamailiotest.Password3,
		Registrar: primary.Addr(), AutoAnswer: true, ToneHz: 700})
	primary.WaitRegistered(t, kamailiotest.User3, true, 15*time.Second)
	p.press("1", "0", "0", "3", "ok")
	p.waitState("in a call", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	waitPeer(t, bs, "CALL_ESTABLISHED", kamailiotest.User1)

	// The primary dies. Each line finds out at its next refresh (85% of
	// the lifetime) and moves to the backup.
	primary.Kill()
	killed := time.Now()
	twoRefreshes := 2 * failoverExpires * 85 * time.Second / 100
	waitLines(t, p, "both lines at the backup", twoRefreshes, onServer(backup.Addr()))
	t.Logf("both lines at the backup %v after the primary died", time.Since(killed).Round(time.Second))
	backup.WaitRegistered(t, kamailiotest.User1, true, 10*time.Second)
	backup.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	// The call did not notice.
	s := p.state()
	if !sameStrings(callStates(s), "connected") || !ledIs(s, "line1", "red", "steady") {
		t.Errorf("after the failover the call is %v, line1 LED %+v", callStates(s), s.LEDs["line1"])
	}
	headset := filepath.Join(audio, "headset.raw")
	mark := rawSize(t, headset)
	waitGrowth(t, headset, mark+2*8000)
	if heard := rawSince(t, headset, mark); !dominant(heard, 8000, 700, 440, 1000) {
		t.Error("baresip's 700 Hz is gone from the headset after the failover")
	}

	// The primary comes back: the lines probe it and return.
	primary.Restart()
	waitLines(t, p, "both lines back at the primary", 2*time.Minute, onServer(primary.Addr()))
	primary.WaitRegistered(t, kamailiotest.User1, true, 10*time.Second)
	primary.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)
	backup.WaitRegistered(t, kamailiotest.User1, false, 10*time.Second)
	backup.WaitRegistered(t, kamailiotest.User2, false, 10*time.Second)

	// The call survived all of it; the agent ends it.
	if s := p.state(); !sameStrings(callStates(s), "connected") {
		t.Errorf("after the failback the call is %v", callStates(s))
	}
	p.press("headset")
	waitPeer(t, bs, "CALL_CLOSED", kamailiotest.User1)
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
}

// waitLines polls /api/state like waitState, with a longer limit: the
// registration timers run in tens of seconds.
func waitLines(t *testing.T, p *phone, what string, limit time.Duration, cond func(apiState) bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := p.state()
		if cond(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not %s after %v: lines %+v", what, limit, s.Lines)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
