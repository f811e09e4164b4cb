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
// On each tick (Step) the engine reads the agent's microphone (and the
// supervisor's, with a monitor port); for every leg it drains the socket
// into the leg's jitter buffer (RFC 4733 events go to the event receiver
// and become Events), takes one frame out, decodes it or conceals a loss,
// and mixes it into the agent's ear; it feeds the monitor port, adds the
// tones and writes the ports; then for every leg that sends it encodes
// the agent's side (or the DTMF in progress), sends it, and hands the
// leg's recorder the frame sent and the frame heard.
//
// The same tick carries the contact-center extras, with no goroutine or
// timer of their own:
//
//	leg.StartRecording(rec)          // rec from record.Open, at engine.SampleRate()
//	back, _ := leg.StopRecording()   // <-back hands rec back for Close
//	engine.SetMonitor(media.MonitorWhisper) // Options.Monitor opens the jack
//	engine.Conference(leg1, leg2, true)     // local three-way call
//
// RTCP rides the same tick: each leg binds the odd port above its RTP
// port (or shares the RTP port when the far end's SDP says a=rtcp-mux),
// drains arriving reports with the RTP, and every Options.RTCPEvery ticks
// (5 s) sends an SR or RR with SDES CNAME, marshalled into a reused
// buffer (rtcp.go). leg.Quality() reads both directions' loss and
// jitter, the round-trip time and an E-model MOS (quality.go).
//
// Sample rate. An engine runs at one rate for all its ports and legs:
// 8 kHz by default, 16 kHz with Options.Wideband. Each leg converts
// between the engine's rate and its codec's (G.711 8 kHz, G.722 16 kHz)
// with media/resample when they differ, so any codec works in either
// engine; only a wideband engine with G.722 keeps the 7 kHz band. The
// choice is made once, at New, because ports cannot change rate mid-call;
// a wideband engine costs more per G.711 call (the resampling), so the
// phone turns it on when G.722 is among its codecs. All codecs have an
// 8000 Hz RTP clock: timestamps advance 160 per frame.
//
// Methods of Engine and Leg other than Run, Step and Close are safe from
// any goroutine: they queue the change, and the engine's goroutine picks
// it up at the start of the next tick, so no lock is held across I/O and
// the tick never waits for a caller. Run, Step and Close belong to the
// goroutine that owns the engine. A tick allocates nothing.
//
// For more control use the parts directly: media/g711 and media/g722
// (codecs), media/resample (rate conversion), media/record (recordings),
// media/sdpneg (offer/answer), media/rtpio (RTP streams), media/jitter
// (jitter buffer and concealment), media/dtmf (RFC 4733 and in-band
// digits) and media/tone (call-progress tones).
package media
