package sip

import (
	"fmt"
	"strconv"
)

// CallID identifies one call for the life of the UA. The UA assigns it
// (Dial, or the CallEvent of an incoming call); zero is no call. IDs are
// never reused.
type CallID uint64

// String returns the ID in decimal, for logs.
func (id CallID) String() string { return strconv.FormatUint(uint64(id), 10) }

// CallState is where a call stands. The states and their names match
// ui.CallState one for one.
//
//	Dialing   → Ringing    (outgoing: 180 or 183 from the far end)
//	Dialing   → Connected  (outgoing: 200 without a ringing phase)
//	Ringing   → Connected  (outgoing: 200; incoming: Answer, ACK received)
//	Connected → Held       (Hold(id, true): our re-INVITE with a=sendonly got 200)
//	Held      → Connected  (Hold(id, false): a=sendrecv got 200)
//	any       → Ended      (BYE either way, CANCEL, a final error, Reject,
//	                        forwarding, a completed transfer, shutdown)
//
// Being held by the far end does not change the state: it sets
// CallEvent.HeldByRemote.
type CallState uint8

// Call states.
const (
	CallDialing CallState = iota
	CallRinging
	CallConnected
	CallHeld
	CallEnded
)

var callStateNames = [...]string{"dialing", "ringing", "connected", "held", "ended"}

// String returns the state's name: dialing, ringing, connected, held or
// ended.
func (s CallState) String() string {
	if int(s) < len(callStateNames) {
		return callStateNames[s]
	}
	return fmt.Sprintf("CallState(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (s CallState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Direction tells who placed a call.
type Direction uint8

// Call directions.
const (
	Outgoing Direction = iota
	Incoming
)

// String returns "out" or "in".
func (d Direction) String() string {
	if d == Incoming {
		return "in"
	}
	return "out"
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// CallEvent reports a change of a call; its fields mirror ui.CallEvent.
// The first event of an incoming call has State CallRinging and
// Direction Incoming; the last event of every call has State CallEnded.
// Events of one call arrive in order and none follows its CallEnded.
type CallEvent struct {
	ID           CallID
	Line         int // 1 or 2
	State        CallState
	Direction    Direction
	Remote       string // the far end's URI
	RemoteName   string // display name, when the far end sent one
	RemoteNumber string // user part of Remote
	HeldByRemote bool   // the far end holds us (a=sendonly or inactive)
	// Code is the SIP status that ended or failed the call (486, 487,
	// 603...); 0 for a BYE or no answer.
	Code int
	// Reason says why a call ended, e.g. "486 Busy Here", "no answer",
	// "remote hangup", "cancelled", "forwarded to 2000", "transferred".
	Reason string
	// AutoAnswer is set on an incoming call whose INVITE came from a
	// configured server (registrar or outbound proxy) asking for auto
	// answer (intercom, paging): Call-Info answer-after, Alert-Info
	// info=alert-autoanswer / intercom / Auto Answer, or Answer-Mode:
	// Auto. The same headers from anyone else are ignored.
	AutoAnswer bool
	// RecordRequested is, on the Ringing event of an incoming call, what
	// the INVITE's Options.RecordHeader asked for: true to record the
	// call, false not to. It is nil when the header is absent, its value
	// unknown, Options.RecordHeader empty, or the INVITE did not come
	// from a configured server, and on every other event. The pointed-to
	// value is shared by copies of the event: do not change it.
	RecordRequested *bool
	// Replaces is the call this incoming call replaced (an attended
	// transfer towards us); it is already answered and Replaces ended.
	Replaces CallID
}

func (CallEvent) isEvent() {}

// String describes the event for logs.
func (e CallEvent) String() string {
	s := fmt.Sprintf("call %d line %d %s %s %s", e.ID, e.Line, e.Direction, e.State, e.Remote)
	if e.HeldByRemote {
		s += " (held by remote)"
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// DTMFEvent reports a digit the far end sent by SIP INFO
// (application/dtmf-relay or application/dtmf). Digits sent in RTP
// (RFC 4733) are the media engine's to report.
type DTMFEvent struct {
	ID    CallID
	Digit byte // 0-9, *, #, A-D
}

func (DTMFEvent) isEvent() {}

// TransferEvent reports the progress of a transfer this phone asked for
// (Transfer, TransferTo): Code is the status line of each NOTIFY's
// message/sipfrag body (100 trying, 180 ringing, 200 done, 4xx-6xx
// failed), or the REFER's own failure. On 200 the UA hangs up the
// transferred call itself.
type TransferEvent struct {
	ID     CallID
	Code   int
	Reason string
}

func (TransferEvent) isEvent() {}

// MWIEvent reports a line's voicemail state (RFC 3842 message-summary),
// from a subscription or an unsolicited NOTIFY by a configured server.
type MWIEvent struct {
	Line    int
	Waiting bool // Messages-Waiting: yes
	New     int  // new voice messages
	Old     int  // old voice messages
}

func (MWIEvent) isEvent() {}

// RecordEvent reports an INFO with Record: on or Record: off inside a
// call: the far end or the server started or stopped recording it.
type RecordEvent struct {
	ID CallID
	On bool
}

func (RecordEvent) isEvent() {}
