package media

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrClosed means the engine or leg was closed.
	ErrClosed = errors.New("media: closed")
	// ErrNoAudio means the engine could not open the headset.
	ErrNoAudio = errors.New("media: no audio device")
	// ErrPort means an audio port the engine does not drive.
	ErrPort = errors.New("media: unsupported audio port")
)
