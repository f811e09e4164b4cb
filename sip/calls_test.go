package sip_test

import (
	"testing"
	"time"

	"ccphone/media/sdpneg"
	"ccphone/sip"
	"ccphone/sip/kamailiotest"
)

// pair starts Kamailio and two ccphone UAs registered there, as 1001
// (a) and 1002 (b).
func pair(t *testing.T) (kam *kamailiotest.Server, a, b *running) {
	t.Helper()
	kam = kamailiotest.Start(t, "registrar")
	oa, _ := withMedia(t)
	ob, _ := withMedia(t)
	a = start(t, oa, account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil))
	b = start(t, ob, account(kamailiotest.User2, kamailiotest.Password2, time.Minute, kam, nil))
	a.wait(1, sip.RegistrationRegistered, kam.Addr())
	b.wait(1, sip.RegistrationRegistered, kam.Addr())
	return kam, a, b
}

// TestCallThroughKamailio: 1001 dials 1002 by number through the
// registrar (digest-authenticated INVITE), 1002 rings with the caller's
// name and number and answers; RTP flows both ways; hold and resume go
// over the wire as sendonly/sendrecv and show as HeldByRemote on the far
// end; DTMF goes by RFC 4733 when negotiated and by INFO when asked;
// the far end hangs up.
func TestCallThroughKamailio(t *testing.T) {
	_, a, b := pair(t)
	id, err := a.Dial(1, kamailiotest.User2)
	if err != nil {
		t.Fatal(err)
	}
	a.call(id, sip.CallDialing)
	in := b.call(0, sip.CallRinging)
	if in.Direction != sip.Incoming || in.RemoteNumber != "1001" || in.RemoteName != "Agent 1001" || in.Line != 1 {
		t.Errorf("incoming call event %+v, want from Agent 1001 <1001> on line 1", in)
	}
	if in.AutoAnswer {
		t.Error("AutoAnswer set without any auto-answer header")
	}
	a.call(id, sip.CallRinging)
	if err := b.Answer(in.ID); err != nil {
		t.Fatal(err)
	}
	b.call(in.ID, sip.CallConnected)
	out := a.call(id, sip.CallConnected)
	if out.RemoteNumber != "1002" {
		t.Errorf("connected to %q, want 1002", out.RemoteNumber)
	}
	legA, legB := a.media.Leg(id), b.media.Leg(in.ID)
	rtpFlows(t, legA, 10)
	rtpFlows(t, legB, 10)

	// Hold and resume.
	if err := a.Hold(id, true); err != nil {
		t.Fatal(err)
	}
	a.call(id, sip.CallHeld)
	b.callWhere(in.ID, "held by remote", func(e sip.CallEvent) bool { return e.HeldByRemote })
	if s, _ := legA.Session(); s.Direction != sdpneg.SendOnly {
		t.Errorf("holding side's media direction %v, want sendonly", s.Direction)
	}
	if s, _ := legB.Session(); s.Direction != sdpneg.RecvOnly {
		t.Errorf("held side's media direction %v, want recvonly", s.Direction)
	}
	if err := a.Hold(id, false); err != nil {
		t.Fatal(err)
	}
	a.call(id, sip.CallConnected)
	b.callWhere(in.ID, "resumed", func(e sip.CallEvent) bool { return !e.HeldByRemote })
	if s, _ := legB.Session(); s.Direction != sdpneg.SendRecv {
		t.Errorf("resumed media direction %v, want sendrecv", s.Direction)
	}

	// DTMF: RFC 4733 through the leg, then INFO.
	for _, d := range []byte("12") {
		if err := a.SendDTMF(id, d); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "digits 12 through the media leg", func() bool { return legA.DTMF() == "12" })
	a.SetDTMFInfo(true)
	for _, d := range []byte("5#") {
		if err := a.SendDTMF(id, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []byte("5#") {
		ev := b.next("DTMF", func(ev sip.Event) bool { _, ok := ev.(sip.DTMFEvent); return ok }).(sip.DTMFEvent)
		if ev.ID != in.ID || ev.Digit != want {
			t.Errorf("DTMF event %+v, want %q on call %d", ev, want, in.ID)
		}
	}

	// The far end hangs up.
	if err := b.Hangup(in.ID); err != nil {
		t.Fatal(err)
	}
	b.call(in.ID, sip.CallEnded)
	end := a.call(id, sip.CallEnded)
	if end.Reason != "remote hangup" {
		t.Errorf("ended with %q, want remote hangup", end.Reason)
	}
	waitFor(t, "media legs closed", func() bool { return legA.Closed() && legB.Closed() })
}

// TestCallBusy: the callee rejects with 486; the caller's call ends with
// that code and reason.
func TestCallBusy(t *testing.T) {
	_, a, b := pair(t)
	id, err := a.Dial(1, "1002")
	if err != nil {
		t.Fatal(err)
	}
	in := b.call(0, sip.CallRinging)
	if err := b.Reject(in.ID, 486); err != nil {
		t.Fatal(err)
	}
	end := a.call(id, sip.CallEnded)
	if end.Code != 486 || end.Reason != "486 Busy Here" {
		t.Errorf("ended with %d %q, want 486 Busy Here", end.Code, end.Reason)
	}
	b.call(in.ID, sip.CallEnded)
}

// TestCancelBeforeAnswer: the caller hangs up while it rings: CANCEL,
// 487, and both calls end.
func TestCancelBeforeAnswer(t *testing.T) {
	_, a, b := pair(t)
	id, err := a.Dial(1, "sip:1002@127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	in := b.call(0, sip.CallRinging)
	a.call(id, sip.CallRinging)
	if err := a.Hangup(id); err != nil {
		t.Fatal(err)
	}
	end := b.call(in.ID, sip.CallEnded)
	if end.Code != 487 {
		t.Errorf("callee's call ended with %d %q, want 487", end.Code, end.Reason)
	}
	end = a.call(id, sip.CallEnded)
	if end.Code != 487 {
		t.Errorf("caller's call ended with %d %q, want 487", end.Code, end.Reason)
	}
	if err := b.Answer(in.ID); err == nil {
		t.Error("Answer after CANCEL succeeded")
	}
}
