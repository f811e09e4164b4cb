package prompt

import "errors"

// Sentinel errors; match them with errors.Is. The wrapping error says
// which file and what exactly.
var (
	// ErrFormat means the data is neither an MP3 nor a WAV file.
	ErrFormat = errors.New("prompt: not an MP3 or WAV file")
	// ErrUnsupported means an MP3 or WAV file of a kind this package does
	// not play (MPEG 2.5, layer I/II, 24-bit or float WAV, 6 channels...).
	ErrUnsupported = errors.New("prompt: unsupported audio format")
	// ErrCorrupt means a damaged or truncated file.
	ErrCorrupt = errors.New("prompt: corrupt audio file")
	// ErrTooLarge means a file bigger than MaxFileSize.
	ErrTooLarge = errors.New("prompt: file too large")
	// ErrTooLong means audio longer than MaxDuration.
	ErrTooLong = errors.New("prompt: audio too long")
	// ErrEmpty means a file without any audio.
	ErrEmpty = errors.New("prompt: no audio")
	// ErrRate means a sample rate the phone cannot play prompts at.
	ErrRate = errors.New("prompt: unsupported rate")
)
