package main

import (
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// TestKeysDNDAndHold drives two more call features from the panel's keys
// against baresip through Kamailio: DND refuses a call with 486 (baresip
// sees it closed busy), and the Hold key holds and resumes a call (the
// line LED blinks red while held).
func TestKeysDNDAndHold(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	p := startPhone(t, "--config", registrarConfig(t, kam), "--state", t.TempDir())
	p.waitState("registered", bothRegistered)
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	// DND from its softkey on the idle screen.
	p.press("soft3")
	p.waitState("DND on", func(s apiState) bool { return s.DND })
	bs.Command(t, "dial", "sip:1001@"+kam.Host())
	closed := bs.WaitEvent(t, "CALL_CLOSED")
	if param, _ := closed["param"].(string); !strings.Contains(param, "486") {
		t.Errorf("baresip's call closed with %q, want 486", param)
	}
	if s := p.state(); len(s.Calls) != 0 {
		t.Errorf("a DND call reached the screen: %+v", s.Calls)
	}
	p.press("soft3")
	p.waitState("DND off", func(s apiState) bool { return !s.DND })

	// Hold and resume with the Hold key.
	p.press("1", "0", "0", "2", "ok")
	p.waitState("connected", func(s apiState) bool { return callField(s, "state") == "connected" })
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	p.press("hold")
	s := p.waitState("held", func(s apiState) bool { return callField(s, "state") == "held" })
	if l := s.LEDs["line1"]; l.Color != "red" || l.Pattern != "slow" {
		t.Errorf("line1 LED while held: %+v", l)
	}
	p.press("hold")
	p.waitState("resumed", func(s apiState) bool { return callField(s, "state") == "connected" })
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
}
