// Package jitter holds received RTP audio until it is due: a fixed ring
// of slots indexed by sequence number, filled by Push as packets arrive
// and emptied by Pop once per frame on the media clock.
//
// The common path, once per 20 ms tick:
//
//	for each packet drained from the socket { buf.Push(pkt, arrival) }
//	f := buf.Pop()
//	switch f.Kind {
//	case jitter.Voice:   n := law.Decode(pcm, f.Payload); plc.Good(pcm[:n])
//	case jitter.Lost:    plc.Conceal(pcm)
//	case jitter.Silence: clear(pcm)
//	}
//
// Packets may arrive reordered, duplicated, late or lost, and sequence
// numbers and timestamps wrap; every frame Pop returns is either a
// received frame, in sequence order and never twice, or a stand-in (Lost
// or Silence). The playout delay adapts between Options.MinDelay and
// MaxDelay, a frame at a time, from the packets' transit times over the
// last couple of seconds: a packet missing at its turn is waited for
// (Lost is returned and the concealer stands in, so the delay grows a
// frame) while it may still come, judged by the slowest transit seen
// lately, and declared lost after that; a buffer that runs dry in a
// talkspurt waits the same way; and when every frame of the last half
// second waited a frame or more, one is dropped. That follows the
// network's jitter and absorbs clock drift between the two phones.
// After a pause the buffer fills to its target (Stats.Target) before it
// plays. Comfort-noise packets (payload type 13, RFC 3389) play as
// silence.
//
// Neither Buffer nor Concealer is safe for concurrent use: both belong to
// the goroutine that owns the media clock. Neither allocates after New.
package jitter
