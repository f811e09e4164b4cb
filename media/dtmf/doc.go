// Package dtmf carries the dial-pad digits of a call: RFC 4733
// telephone-event packets (EventSender, EventReceiver, Event), in-band
// tone pairs (Generator) and their detection with the Goertzel algorithm
// (Detector).
//
// The media engine drives the common path once per 20 ms frame:
//
//	// sending, on the leg's RTP stream
//	s.Enqueue(dtmf.Digit5, 100*time.Millisecond)
//	if pkt, ok := s.Next(frameTimestamp); ok {
//		stream.SendEvent(pt, pkt.Timestamp, pkt.Marker, pkt.Payload[:])
//	}
//	// receiving
//	if d, ok := r.Receive(hdr.Timestamp, payload); ok { report(d) }
//
// SIP INFO DTMF belongs to the SIP layer; it uses Digit, ParseDigit and
// Digit.Rune for the mapping between event codes and keys.
//
// None of the types here is safe for concurrent use: each belongs to the
// goroutine that owns the call's media. Nothing allocates per frame.
package dtmf
