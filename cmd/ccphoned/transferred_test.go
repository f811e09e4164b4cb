package main

import (
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
	"ccphone/sip/sipptest"
)

// TestTransferredByFarEnd: sipp calls line 1 and the agent answers; sipp
// then REFERs the phone to 1004 (baresip, auto answer, through Kamailio)
// and checks the NOTIFY progress (refer.xml). The phone calls 1004 on
// the same line by itself: the new call shows on the screen and on a
// line key's LED as connected, baresip talks to 1001, the first call ends, and the
// Headset key hangs up the new call.
func TestTransferredByFarEnd(t *testing.T) {
	sipptest.Require(t)
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	cfg := registrarConfig(t, kam)
	p := startPhone(t, "--config", cfg, "--state", t.TempDir())
	logOnFailure(t, p)
	p.waitState("registered", bothRegistered)
	target := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User4, Password: kamailiotest.Password4,
		Registrar: kam.Addr(), AutoAnswer: true})
	kam.WaitRegistered(t, kamailiotest.User4, true, 15*time.Second)

	sp := sipptest.Start(t, "refer.xml", sipAddr(t, cfg), sipptest.Options{Service: kamailiotest.User1,
		Keys: map[string]string{"refer_to": "sip:" + kamailiotest.User4 + "@" + kam.Addr()}})
	p.waitState("sipp ringing", func(s apiState) bool { return sameStrings(callStates(s), "ringing") })
	p.press("headset")

	ev := waitPeer(t, target, "CALL_ESTABLISHED", kamailiotest.User1)
	if res := sp.Wait(); res.Exit != 0 || res.Successful != 1 {
		t.Errorf("sipp (the transferor): %v", res)
	}
	s := p.waitState("the transferred call alone, connected", func(s apiState) bool {
		return sameStrings(callStates(s), "connected")
	})
	call := callList(t, s)[0]
	if call.Line != 1 || call.Direction != "out" || !strings.Contains(call.Remote, kamailiotest.User4) {
		t.Errorf("the new call %+v, want 1004 out of line 1 (baresip saw %v)", call, ev["peeruri"])
	}
	// The new call came while the first still held line key 1: it shows
	// on whichever line key was free.
	oneKey := ledIs(s, "line1", "red", "steady") && ledIs(s, "line2", "off", "off") ||
		ledIs(s, "line2", "red", "steady") && ledIs(s, "line1", "off", "off")
	if !oneKey || !ledIs(s, "headset", "red", "steady") {
		t.Errorf("LEDs in the transferred call: line1 %+v line2 %+v headset %+v", s.LEDs["line1"], s.LEDs["line2"], s.LEDs["headset"])
	}
	p.press("headset")
	waitPeer(t, target, "CALL_CLOSED", kamailiotest.User1)
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
}
