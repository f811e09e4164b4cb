// Package media carries all of the phone's audio: one Engine owns every
// call leg's RTP stream and every audio port, and does all the work of a
// 20 ms frame in one batch per tick of one clock. Nothing else in the
// phone wakes up for media: there is no goroutine per call, per stream or
// per packet, and sockets are drained without blocking on the tick (the
// kernel holds the packets in between). That is how the phone costs less
// CPU per call than a C softphone (LAB-NOTES, "Where a call's CPU goes").
//
// A call, as the SIP layer and the phone's event loop drive it:
//
//	leg, err := engine.AddLeg(media.LegConfig{Name: "line1", Symmetric: true})
//	local := sdpneg.Local{Addr: leg.LocalAddr().Addr(), Port: int(leg.LocalAddr().Port()), ...}
//	answer, sess, err := sdpneg.Answer(offer, local) // 488 on ErrNoCommonCodec
//	leg.Apply(sess)                  // codec, payload types, remote, direction
//	leg.SendDTMF(dtmf.Digit5, 0)     // RFC 4733 if negotiated, else in-band
//	leg.SetHold(true)                // with a re-INVITE whose answer goes to Apply
//	engine.PlayTone(hal.PortHeadset, ringback)
//	leg.Remove()                     // on BYE
//
// and main runs the clock: go engine.Run(ctx); ... cancel; wait; engine.Close().
//
// On each tick (Step) the engine, for every leg: drains the socket into
// the leg's jitter buffer (RFC 4733 events go to the event receiver and
// become Events); takes one frame out, decodes it or conceals a loss, and
// mixes it into the agent's ear together with any tone; then reads the
// agent's microphone frame once, and for every leg that sends, encodes it
// (or the DTMF in progress) and sends it. The monitor port and call
// recording will tap the same mix.
//
// Methods of Engine and Leg other than Run, Step and Close are safe from
// any goroutine: they queue the change, and the engine's goroutine picks
// it up at the start of the next tick, so no lock is held across I/O and
// the tick never waits for a caller. Run, Step and Close belong to the
// goroutine that owns the engine. A tick allocates nothing.
//
// For more control use the parts directly: media/g711 (codec),
// media/sdpneg (offer/answer), media/rtpio (RTP streams), media/jitter
// (jitter buffer and concealment), media/dtmf (RFC 4733 and in-band
// digits) and media/tone (call-progress tones).
package media
