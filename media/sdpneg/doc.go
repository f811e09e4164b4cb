// Package sdpneg negotiates the phone's audio stream with SDP offer/answer
// (RFC 3264) on top of github.com/pion/sdp/v3.
//
// The SIP layer describes what the phone wants with a Local: the RTP
// address and port the media engine bound, the codecs in preference
// order, the telephone-event payload type and the direction (hold is
// SendOnly, resuming is SendRecv). Then, for an incoming INVITE with SDP:
//
//	answer, sess, err := sdpneg.Answer(offerBody, local)
//	if errors.Is(err, sdpneg.ErrNoCommonCodec) { /* reply 488 */ }
//	leg.Apply(sess) // tell the media engine where and how to send
//
// and for an outgoing call or re-INVITE:
//
//	offer, err := sdpneg.Offer(local)
//	// ... the 200 OK carries the answer:
//	sess, err := sdpneg.ParseAnswer(answerBody, local)
//
// A Session is the outcome from the phone's point of view: the remote
// address to send to, the codec and payload types, and the direction the
// phone itself may use (it sends only if both sides allow it).
//
// Describe parses any SDP body into a Remote for inspection. All functions
// are pure and safe for concurrent use.
package sdpneg
