package sip

import "errors"

// Errors returned by the user agent, wrapped with context.
var (
	// ErrOptions reports invalid Options given to New.
	ErrOptions = errors.New("sip: invalid options")
	// ErrLine reports a line number other than 1 or 2.
	ErrLine = errors.New("sip: no such line")
	// ErrRunning reports a second call to Run.
	ErrRunning = errors.New("sip: user agent already running")
	// ErrClosed reports a UA whose listeners are already closed.
	ErrClosed = errors.New("sip: user agent closed")
	// ErrListen reports a listening socket that could not be opened.
	ErrListen = errors.New("sip: cannot listen")
	// ErrNoAnswer reports a registrar that did not answer in time or could
	// not be reached.
	ErrNoAnswer = errors.New("sip: no answer")
	// ErrRefused reports a registrar's final answer other than 2xx.
	ErrRefused = errors.New("sip: refused")
)

// Errors of the call API, wrapped with context.
var (
	// ErrNotRunning reports a call operation before Run serves the
	// listeners or after it returned.
	ErrNotRunning = errors.New("sip: user agent not running")
	// ErrNoCall reports a CallID the UA does not know (never issued, or
	// the call ended).
	ErrNoCall = errors.New("sip: no such call")
	// ErrCallState reports an operation the call's state does not allow,
	// such as answering an outgoing call or holding a ringing one.
	ErrCallState = errors.New("sip: not possible in the call's state")
	// ErrTarget reports a dial or transfer target that is not digits or
	// a SIP URI.
	ErrTarget = errors.New("sip: bad target")
	// ErrNoMedia reports a UA without Options.Media, or a media engine
	// that could not give a call an RTP endpoint.
	ErrNoMedia = errors.New("sip: no media for the call")
	// ErrLineIdle reports a line without an enabled, configured account.
	ErrLineIdle = errors.New("sip: line has no account")
	// ErrDigit reports a DTMF digit other than 0-9, *, #, A-D.
	ErrDigit = errors.New("sip: bad DTMF digit")
)
