package portaudio

import (
	"fmt"
	"time"

	"ccphone/hal"
)

// Opts configures an Opener.
type Opts struct {
	// Devices holds the PortAudio device name of each port, indexed by
	// hal.AudioPort: the board definition's audio.headset, audio.speaker
	// and audio.monitor. "default" means PortAudio's default device; an
	// empty name leaves the port unavailable (ErrNoDevice).
	Devices [hal.NumAudioPorts]string
	// Prefill is how much audio a ring holds before it starts delivering,
	// at start and again after each underrun: the cushion that absorbs
	// the jitter between the engine's ticks and the device's periods.
	// It adds that much latency per direction. Zero means 40 ms.
	Prefill time.Duration
	// Buffer is the capacity of each ring; audio beyond it drops the
	// oldest samples. It bounds the latency a slow device clock can build
	// up. Zero means 200 ms; it is raised to at least Prefill plus three
	// frames.
	Buffer time.Duration
	// DeviceLatency is the latency asked of the device (PortAudio's
	// suggested latency: how much it buffers itself). Zero means 60 ms,
	// three 20 ms periods, which a busy ARM board keeps fed.
	DeviceLatency time.Duration
}

// DefaultOpts are the timing defaults; Devices must be filled in.
var DefaultOpts = Opts{
	Prefill:       40 * time.Millisecond,
	Buffer:        200 * time.Millisecond,
	DeviceLatency: 60 * time.Millisecond,
}

// Opener opens the board's audio ports on PortAudio devices. It
// implements hal.AudioOpener and is safe for concurrent use. It holds no
// resources: each stream initialises PortAudio when it opens and
// terminates it when it closes.
type Opener struct {
	opts Opts
}

var _ hal.AudioOpener = (*Opener)(nil)

// New returns an Opener for the devices named in opts; zero timing fields
// take their DefaultOpts values. Devices are looked up when a port is
// opened.
func New(opts Opts) *Opener {
	if opts.Prefill <= 0 {
		opts.Prefill = DefaultOpts.Prefill
	}
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultOpts.Buffer
	}
	if opts.DeviceLatency <= 0 {
		opts.DeviceLatency = DefaultOpts.DeviceLatency
	}
	return &Opener{opts: opts}
}

// Device returns the device name configured for port, or "" if none.
func (o *Opener) Device(port hal.AudioPort) string {
	if int(port) >= hal.NumAudioPorts {
		return ""
	}
	return o.opts.Devices[port]
}

// OpenAudio implements hal.AudioOpener. The headset and monitor open full
// duplex (microphone and ear), the speaker playback only: its ReadFrame
// gives silence. The stream returned also implements StatsReporter. Each
// port's device is opened by one stream at a time: open a port again only
// after closing it.
func (o *Opener) OpenAudio(port hal.AudioPort, f hal.AudioFormat) (hal.AudioStream, error) {
	if int(port) >= hal.NumAudioPorts {
		return nil, fmt.Errorf("portaudio: open %v: %w", port, hal.ErrOutOfRange)
	}
	name := o.opts.Devices[port]
	if name == "" {
		return nil, fmt.Errorf("portaudio: open %v: no device named: %w", port, ErrNoDevice)
	}
	if f.SampleRate <= 0 || f.SampleRate > 192000 || (f.Channels != 1 && f.Channels != 2) ||
		f.FrameSamples <= 0 || f.FrameSamples > f.SampleRate {
		return nil, fmt.Errorf("portaudio: open %v (%q) at %d Hz, %d channels, %d samples: %w",
			port, name, f.SampleRate, f.Channels, f.FrameSamples, ErrFormat)
	}
	return o.open(port, name, f)
}

// ringSizes returns the prefill and capacity of a ring in samples
// (interleaved values), both whole frames.
func (o *Opener) ringSizes(f hal.AudioFormat) (prefill, capacity int) {
	frame := f.FrameSamples * f.Channels
	frames := func(d time.Duration) int {
		n := int((d*time.Duration(f.SampleRate) + time.Second - 1) / time.Second) // samples per channel, rounded up
		return (n + f.FrameSamples - 1) / f.FrameSamples
	}
	pre := max(frames(o.opts.Prefill), 1)
	capFrames := max(frames(o.opts.Buffer), pre+3)
	return pre * frame, capFrames * frame
}

// StatsReporter is implemented by the streams OpenAudio returns.
type StatsReporter interface {
	// Stats returns the stream's counters so far. It is safe to call
	// from any goroutine, also after Close.
	Stats() Stats
}

// Stats counts what happened between the engine and the device of one
// stream. Sample counts are interleaved values (frames × channels).
type Stats struct {
	SampleRate int           // the stream's rate, per channel
	Channels   int           // values per sample instant
	Elapsed    time.Duration // since the device started
	// Playback is the engine → device direction; Capture device →
	// engine (all zero for the speaker).
	Playback, Capture RingStats
	// DeviceXruns counts the underflows and overflows PortAudio reported
	// at the device itself (the pump was late for the hardware).
	DeviceXruns uint64
	// DeviceErrors counts other failed device transfers.
	DeviceErrors uint64
	// DriftPPM estimates how much faster (positive) or slower than the
	// system clock the device moves audio, in parts per million, from the
	// samples it moved since its first second. Each reading is off by up
	// to one period over that time (200 ppm after 100 s): trust it after
	// minutes. A device that does not pace itself shows the pump's
	// pacing, about zero. Zero until the stream has run two seconds.
	DriftPPM float64
}

// RingStats describes one direction's ring buffer.
type RingStats struct {
	In, Out   uint64 // samples written into and read out of the ring, silence included
	Underruns uint64 // reads that found the ring short after it had filled: silence was inserted
	Inserted  uint64 // samples of silence inserted by underruns
	Overruns  uint64 // writes that found the ring full: the oldest audio was dropped
	Dropped   uint64 // samples dropped by overruns
	Fill      int    // samples buffered now
}
