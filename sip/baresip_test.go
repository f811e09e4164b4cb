package sip_test

import (
	"testing"
	"time"

	"ccphone/sip"
	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// TestBaresip: ccphone (1001) and baresip (1002, auto-answer), both
// registered at Kamailio, call each other; RTP flows both ways at the
// phone's media leg; each side hangs up once.
func TestBaresip(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	o, _ := withMedia(t)
	ua := start(t, o, account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil))
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true})
	kam.WaitRegistered(t, kamailiotest.User2, true, waitTimeout)

	// ccphone calls baresip.
	id, err := ua.Dial(1, kamailiotest.User2)
	if err != nil {
		t.Fatal(err)
	}
	ua.call(id, sip.CallConnected)
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	rtpFlows(t, ua.media.Leg(id), 25)
	if err := ua.Hangup(id); err != nil {
		t.Fatal(err)
	}
	ua.call(id, sip.CallEnded)
	bs.WaitEvent(t, "CALL_CLOSED")

	// baresip calls ccphone.
	bs.Command(t, "dial", "sip:1001@127.0.0.1")
	in := ua.next("incoming call", func(ev sip.Event) bool {
		ce, ok := ev.(sip.CallEvent)
		return ok && ce.Direction == sip.Incoming && ce.State == sip.CallRinging
	}).(sip.CallEvent)
	if in.RemoteNumber != "1002" {
		t.Errorf("rung by %q, want 1002", in.RemoteNumber)
	}
	if err := ua.Answer(in.ID); err != nil {
		t.Fatal(err)
	}
	ua.call(in.ID, sip.CallConnected)
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	rtpFlows(t, ua.media.Leg(in.ID), 25)
	bs.Command(t, "hangup", "")
	if end := ua.call(in.ID, sip.CallEnded); end.Reason != "remote hangup" {
		t.Errorf("ended %q, want remote hangup", end.Reason)
	}
}
