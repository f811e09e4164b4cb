package dtmf

import (
	"fmt"
	"time"
)

// EndRepeats is how many times the final packet of an event is sent
// (RFC 4733 section 2.5.1.4: three times).
const EndRepeats = 3

// Packet is one telephone-event packet to send on the leg's RTP stream.
type Packet struct {
	Payload   [EventSize]byte
	Timestamp uint32 // the event's start: the same for all its packets
	Marker    bool   // set on the first packet of an event
	Event     Event
}

// EventSender turns queued digits into RFC 4733 packets, one per frame:
// the first with the marker bit, then updates with growing duration (each
// repeats everything before it, so losing one costs nothing), then the
// final packet with the E bit EndRepeats times, all with the timestamp
// the event started at. Between digits it leaves a Gap for audio.
//
// An EventSender is used by one goroutine at a time.
type EventSender struct {
	rate, frame uint32 // samples per second and per frame
	volume      uint8
	q           queue

	active   bool
	cur      queued
	start    uint32 // event timestamp
	duration uint32
	ends     int // end packets sent
	gap      uint32
}

// NewEventSender returns a sender for an RTP clock of rate Hz and frames
// of frameSamples, sending at −volume dBm0 (10 is usual).
func NewEventSender(rate, frameSamples int, volume uint8) *EventSender {
	return &EventSender{rate: uint32(rate), frame: uint32(frameSamples), volume: min(volume, 63)}
}

// Enqueue queues digit d for duration (0 means DefaultDuration; clamped
// to MinDuration..MaxDuration).
func (s *EventSender) Enqueue(d Digit, duration time.Duration) error {
	if !d.Valid() {
		return fmt.Errorf("enqueue %d: %w", uint8(d), ErrDigit)
	}
	if err := s.q.push(d, durationSamples(duration, int(s.rate))); err != nil {
		return fmt.Errorf("enqueue %v: %w", d, err)
	}
	return nil
}

// Busy reports whether an event is being sent this frame or digits wait:
// while an event is on, the leg sends no audio.
func (s *EventSender) Busy() bool { return s.active || s.q.size > 0 }

// Reset drops the event in progress and every queued digit.
func (s *EventSender) Reset() { *s = EventSender{rate: s.rate, frame: s.frame, volume: s.volume} }

// Next returns the packet for the frame that starts at RTP timestamp ts,
// or false when the frame carries audio.
func (s *EventSender) Next(ts uint32) (Packet, bool) {
	if !s.active {
		if s.gap > 0 {
			s.gap -= min(s.gap, s.frame)
			return Packet{}, false
		}
		it, ok := s.q.pop()
		if !ok {
			return Packet{}, false
		}
		s.active, s.cur, s.start, s.duration, s.ends = true, it, ts, 0, 0
	}
	p := Packet{Timestamp: s.start}
	if s.duration < s.cur.duration {
		p.Marker = s.duration == 0
		s.duration = min(s.duration+s.frame, 0xFFFF)
	}
	p.Event = Event{Digit: s.cur.digit, Volume: s.volume, Duration: uint16(s.duration)}
	if s.duration >= s.cur.duration || s.duration == 0xFFFF {
		p.Event.End = true
		s.ends++
		if s.ends >= EndRepeats {
			s.active = false
			s.gap = uint32(Gap * time.Duration(s.rate) / time.Second)
		}
	}
	p.Event.MarshalTo(p.Payload[:])
	return p, true
}

// EventReceiver reports each telephone event once, whatever is lost,
// duplicated or retransmitted: the first packet that arrives of an event
// (start, update or end) reports its digit, and the event's timestamp
// marks the rest as seen.
//
// An EventReceiver is used by one goroutine at a time.
type EventReceiver struct {
	seen [4]uint32 // timestamps of recent events
	n    int       // valid entries in seen
	next int       // where the next one goes
}

// Receive takes the RTP timestamp and payload of a telephone-event
// packet. It returns the digit and true the first time an event is seen.
func (r *EventReceiver) Receive(ts uint32, payload []byte) (Digit, bool, error) {
	var e Event
	if err := e.Unmarshal(payload); err != nil {
		return 0, false, err
	}
	if !e.Digit.Valid() {
		return 0, false, nil // another kind of event (RFC 4734): not ours
	}
	for i := 0; i < r.n; i++ {
		if r.seen[i] == ts {
			return 0, false, nil
		}
	}
	r.seen[r.next] = ts
	r.next = (r.next + 1) % len(r.seen)
	r.n = min(r.n+1, len(r.seen))
	return e.Digit, true, nil
}

// Reset forgets the events seen, as when the remote source changes.
func (r *EventReceiver) Reset() { *r = EventReceiver{} }
