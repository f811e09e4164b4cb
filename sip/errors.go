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
