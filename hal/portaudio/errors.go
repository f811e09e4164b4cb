package portaudio

import "errors"

// Errors returned by OpenAudio and by streams; test with errors.Is. Streams
// also return hal.ErrClosed after Close, and OpenAudio hal.ErrOutOfRange
// for an unknown port and hal.ErrUnsupported when built without cgo.
var (
	// ErrNoDevice means no PortAudio device matches the port's name, or
	// the port has no name.
	ErrNoDevice = errors.New("portaudio: no such device")
	// ErrFormat means the device (or this package) cannot carry the
	// requested format: an unsupported rate, channel count or frame size.
	ErrFormat = errors.New("portaudio: unsupported audio format")
	// ErrFrameSize is returned by ReadFrame and WriteFrame for a frame
	// whose length is not FrameSamples*Channels.
	ErrFrameSize = errors.New("portaudio: audio frame has the wrong size")
	// ErrDevice wraps a failure of PortAudio itself: it cannot start, or
	// a stream's device keeps failing.
	ErrDevice = errors.New("portaudio: device failed")
)
