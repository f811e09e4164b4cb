package sim

import "errors"

// Errors returned by the sim board. Closed boards return hal.ErrClosed.
var (
	// ErrRunning is returned by a second call of Run: a board serves its
	// panel once.
	ErrRunning = errors.New("sim: Run already called")
	// ErrNotObject is returned when Options.State does not marshal to a JSON
	// object.
	ErrNotObject = errors.New("sim: state is not a JSON object")
	// ErrNotDelivered is returned when the phone did not take a key event
	// before the request ended: Run is not running or its consumer is stuck.
	ErrNotDelivered = errors.New("sim: key event not delivered")
	// ErrFrameSize is returned by an audio stream given a frame whose
	// length is not FrameSamples*Channels.
	ErrFrameSize = errors.New("sim: audio frame has the wrong size")
	// ErrFormat is returned by OpenAudio for a format it cannot carry.
	ErrFormat = errors.New("sim: unsupported audio format")
)
