package sip

import "ccphone/media/sdpneg"

// Media gives calls their RTP endpoints. The media engine implements it;
// cmd/ccphoned passes it in Options.Media. The UA calls NewLeg from its
// own goroutines (one per call), possibly for two calls at once, so an
// implementation must be safe for concurrent use.
type Media interface {
	// NewLeg reserves a local RTP endpoint (a bound UDP socket in
	// rtp.port_min..port_max) for call id. It must not block on the
	// network; the UA calls it right after sending 180 Ringing and before
	// sending an INVITE.
	NewLeg(id CallID) (MediaLeg, error)
}

// MediaLeg is the RTP side of one call. The UA calls its methods from
// one goroutine at a time per leg (the call's), never while holding a
// lock, and calls Close exactly once, when the call has ended.
type MediaLeg interface {
	// Local describes the endpoint for SDP: the socket's address and
	// port, the codecs in preference order and the telephone-event
	// payload type. The UA sets Direction, SessionID and SessionVersion
	// itself.
	Local() sdpneg.Local
	// Start begins sending and receiving as negotiated: the remote
	// address, codec, payload types and direction. It is called once,
	// when the first answer is known (early media in a 183, or the 200).
	Start(s sdpneg.Session) error
	// Update applies a renegotiation: hold (the Direction no longer
	// sends or receives), resume, or a new remote address or codec.
	Update(s sdpneg.Session) error
	// SendDTMF sends one digit (0-9, *, #, A-D) as RFC 4733
	// telephone-events. The UA calls it only when the Session it
	// started with has DTMF().
	SendDTMF(digit byte) error
	// Close releases the socket. Later calls of any method may fail.
	Close() error
}

// Muting the microphone is media-only (no SIP): the media engine exposes
// it on its own leg type, and the phone's adapter calls it there.
