package rtpio

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrNoPort means no even port of the range could be bound.
	ErrNoPort = errors.New("rtpio: no free RTP port")
	// ErrNoRemote means there is nowhere to send yet.
	ErrNoRemote = errors.New("rtpio: no remote address")
	// ErrClosed means the stream was closed.
	ErrClosed = errors.New("rtpio: stream closed")
	// ErrNoControl means the stream has no RTCP socket (Config.RTCP).
	ErrNoControl = errors.New("rtpio: no RTCP socket")
	// ErrPayload means a payload does not fit a packet.
	ErrPayload = errors.New("rtpio: payload too large")
	// ErrSRTP means SRTP contexts could not be made or a packet could
	// not be protected.
	ErrSRTP = errors.New("rtpio: SRTP")
)
