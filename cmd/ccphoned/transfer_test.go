package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// transferParties starts Kamailio, the phone (lines 1001 and 1002) and
// two auto-answering baresips: the transferee (1003) and the target
// (1004).
func transferParties(t *testing.T) (p *phone, transferee, target *baresiptest.Phone, kam *kamailiotest.Server) {
	t.Helper()
	baresiptest.Require(t)
	kam = kamailiotest.Start(t, "registrar")
	p = startPhone(t, "--config", registrarConfig(t, kam), "--state", t.TempDir())
	logOnFailure(t, p)
	p.waitState("registered", bothRegistered)
	transferee = baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User3, Password: kamailiotest.Password3,
		Registrar: kam.Addr(), AutoAnswer: true})
	target = baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User4, Password: kamailiotest.Password4,
		Registrar: kam.Addr(), AutoAnswer: true})
	kam.WaitRegistered(t, kamailiotest.User3, true, 15*time.Second)
	kam.WaitRegistered(t, kamailiotest.User4, true, 15*time.Second)
	return p, transferee, target, kam
}

// waitPeer waits for a baresip event of type typ whose far end is user
// (its AOR, or a baresip contact, which reads sip:user-0x…@host),
// skipping other events.
func waitPeer(t *testing.T, bs *baresiptest.Phone, typ, user string) baresiptest.Event {
	t.Helper()
	var seen []string
	for range 20 {
		ev := bs.WaitEvent(t, typ)
		peer := fmt.Sprint(ev["peeruri"])
		if strings.Contains(peer, "sip:"+user+"@") || strings.Contains(peer, "sip:"+user+"-") {
			return ev
		}
		seen = append(seen, peer)
	}
	t.Fatalf("no %s with %s; saw it with %v", typ, user, seen)
	return nil
}

// TestBlindTransferFromTransferKey: the agent (1001) calls 1003, presses
// Transfer, types 1004 and OK. The phone sends REFER; 1003 calls 1004
// and reports progress by NOTIFY, which the phone logs and shows on the
// LCD up to 200 ("Transferred"); the phone's call ends and 1003 talks to
// 1004.
func TestBlindTransferFromTransferKey(t *testing.T) {
	p, transferee, target, _ := transferParties(t)

	p.press("1", "0", "0", "3", "ok")
	p.waitState("connected", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	waitPeer(t, transferee, "CALL_ESTABLISHED", kamailiotest.User1)

	p.press("transfer", "1", "0", "0", "4", "ok")
	p.waitNotice("Transferred") // the NOTIFY with 200
	waitPeer(t, target, "CALL_ESTABLISHED", kamailiotest.User3)
	waitPeer(t, transferee, "CALL_ESTABLISHED", kamailiotest.User4)
	waitPeer(t, transferee, "CALL_CLOSED", kamailiotest.User1)
	s := p.waitState("the phone's call ended", func(s apiState) bool { return len(s.Calls) == 0 })
	if !ledIs(s, "line1", "off", "off") || !ledIs(s, "headset", "off", "off") {
		t.Errorf("LEDs after the transfer: line1 %+v headset %+v", s.LEDs["line1"], s.LEDs["headset"])
	}
	log := p.stderr.String()
	if !strings.Contains(log, `msg="transfer progress"`) || !strings.Contains(log, "code=200") {
		t.Errorf("the phone did not report the NOTIFY progress up to 200")
	}
	if !strings.Contains(log, "reason=transferred") {
		t.Errorf("the phone's call did not end as transferred")
	}
	transferee.Command(t, "hangup", "")
	waitPeer(t, target, "CALL_CLOSED", kamailiotest.User3)
}

// TestAttendedTransferFromKeys: the agent talks to 1003, presses Line 2
// (1003 is held) and calls 1004 on line 2 to consult, then presses
// Transfer: the phone sends 1003 a REFER with Replaces for the
// consultation; 1003 calls 1004, both of the phone's calls end, and
// 1003 talks to 1004.
func TestAttendedTransferFromKeys(t *testing.T) {
	p, transferee, target, _ := transferParties(t)

	p.press("1", "0", "0", "3", "ok")
	p.waitState("connected", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	waitPeer(t, transferee, "CALL_ESTABLISHED", kamailiotest.User1)

	p.press("line2")
	p.waitState("1003 held, line 2 dialling", func(s apiState) bool { return sameStrings(callStates(s), "held", "dialing") })
	p.press("1", "0", "0", "4", "ok")
	s := p.waitState("consulting 1004", func(s apiState) bool { return sameStrings(callStates(s), "held", "connected") })
	if calls := callList(t, s); calls[1].Line != 2 || !strings.Contains(calls[1].Remote, "1004") {
		t.Errorf("the consultation %+v, want 1004 on line 2", calls[1])
	}
	if !ledIs(s, "line1", "red", "slow") || !ledIs(s, "line2", "red", "steady") {
		t.Errorf("LEDs while consulting: line1 %+v line2 %+v", s.LEDs["line1"], s.LEDs["line2"])
	}
	waitPeer(t, target, "CALL_ESTABLISHED", kamailiotest.User2)

	p.press("transfer")
	waitPeer(t, target, "CALL_ESTABLISHED", kamailiotest.User3)
	waitPeer(t, transferee, "CALL_ESTABLISHED", kamailiotest.User4)
	s = p.waitState("both of the phone's calls ended", func(s apiState) bool { return len(s.Calls) == 0 })
	if !ledIs(s, "line1", "off", "off") || !ledIs(s, "line2", "off", "off") {
		t.Errorf("LEDs after the transfer: line1 %+v line2 %+v", s.LEDs["line1"], s.LEDs["line2"])
	}
	transferee.Command(t, "hangup", "")
	waitPeer(t, target, "CALL_CLOSED", kamailiotest.User3)
}
