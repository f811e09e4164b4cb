package ui

import (
	"time"

	"ccphone/sip"
)

// RegistrationState is where a line stands with its registrar: the SIP
// layer's states, which the idle screen and /api/state show.
type RegistrationState = sip.RegistrationState

// Registration states.
const (
	RegistrationDisabled    = sip.RegistrationDisabled
	RegistrationRegistering = sip.RegistrationRegistering
	RegistrationRegistered  = sip.RegistrationRegistered
	RegistrationFailed      = sip.RegistrationFailed
)

// CallState is where a call stands: the SIP layer's call states.
type CallState = sip.CallState

// Call states.
const (
	CallDialing   = sip.CallDialing
	CallRinging   = sip.CallRinging
	CallConnected = sip.CallConnected
	CallHeld      = sip.CallHeld
	CallEnded     = sip.CallEnded
)

// Direction tells who placed a call.
type Direction = sip.Direction

// Call directions.
const (
	Outgoing = sip.Outgoing
	Incoming = sip.Incoming
)

// LineStatus is one line as /api/state reports it.
type LineStatus struct {
	Line         int               `json:"line"`
	Label        string            `json:"label"`
	Registration RegistrationState `json:"registration"`
	Server       string            `json:"server"`
}

// CallStatus is one call as /api/state reports it.
type CallStatus struct {
	Line      int       `json:"line"`
	State     CallState `json:"state"`
	Direction Direction `json:"direction"`
	Remote    string    `json:"remote"`
	Recording bool      `json:"recording"`
	// Codec is the codec the call's media negotiated (e.g. "PCMU",
	// "G722"), when the telephony reports call quality; empty before.
	Codec string `json:"codec,omitempty"`
	// SRTP says the call's media is encrypted (SRTP, account.N.srtp).
	SRTP bool `json:"srtp,omitempty"`
}

// Status is a snapshot of the phone, published after every change. It is
// never modified once published and is safe to read from any goroutine.
type Status struct {
	Lines       []LineStatus `json:"lines"`
	Calls       []CallStatus `json:"calls"`
	Screen      string       `json:"screen"`
	Language    string       `json:"language"`
	DND         bool         `json:"dnd"`
	AutoAnswer  bool         `json:"auto_answer"`
	RingSpeaker bool         `json:"ring_speaker"`
	MissedCalls int          `json:"missed_calls"`
	Voicemail   int          `json:"voicemail"`
	Version     string       `json:"version"`
	// Provisioning is the last provisioning check, for the panel.
	Provisioning ProvisioningStatus `json:"provisioning"`
	// Notice is the short message the LCD shows over the screen (a
	// refused recording, a failed transfer...), empty when none.
	Notice string `json:"notice,omitempty"`
	// Monitor is what the supervisor's monitor port does: "unplugged",
	// or the mode in force while the headset is plugged in (off, listen,
	// whisper or barge).
	Monitor string `json:"monitor"`
}

// ProvisioningStatus is the last provisioning check as the phone shows it:
// when, what came of it, and why it failed.
type ProvisioningStatus struct {
	At      time.Time `json:"at,omitzero"`
	Result  string    `json:"result"`          // none, unchanged, applied or failed
	Error   string    `json:"error,omitempty"` // file:line: key, HTTP status, timeout...
	Server  string    `json:"server,omitempty"`
	Changed int       `json:"changed,omitempty"` // settings changed by an applied check
	// Quiet marks a failure not worth a pop-up: no server is configured.
	Quiet bool `json:"-"`
}
