package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
	"ccphone/sip/sipptest"
	"ccphone/ui/font"
)

// longPress holds a key through the panel API for ms milliseconds.
func (p *phone) longPress(key string, ms int) {
	p.t.Helper()
	resp, err := http.Post(fmt.Sprintf("%sapi/keys/%s?hold=%d", p.url, key, ms), "", nil)
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		p.t.Fatalf("long press %s: %s", key, resp.Status)
	}
}

// TestVoicemailWaitingAndKey: line 1 (1001, voicemail *97) registers at
// sipp playing registrar and voicemail server (mwi_server.xml). The phone
// subscribes to message-summary; sipp checks the SUBSCRIBE (Event,
// Accept, digest auth, its refresh in the dialog) and notifies 2 then 3
// new messages, which /api/state and the idle screen's status bar show. Switching line 1 off (long press)
// unsubscribes and unregisters, as sipp requires to pass. Line 2 (1002
// at Kamailio) has voicemail 1004, a baresip: the voicemail key (a long
// 1) dials it on the line in use.
func TestVoicemailWaitingAndKey(t *testing.T) {
	sipptest.Require(t)
	baresiptest.Require(t)
	vm := sipptest.Start(t, "mwi_server.xml", "127.0.0.1:5060", sipptest.Options{Service: kamailiotest.User1, Calls: 2,
		Timeout: 60 * time.Second})
	kam := kamailiotest.Start(t, "registrar")
	port, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "phone.cfg")
	// No keep-alives: sipp, line 1's registrar, takes only the requests
	// its scenario scripts.
	err = os.WriteFile(cfg, fmt.Appendf(nil, `sip.listen_port = %d
sip.keepalive_interval = 0
rtp.port_min = 12000
rtp.port_max = 12040
account.1.enable = 1
account.1.label = Sales 10
account.1.user_name = 1001
account.1.password = secret1001
account.1.voicemail_number = *97
account.1.sip_server.1.address = 127.0.0.1
account.1.sip_server.1.port = %d
account.2.enable = 1
account.2.label = Support 20
account.2.user_name = 1002
account.2.password = secret1002
account.2.voicemail_number = 1004
account.2.sip_server.1.address = 127.0.0.1
account.2.sip_server.1.port = %d
`, port, vm.Port, kam.Port()), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	p := startPhone(t, "--config", cfg, "--state", t.TempDir())
	logOnFailure(t, p)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("sipp (voicemail server): %v", vm.Wait())
		}
	})
	p.waitState("registered", bothRegistered)
	box := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User4, Password: kamailiotest.Password4,
		Registrar: kam.Addr(), AutoAnswer: true})
	kam.WaitRegistered(t, kamailiotest.User4, true, 15*time.Second)

	// The second NOTIFY, after the subscription's refresh, says 3 new.
	deadline := time.Now().Add(15 * time.Second)
	for p.more().Voicemail != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("voicemail %d in /api/state, want 3", p.more().Voicemail)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The idle screen's status bar: the voicemail icon and the count.
	want := expectedIcons(font.IconVoicemail)
	font.Small.Draw(want, font.IconVoicemail.Width()+2, (statusIcons.Dy()-font.Small.Height())/2, "3")
	if !sameRegion(p.lcd(), want, statusIcons) {
		t.Error("the idle screen's status bar does not show the voicemail icon with 3")
	}

	// Line 1 off: the subscription ends, then the registration.
	p.longPress("line1", 1500)
	p.waitState("line 1 off", func(s apiState) bool { return s.Lines[0].Registration == "disabled" })
	if res := vm.Wait(); res.Exit != 0 || res.Successful != 2 {
		t.Errorf("sipp (voicemail server): %v", res)
	}

	// The voicemail key dials line 2's voicemail.
	p.longPress("1", 1500)
	s := p.waitState("calling voicemail", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	if c := callList(t, s)[0]; c.Line != 2 || !strings.Contains(c.Remote, "1004") {
		t.Errorf("voicemail call %+v, want 1004 on line 2", c)
	}
	waitPeer(t, box, "CALL_ESTABLISHED", kamailiotest.User2)
	p.press("headset")
	waitPeer(t, box, "CALL_CLOSED", kamailiotest.User2)
}
