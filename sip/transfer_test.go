package sip_test

import (
	"testing"
	"time"

	"ccphone/sip"
	"ccphone/sip/kamailiotest"
)

// trio is pair plus a third UA registered as doorphone (c).
func trio(t *testing.T) (a, b, c *running) {
	kam, a, b := pair(t)
	oc, _ := withMedia(t)
	c = start(t, oc, account(kamailiotest.DoorUser, kamailiotest.DoorPass, time.Minute, kam, nil))
	c.wait(1, sip.RegistrationRegistered, kam.Addr())
	return a, b, c
}

// connect has from dial to's number and to answer; it returns both IDs.
func connect(t *testing.T, from, to *running, number string) (sip.CallID, sip.CallID) {
	t.Helper()
	id, err := from.Dial(1, number)
	if err != nil {
		t.Fatal(err)
	}
	in := to.call(0, sip.CallRinging)
	if err := to.Answer(in.ID); err != nil {
		t.Fatal(err)
	}
	to.call(in.ID, sip.CallConnected)
	from.call(id, sip.CallConnected)
	return id, in.ID
}

// TestBlindTransfer: a (1001) talks to b (1002) and transfers b to
// doorphone (c). b gets the REFER, calls c on the same line with
// Referred-By, reports progress by NOTIFY (a sees TransferEvents up to
// 200) and hangs up its call with a; a's call ends "transferred".
func TestBlindTransfer(t *testing.T) {
	a, b, c := trio(t)
	ab, ba := connect(t, a, b, "1002")
	if err := a.Transfer(ab, kamailiotest.DoorUser+"@127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	in := c.call(0, sip.CallRinging)
	if in.RemoteNumber != "1002" {
		t.Errorf("transfer target rung by %q, want 1002", in.RemoteNumber)
	}
	if err := c.Answer(in.ID); err != nil {
		t.Fatal(err)
	}
	var codes []int
	for {
		ev := a.next("transfer progress", func(ev sip.Event) bool { _, ok := ev.(sip.TransferEvent); return ok }).(sip.TransferEvent)
		codes = append(codes, ev.Code)
		if ev.Code >= 200 && ev.Code != 202 {
			break
		}
	}
	if codes[len(codes)-1] != 200 {
		t.Errorf("transfer progress %v, want it to end with 200", codes)
	}
	if end := a.call(ab, sip.CallEnded); end.Reason != "transferred" {
		t.Errorf("transferor's call ended %q, want transferred", end.Reason)
	}
	b.call(ba, sip.CallEnded)
	bc := b.call(0, sip.CallConnected)
	c.call(in.ID, sip.CallConnected)
	rtpFlows(t, b.media.Leg(bc.ID), 5)
	if err := c.Hangup(in.ID); err != nil {
		t.Fatal(err)
	}
	b.call(bc.ID, sip.CallEnded)
}

// TestAttendedTransfer: a talks to b, holds, consults c, then joins b
// and c: b's INVITE carries Replaces for a–c, c's new call replaces the
// consultation (already answered), and both of a's calls end.
func TestAttendedTransfer(t *testing.T) {
	a, b, c := trio(t)
	ab, ba := connect(t, a, b, "1002")
	if err := a.Hold(ab, true); err != nil {
		t.Fatal(err)
	}
	a.call(ab, sip.CallHeld)
	ac, ca := connect(t, a, c, kamailiotest.DoorUser+"@127.0.0.1")
	if err := a.TransferTo(ab, ac); err != nil {
		t.Fatal(err)
	}
	ring := c.call(0, sip.CallRinging)
	if ring.Replaces != ca {
		t.Errorf("new call at c replaces %d, want %d", ring.Replaces, ca)
	}
	c.call(ca, sip.CallEnded)
	c.call(ring.ID, sip.CallConnected)
	a.call(ac, sip.CallEnded)
	a.call(ab, sip.CallEnded)
	b.call(ba, sip.CallEnded)
	bc := b.next("b's new call connected", func(ev sip.Event) bool {
		ce, ok := ev.(sip.CallEvent)
		return ok && ce.ID != ba && ce.State == sip.CallConnected
	}).(sip.CallEvent)
	rtpFlows(t, b.media.Leg(bc.ID), 5)
}
