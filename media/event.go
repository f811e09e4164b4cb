package media

import (
	"fmt"

	"ccphone/media/dtmf"
)

// EventKind says what happened.
type EventKind uint8

// Event kinds.
const (
	// DigitReceived: the far end sent a DTMF digit (RFC 4733 or in-band).
	DigitReceived EventKind = iota + 1
	// SourceChanged: the far end's RTP source changed (new SSRC or, with
	// symmetric RTP, new address), as after a transfer.
	SourceChanged
	// RecordingFailed: the leg's recorder returned an error (Err), as
	// record.ErrTimeLimit, ErrOverrun or a disk error; reported once per
	// StartRecording. The engine keeps feeding the recorder; the phone
	// decides whether to stop it.
	RecordingFailed
)

// String returns the kind's name.
func (k EventKind) String() string {
	switch k {
	case DigitReceived:
		return "digit"
	case SourceChanged:
		return "source changed"
	case RecordingFailed:
		return "recording failed"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is something the engine tells the phone's event loop.
type Event struct {
	Kind  EventKind
	Leg   *Leg
	Digit dtmf.Digit // for DigitReceived
	Err   error      // for RecordingFailed
}
