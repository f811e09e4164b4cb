package record

import (
	"fmt"
	"log/slog"
	"time"

	"ccphone/hal"
)

// FrameDuration is the length of the frame WriteFrame takes: the media
// engine's tick.
const FrameDuration = 20 * time.Millisecond

// Format is how samples are stored in the WAV file.
type Format uint8

// The formats a recording can take.
const (
	PCM16 Format = iota // 16-bit linear PCM, WAV format tag 1
	Ulaw                // G.711 µ-law, tag 7: half the size of PCM16
	Alaw                // G.711 A-law, tag 6: half the size of PCM16
)

// String returns "pcm16", "pcmu" or "pcma", the names metadata uses.
func (f Format) String() string {
	switch f {
	case PCM16:
		return "pcm16"
	case Ulaw:
		return "pcmu"
	case Alaw:
		return "pcma"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

func (f Format) bytesPerSample() int {
	if f == PCM16 {
		return 2
	}
	return 1
}

// Layout says which channels a recording has.
type Layout uint8

// The layouts a recording can take.
const (
	// Stereo puts the agent on the left channel and the far end on the
	// right, so a reviewer can tell them apart.
	Stereo Layout = iota
	// Mono records the sum of both (clipped), half the size of Stereo.
	Mono
)

// String returns "stereo" or "mono".
func (l Layout) String() string {
	if l == Mono {
		return "mono"
	}
	if l == Stereo {
		return "stereo"
	}
	return fmt.Sprintf("Layout(%d)", uint8(l))
}

func (l Layout) channels() int {
	if l == Mono {
		return 1
	}
	return 2
}

// CallInfo describes the recorded call; it goes into the metadata file
// unchanged.
type CallInfo struct {
	CallID    string `json:"call_id"`
	Line      int    `json:"line"`      // 1 or 2
	Direction string `json:"direction"` // "in" or "out"
	Network   string `json:"network"`   // "onnet" or "offnet"
	From      string `json:"from"`
	To        string `json:"to"`
	// Rule names the recording-policy rule that started the recording
	// ("all-inbound", "on-demand", ...).
	Rule string `json:"rule"`
}

// Options configure a Recorder. The zero value records 8 kHz stereo
// 16-bit PCM with no limits, syncing every second.
type Options struct {
	// ID names the recording's files (ID.json, ID-01.wav, ...); it may
	// hold letters, digits, '.', '_' and '-'. Empty: the start time, the
	// line and the call-id, made safe.
	ID   string
	Call CallInfo

	Format Format
	Layout Layout
	// SampleRate is 8000 or 16000 samples per second; 0 means 8000.
	// WriteFrame then takes 160 or 320 samples per channel.
	SampleRate int

	// TimeLimit stops recording once this much audio is recorded (over
	// all segments); 0 means no limit.
	TimeLimit time.Duration
	// MinLength discards recordings shorter than this on Close (files
	// and metadata are removed); 0 keeps everything.
	MinLength time.Duration
	// SyncEvery is how much audio may sit in memory before it is written
	// and fsynced: the most a power cut can take. 0 means 1 s; it is
	// rounded down to whole 20 ms frames, at least one.
	SyncEvery time.Duration
	// Buffers is how many SyncEvery-sized buffers the recorder has: how
	// far the disk may fall behind before frames are dropped (ErrOverrun)
	// rather than stall the media clock. 0 means 3.
	Buffers int
	// Paused opens the recording without a segment: nothing is recorded
	// until Start (on-demand recording).
	Paused bool

	// Clock stamps the start of the recording and of each segment; nil
	// means hal.SystemClock.
	Clock hal.Clock
	// Logger gets one line per file opened, closed, repaired or removed;
	// nil means slog.Default().
	Logger *slog.Logger
}

// BytesPerSecond returns how fast a recording with these options grows,
// for a quota reservation (Queue.Reserve in media/upload).
func (o Options) BytesPerSecond() int64 {
	rate := o.SampleRate
	if rate == 0 {
		rate = 8000
	}
	return int64(rate * o.Layout.channels() * o.Format.bytesPerSample())
}

func (o *Options) check() error {
	if o.SampleRate == 0 {
		o.SampleRate = 8000
	}
	if o.SampleRate != 8000 && o.SampleRate != 16000 {
		return fmt.Errorf("%w: sample rate %d, want 8000 or 16000", ErrOptions, o.SampleRate)
	}
	if o.Format > Alaw {
		return fmt.Errorf("%w: format %v", ErrOptions, o.Format)
	}
	if o.Layout > Mono {
		return fmt.Errorf("%w: layout %v", ErrOptions, o.Layout)
	}
	if o.TimeLimit < 0 || o.MinLength < 0 || o.SyncEvery < 0 || o.Buffers < 0 {
		return fmt.Errorf("%w: negative duration or buffer count", ErrOptions)
	}
	if o.SyncEvery == 0 {
		o.SyncEvery = time.Second
	}
	if o.Buffers == 0 {
		o.Buffers = 3
	}
	if o.ID != "" && !validID(o.ID) {
		return fmt.Errorf("%w: id %q", ErrOptions, o.ID)
	}
	if o.Clock == nil {
		o.Clock = hal.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return nil
}

func validID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return false
	}
	for _, c := range []byte(id) {
		if !safeByte(c) {
			return false
		}
	}
	return true
}

func safeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// makeID builds a file-safe ID from the start time, line and call-id.
func makeID(start time.Time, c CallInfo) string {
	b := []byte(start.UTC().Format("20060102T150405.000Z"))
	b = fmt.Appendf(b, "-L%d", c.Line)
	if c.CallID != "" {
		b = append(b, '-')
		for i := 0; i < len(c.CallID) && i < 40; i++ {
			ch := c.CallID[i]
			if !safeByte(ch) {
				ch = '_'
			}
			b = append(b, ch)
		}
	}
	return string(b)
}
