package dtmf

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrShort means an RFC 4733 payload is shorter than 4 bytes.
	ErrShort = errors.New("dtmf: telephone-event payload too short")
	// ErrDigit means a value is not a DTMF digit.
	ErrDigit = errors.New("dtmf: not a digit")
	// ErrQueueFull means too many digits wait to be sent.
	ErrQueueFull = errors.New("dtmf: digit queue full")
)
