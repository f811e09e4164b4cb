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
	// ErrRecording means the leg already has a recorder.
	ErrRecording = errors.New("media: leg is already recording")
	// ErrConference means legs that cannot be conferenced: nil, the same
	// leg twice, or legs of different engines.
	ErrConference = errors.New("media: bad conference legs")
	// ErrGain means a port gain out of range (0 to MaxGain).
	ErrGain = errors.New("media: gain out of range")
	// ErrSRTP means a session's SRTP keys or suite are unusable.
	ErrSRTP = errors.New("media: SRTP")
)
