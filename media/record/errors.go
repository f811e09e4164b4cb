package record

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrClosed means the Recorder was closed.
	ErrClosed = errors.New("record: recorder closed")
	// ErrOptions means Options hold a value the recorder cannot use.
	ErrOptions = errors.New("record: bad options")
	// ErrFrameSize means a frame did not hold exactly one 20 ms frame of
	// samples at the recording's sample rate (nor was it empty).
	ErrFrameSize = errors.New("record: wrong frame size")
	// ErrTimeLimit means the recording reached Options.TimeLimit; frames
	// after it are not recorded.
	ErrTimeLimit = errors.New("record: time limit reached")
	// ErrOverrun means the disk fell behind by more than the recorder's
	// buffers hold, so a frame (or a Stop/Start) was dropped rather than
	// stall the media clock.
	ErrOverrun = errors.New("record: disk too slow, frame dropped")
	// ErrWrite means writing or syncing the recording failed; the error
	// wrapping it names the file. What reached the disk before stays.
	ErrWrite = errors.New("record: write failed")
	// ErrNotWAV means a file is not a RIFF/WAVE file this package can
	// repair: no RIFF header, no fmt chunk before the data chunk, or a
	// chunk that runs past the end of the file before the data chunk.
	ErrNotWAV = errors.New("record: not a repairable WAV file")
	// ErrMeta means a recording's metadata file could not be read.
	ErrMeta = errors.New("record: bad metadata")
)
