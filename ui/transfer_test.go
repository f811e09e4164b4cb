package ui

import (
	"testing"

	"ccphone/hal"
)

// TestTransferredCallIsShown: the far end transfers the agent (REFER);
// the telephony places the new call by itself. It gets a call
// appearance, its LED and the keys, and the Headset key hangs it up.
func TestTransferredCallIsShown(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.event(CallEvent{ID: 1, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "111"})
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 1, State: CallConnected})
	tp.wantTel(tel, "answer 1")

	tp.event(CallEvent{ID: 2, Line: 1, State: CallDialing, Direction: Outgoing, RemoteNumber: "300", Remote: "sip:300@pbx"})
	tp.wantCalls("1 connected in ; 1 dialing out sip:300@pbx")
	if tp.focus != 0 {
		t.Error("the new call took the screen from the connected one")
	}
	tp.event(CallEvent{ID: 2, State: CallConnected})
	tp.event(CallEvent{ID: 1, State: CallEnded, Reason: "remote hangup"})
	if tp.focus != 1 {
		t.Errorf("focus %d, want the transferred call", tp.focus)
	}
	tp.wantLED(hal.LEDLine2, hal.ColorRed, hal.PatternSteady)
	tp.press(hal.KeyHeadset)
	tp.wantTel(tel, "hangup 2")

	// An outgoing call the phone does not know that has already ended
	// takes no slot.
	tp.event(CallEvent{ID: 7, Line: 1, State: CallEnded, Direction: Outgoing})
	tp.wantCalls("1 ended in ; 1 connected out sip:300@pbx")
}

// TestTransferredCallWithBothBusy: with both appearances in use, a call
// the telephony places by itself is hung up rather than kept out of the
// agent's sight.
func TestTransferredCallWithBothBusy(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.event(CallEvent{ID: 1, Line: 1, State: CallRinging, Direction: Incoming})
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 2, Line: 2, State: CallRinging, Direction: Incoming})
	tp.press(hal.KeyLine2)
	tel.take()
	tp.event(CallEvent{ID: 3, Line: 1, State: CallDialing, Direction: Outgoing})
	tp.wantTel(tel, "hangup 3")
}

// TestAttendedTransferEndsTheConsultation: once the held call ends
// "transferred", the phone hangs up the consultation too, whether or not
// the target (which should replace it) has; other endings leave it.
func TestAttendedTransferEndsTheConsultation(t *testing.T) {
	for _, tc := range []struct {
		reason string
		want   string
	}{
		{"transferred", "hangup 101"},
		{"remote hangup", ""},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			tp, tel := newCallPhone(t)
			tp.event(CallEvent{ID: 1, Line: 1, State: CallRinging, Direction: Incoming})
			tp.press(hal.KeyHeadset)
			tp.event(CallEvent{ID: 1, State: CallConnected})
			tp.press(hal.KeyLine2, hal.Key3, hal.Key0, hal.Key0, hal.KeyOK) // holds 1, dials 300 as 101
			tp.event(CallEvent{ID: 1, State: CallHeld})
			tp.event(CallEvent{ID: 101, State: CallConnected})
			tel.take()
			tp.press(hal.KeyTransfer)
			tp.wantTel(tel, "transfer 1 to 101")
			tp.event(CallEvent{ID: 1, State: CallEnded, Reason: tc.reason})
			tp.wantTel(tel, tc.want)
		})
	}
}
