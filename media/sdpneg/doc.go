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
// SRTP with SDES keys (RFC 4568, RFC 3711) follows Local.SRTP, the line's
// policy, and Local.SRTPKey, the call's master key from NewMasterKey:
// SRTPRequired offers RTP/SAVP, SRTPOptional RTP/AVP (best effort), both
// with a=crypto for AES_CM_128_HMAC_SHA1_80 and _32. Answer takes the
// offer's first usable a=crypto line. A Secure Session carries the suite
// and both keys for the media engine; ErrCrypto means the policies do
// not meet (answer 488), and CheckCrypto tells so from an offer alone,
// before the phone rings.
//
// Describe parses any SDP body into a Remote for inspection. All functions
// are pure and safe for concurrent use.
package sdpneg
