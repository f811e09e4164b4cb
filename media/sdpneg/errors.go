package sdpneg

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrParse means the body is not valid SDP.
	ErrParse = errors.New("sdpneg: malformed SDP")
	// ErrNoAudio means the body has no usable audio stream (none, or
	// rejected with port 0).
	ErrNoAudio = errors.New("sdpneg: no audio stream")
	// ErrNoCommonCodec means none of the remote codecs is one the phone
	// accepts; the SIP layer answers 488 Not Acceptable Here.
	ErrNoCommonCodec = errors.New("sdpneg: no common codec")
	// ErrAddress means the connection address is missing or not an IP
	// address.
	ErrAddress = errors.New("sdpneg: bad connection address")
	// ErrCrypto means the SRTP policy and the other side's a=crypto
	// lines do not agree (no usable line where one is required, RTP/SAVP
	// on a line with SRTP off) or an a=crypto line is unusable; the SIP
	// layer answers 488 Not Acceptable Here.
	ErrCrypto = errors.New("sdpneg: no usable SRTP crypto")
	// ErrLocal means the Local description is unusable (no port, no
	// address, unknown codec, bad payload type).
	ErrLocal = errors.New("sdpneg: bad local description")
)
