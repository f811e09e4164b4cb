package dtmf

import "fmt"

// EventSize is the size of an RFC 4733 telephone-event payload.
const EventSize = 4

// Event is one RFC 4733 telephone-event payload:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Event struct {
	Digit    Digit  // event code
	End      bool   // E bit: the last packet(s) of the event
	Volume   uint8  // power level as −dBm0, 0..63
	Duration uint16 // in RTP timestamp units since the event's timestamp
}

// MarshalSize returns EventSize.
func (e Event) MarshalSize() int { return EventSize }

// MarshalTo writes the payload into buf and returns EventSize.
func (e Event) MarshalTo(buf []byte) (int, error) {
	if len(buf) < EventSize {
		return 0, fmt.Errorf("marshal event: %w", ErrShort)
	}
	buf[0] = uint8(e.Digit)
	buf[1] = e.Volume & 0x3F
	if e.End {
		buf[1] |= 0x80
	}
	buf[2] = byte(e.Duration >> 8)
	buf[3] = byte(e.Duration)
	return EventSize, nil
}

// Marshal returns the payload in a new slice.
func (e Event) Marshal() ([]byte, error) {
	buf := make([]byte, EventSize)
	_, err := e.MarshalTo(buf)
	return buf, err
}

// Unmarshal parses a payload. Bytes after the first event (RFC 4733
// allows several in one packet, for redundancy) are ignored.
func (e *Event) Unmarshal(buf []byte) error {
	if len(buf) < EventSize {
		return fmt.Errorf("unmarshal event of %d bytes: %w", len(buf), ErrShort)
	}
	e.Digit = Digit(buf[0])
	e.End = buf[1]&0x80 != 0
	e.Volume = buf[1] & 0x3F
	e.Duration = uint16(buf[2])<<8 | uint16(buf[3])
	return nil
}
