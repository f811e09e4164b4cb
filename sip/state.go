package sip

import "fmt"

// RegistrationState is where a line stands with its registrars. The UI
// shows these states as they are.
//
//	Disabled    → Registering  (the line is enabled or its account set)
//	Registering → Registered   (200 OK to REGISTER, from primary or backup)
//	Registering → Failed       (refused, or no answer from any server)
//	Registered  → Registering  (a refresh failed: failing over)
//	Registered  → Registered   (failed over or back: Server changes)
//	Failed      → Registering  (retry after a back-off)
//	any         → Disabled     (the line is disabled or its account removed)
type RegistrationState uint8

// Registration states.
const (
	RegistrationDisabled RegistrationState = iota
	RegistrationRegistering
	RegistrationRegistered
	RegistrationFailed
)

var registrationNames = [...]string{"disabled", "registering", "registered", "failed"}

// String returns the state's name: disabled, registering, registered or
// failed.
func (s RegistrationState) String() string {
	if int(s) < len(registrationNames) {
		return registrationNames[s]
	}
	return fmt.Sprintf("RegistrationState(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (s RegistrationState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Event is something the user agent tells the phone's event loop. The
// concrete types are RegistrationEvent (and, later, call events).
type Event interface {
	isEvent()
}

// RegistrationEvent reports a line's registration state. It is sent when
// the state, the server in use, or the reason changes; a refresh that
// changes nothing sends nothing.
type RegistrationEvent struct {
	Line   int               // 1 or 2
	State  RegistrationState // the line's new state
	Server string            // host:port of the registrar in use or being tried; "" when disabled
	Code   int               // the SIP status that caused the state (200, 401, 503...); 0 for no answer
	Reason string            // why, for the log and the LCD: "Unauthorized", "no answer"...
}

func (RegistrationEvent) isEvent() {}

// String describes the event for logs.
func (e RegistrationEvent) String() string {
	s := fmt.Sprintf("line %d %s", e.Line, e.State)
	if e.Server != "" {
		s += " at " + e.Server
	}
	if e.Code != 0 || e.Reason != "" {
		s += fmt.Sprintf(" (%d %s)", e.Code, e.Reason)
	}
	return s
}

// CheckSyncEvent reports a NOTIFY with Event: check-sync from a
// configured server: the phone should check its provisioning now.
type CheckSyncEvent struct {
	Source string // host:port the NOTIFY came from
}

func (CheckSyncEvent) isEvent() {}
