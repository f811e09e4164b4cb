package media

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/rtp"

	"ccphone/hal"
	"ccphone/media/internal/osc"
	"ccphone/media/jitter"
	"ccphone/media/rtpio"
	"ccphone/media/tone"
)

// The engine's frame: 20 ms of mono audio, at SampleRate (narrowband,
// the default) or WidebandRate (Options.Wideband). Engine.SampleRate and
// Engine.FrameSamples say which one an engine runs at.
const (
	SampleRate      = 8000  // Hz, narrowband
	FrameSamples    = 160   // samples per frame at SampleRate
	WidebandRate    = 16000 // Hz, with Options.Wideband
	MaxFrameSamples = 320   // samples per frame at WidebandRate
	FrameDuration   = 20 * time.Millisecond
)

// rtpFrame is how far every codec's RTP timestamp moves per frame: all
// of them (G.722 too) have an 8000 Hz RTP clock.
const (
	rtpClock = 8000
	rtpFrame = 160
)

// maxCatchUp is how many frames Run makes at once when the ticker fell
// behind; beyond it the engine skips ahead (the process was stopped).
const maxCatchUp = 5

// Options configure an Engine.
type Options struct {
	Audio  hal.AudioOpener // the board's audio ports; required
	Clock  hal.Clock       // tells Run the time; nil means hal.SystemClock
	Logger *slog.Logger    // nil means discard
	// Addr is the local address RTP sockets bind to (0.0.0.0 if unset).
	Addr netip.Addr
	// Ports is rtp.port_min..rtp.port_max; zero lets the kernel choose.
	Ports rtpio.PortRange
	// Jitter configures each leg's jitter buffer; zero means
	// jitter.DefaultOptions().
	Jitter jitter.Options
	// Events receives digits and source changes. The engine never waits
	// on it: when it is full, events are dropped (and logged). May be nil.
	Events chan<- Event
	// Speaker also opens the speaker port, for tones played loud.
	Speaker bool
	// Monitor also opens the supervisor's monitor port (see SetMonitor).
	Monitor bool
	// Wideband runs the engine at 16 kHz (ports opened at 16 kHz, 320
	// samples a frame), so G.722 calls keep their 7 kHz band. G.711 legs
	// are resampled to and from 8 kHz per leg. Without it the engine runs
	// at 8 kHz and a G.722 leg is resampled instead (it still works, in
	// narrowband). Recorders given to a leg must take frames at the
	// engine's rate (record.Options.SampleRate = Engine.SampleRate()).
	Wideband bool
	// RTCPEvery is how many ticks (20 ms) apart each leg sends an RTCP
	// report, each interval drawn from 0.5 to 1.5 times it (RFC 3550
	// §6.3.1); 0 means DefaultRTCPEvery (5 s), negative sends none
	// (arriving RTCP is still read). Tests shorten it.
	RTCPEvery int
}

// Engine owns all media of the phone. See the package doc for the
// concurrency rules.
type Engine struct {
	opts   Options
	log    *slog.Logger
	clock  hal.Clock
	rate   int // samples per second
	n      int // samples per frame
	ports  [hal.NumAudioPorts]hal.AudioStream
	tones  [hal.NumAudioPorts]tone.Player
	clips  [hal.NumAudioPorts]ClipPlayer // recordings and prompts on a port
	gains  [hal.NumAudioPorts]int32      // each port's volume, Q12 (unityGain)
	legs   []*legState
	tick   uint64
	closed bool

	// RTCP: the report interval in ticks (0: none), the NTP time at the
	// first tick, and the NTP time of this tick. Media time is the tick
	// count: tick k is k frames after the first.
	rtcpEvery uint64
	epoch     uint64
	now       uint64

	// commands from other goroutines, swapped in at each tick
	mu       sync.Mutex
	pending  []command
	working  []command
	shutdown bool

	monitor MonitorMode // applied; the monitor port's use

	// per-tick scratch, reused; the first n samples are used
	mic    [MaxFrameSamples]int16 // the agent's microphone
	sup    [MaxFrameSamples]int16 // the supervisor's microphone
	silent [MaxFrameSamples]int16
	ear    [MaxFrameSamples]int16
	mix    [MaxFrameSamples]int32
	rbuf   [rtpio.MaxPacket]byte
	pkt    rtp.Packet

	audioErrors uint64
	dropped     uint64
}

// New opens the headset (and the speaker if asked) and returns an engine
// with no legs. Nothing runs until Run or Step.
func New(opts Options) (*Engine, error) {
	if opts.Audio == nil {
		return nil, fmt.Errorf("%w: no hal.AudioOpener", ErrNoAudio)
	}
	if opts.Clock == nil {
		opts.Clock = hal.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Jitter == (jitter.Options{}) {
		opts.Jitter = jitter.DefaultOptions()
	}
	e := &Engine{opts: opts, log: opts.Logger, clock: opts.Clock, rate: SampleRate, n: FrameSamples,
		pending: make([]command, 0, 16), working: make([]command, 0, 16), legs: make([]*legState, 0, 4)}
	if opts.Wideband {
		e.rate, e.n = WidebandRate, MaxFrameSamples
	}
	switch {
	case opts.RTCPEvery == 0:
		e.rtcpEvery = DefaultRTCPEvery
	case opts.RTCPEvery > 0:
		e.rtcpEvery = uint64(opts.RTCPEvery)
	}
	e.epoch = toNTP(opts.Clock.Now())
	for i := range e.tones {
		e.tones[i].SetSampleRate(e.rate)
		e.gains[i] = unityGain
	}
	format := hal.AudioFormat{SampleRate: e.rate, Channels: 1, FrameSamples: e.n}
	open := []hal.AudioPort{hal.PortHeadset}
	if opts.Speaker {
		open = append(open, hal.PortSpeaker)
	}
	if opts.Monitor {
		open = append(open, hal.PortMonitor)
	}
	for _, p := range open {
		s, err := opts.Audio.OpenAudio(p, format)
		if err != nil {
			e.closeAudio()
			return nil, fmt.Errorf("%w: open %v: %w", ErrNoAudio, p, err)
		}
		e.ports[p] = s
	}
	return e, nil
}

// SampleRate returns the rate the engine's ports and frames run at in
// Hz: 8000, or 16000 with Options.Wideband.
func (e *Engine) SampleRate() int { return e.rate }

// FrameSamples returns the samples in one 20 ms frame: 160 or 320.
func (e *Engine) FrameSamples() int { return e.n }

// command is a change queued by another goroutine.
type command struct {
	kind    commandKind
	leg     *legState
	other   *legState // cmdConference
	on      bool      // cmdConference
	apply   legSettings
	port    hal.AudioPort
	tone    tone.Tone
	monitor MonitorMode
	clip    ClipPlayer    // cmdPlayClip
	rec     Recorder      // cmdStartRecording
	back    chan Recorder // cmdStopRecording
	gain    int32         // cmdGain, Q12
}

type commandKind uint8

const (
	cmdAddLeg commandKind = iota
	cmdRemoveLeg
	cmdUpdateLeg // apply the fields set in apply
	cmdPlayTone
	cmdStopTone
	cmdDigit
	cmdMonitor
	cmdStartRecording
	cmdStopRecording
	cmdConference
	cmdPlayClip
	cmdLegClip
	cmdGain
)

func (e *Engine) enqueue(c command) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.shutdown {
		return ErrClosed
	}
	e.pending = append(e.pending, c)
	return nil
}

// ClipPlayer is audio played once on a port beside the calls: a
// recording played back, a prompt (media/prompt.Player fits). Add mixes
// one frame into mix at the engine's rate and reports whether more is to
// come; it must not allocate.
type ClipPlayer interface {
	Add(mix []int32) bool
}

// PlayClip plays c on port (headset or speaker), replacing any clip
// playing there; nil stops it.
func (e *Engine) PlayClip(port hal.AudioPort, c ClipPlayer) error {
	if port != hal.PortHeadset && port != hal.PortSpeaker {
		return fmt.Errorf("%w: clip on %v", ErrPort, port)
	}
	return e.enqueue(command{kind: cmdPlayClip, port: port, clip: c})
}

// PlayTone plays t on port (headset or speaker) from its start, replacing
// the tone playing there; the headset mixes it with the calls.
func (e *Engine) PlayTone(port hal.AudioPort, t tone.Tone) error {
	if port != hal.PortHeadset && port != hal.PortSpeaker {
		return fmt.Errorf("%w: tone on %v", ErrPort, port)
	}
	return e.enqueue(command{kind: cmdPlayTone, port: port, tone: t})
}

// Port gains are Q12 fixed point: unityGain plays audio as it comes.
const (
	unityGain = 1 << 12
	// MaxGain is the loudest SetGain allows (+18 dB).
	MaxGain = 8.0
)

// SetGain sets how loud port (headset or speaker) plays everything it
// plays (calls, tones, clips): 1 as it comes, 0 silent, up to MaxGain;
// louder samples saturate. It is the port's volume: the agent's Vol
// keys. Each port starts at 1; the monitor's feed and recordings are not
// affected.
func (e *Engine) SetGain(port hal.AudioPort, gain float64) error {
	if port != hal.PortHeadset && port != hal.PortSpeaker {
		return fmt.Errorf("%w: gain on %v", ErrPort, port)
	}
	if !(gain >= 0 && gain <= MaxGain) { // NaN too
		return fmt.Errorf("media: gain %v on %v: %w", gain, port, ErrGain)
	}
	return e.enqueue(command{kind: cmdGain, port: port, gain: int32(math.Round(gain * unityGain))})
}

// StopTone stops the tone on port.
func (e *Engine) StopTone(port hal.AudioPort) error {
	return e.enqueue(command{kind: cmdStopTone, port: port})
}

// applyCommands runs the queued changes in the engine's goroutine.
func (e *Engine) applyCommands() {
	e.mu.Lock()
	e.pending, e.working = e.working[:0], e.pending
	e.mu.Unlock()
	for i := range e.working {
		c := &e.working[i]
		switch c.kind {
		case cmdAddLeg:
			e.legs = append(e.legs, c.leg)
		case cmdRemoveLeg:
			for j, l := range e.legs {
				if l == c.leg {
					e.legs = append(e.legs[:j], e.legs[j+1:]...)
					break
				}
			}
			c.leg.leaveConference()
			c.leg.close()
		case cmdUpdateLeg, cmdDigit:
			c.leg.update(c.kind, &c.apply)
		case cmdPlayTone:
			e.tones[c.port].Play(c.tone)
		case cmdStopTone:
			e.tones[c.port].Stop()
		case cmdPlayClip:
			e.clips[c.port] = c.clip
		case cmdMonitor:
			e.monitor = c.monitor
		case cmdStartRecording:
			c.leg.startRecording(c.rec)
		case cmdStopRecording:
			c.leg.stopRecording(c.back)
		case cmdLegClip:
			c.leg.clip = c.clip
		case cmdGain:
			e.gains[c.port] = c.gain
		case cmdConference:
			conference(c.leg, c.other, c.on)
		}
		*c = command{} // drop references
	}
	e.working = e.working[:0]
}

// Step makes one frame: see the package doc. Run calls it on the clock;
// tests call it by hand. Not safe for concurrent use with Run or Close.
func (e *Engine) Step() {
	if e.closed {
		return
	}
	e.applyCommands()
	arrival := uint32(e.tick * rtpFrame)
	e.now = e.epoch + durationNTP(time.Duration(e.tick)*FrameDuration)
	e.tick++
	n := e.n

	e.readPort(hal.PortHeadset, e.mic[:n])
	if e.monitor == MonitorWhisper || e.monitor == MonitorBarge {
		// Only these modes use the supervisor's microphone.
		e.readPort(hal.PortMonitor, e.sup[:n])
	}
	clear(e.mix[:n])
	for _, l := range e.legs {
		l.receive(e, arrival)
		l.play(e.mix[:n])
	}
	// e.mix holds the calls as the agent hears them: the monitor's feed.
	e.writeMonitor()
	if e.monitor == MonitorWhisper || e.monitor == MonitorBarge {
		addInto(e.mix[:n], e.sup[:n])
	}
	e.writePort(hal.PortHeadset)
	e.writePort(hal.PortSpeaker)
	for _, l := range e.legs {
		l.send(e)
		l.report(e)
		l.publish()
	}
}

// readPort reads port's microphone into frame; silence if the port is
// not open or fails.
func (e *Engine) readPort(p hal.AudioPort, frame []int16) {
	s := e.ports[p]
	if s == nil {
		return
	}
	if err := s.ReadFrame(frame); err != nil {
		clear(frame)
		e.audioError("read "+p.String(), err)
	}
}

// writePort writes the port's frame: for the headset the mix of the
// calls (already in e.mix) and its tone; for the speaker its tone.
func (e *Engine) writePort(p hal.AudioPort) {
	s := e.ports[p]
	if s == nil {
		return
	}
	n := e.n
	if p != hal.PortHeadset {
		clear(e.mix[:n])
	}
	e.tones[p].Add(e.mix[:n])
	if c := e.clips[p]; c != nil && !c.Add(e.mix[:n]) {
		e.clips[p] = nil // played to its end
	}
	applyGain(e.mix[:n], e.gains[p])
	osc.Saturate(e.ear[:n], e.mix[:n])
	if err := s.WriteFrame(e.ear[:n]); err != nil {
		e.audioError("write "+p.String(), err)
	}
}

// applyGain scales mix by g (Q12), keeping it within int32; Saturate
// clips it to 16 bits afterwards.
func applyGain(mix []int32, g int32) {
	if g == unityGain {
		return
	}
	for i, v := range mix {
		mix[i] = int32(max(min(int64(v)*int64(g)>>12, math.MaxInt32), math.MinInt32))
	}
}

// addInto adds src to dst.
func addInto(dst []int32, src []int16) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += int32(v)
	}
}

// audioError logs the first audio error and then one in 500 (10 s).
func (e *Engine) audioError(op string, err error) {
	if e.audioErrors%500 == 0 {
		e.log.Warn("media: audio", "op", op, "err", err, "count", e.audioErrors+1)
	}
	e.audioErrors++
}

func (e *Engine) emit(ev Event) {
	if e.opts.Events == nil {
		return
	}
	select {
	case e.opts.Events <- ev:
	default:
		if e.dropped%100 == 0 {
			e.log.Warn("media: event channel full, event dropped", "kind", ev.Kind.String(), "count", e.dropped+1)
		}
		e.dropped++
	}
}

// Run ticks the engine every FrameDuration until ctx is done: one timer
// for all media. When the goroutine was late it makes up the missed
// frames (up to a few; after a longer stall it skips ahead), so the
// frames keep pace with the clock. It returns nil when ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	t := time.NewTicker(FrameDuration)
	defer t.Stop()
	start := e.clock.Now()
	var done int64
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		due := int64(e.clock.Now().Sub(start) / FrameDuration)
		n := due - done
		if n > maxCatchUp {
			done, n = due-1, 1
		}
		for ; n > 0; n-- {
			e.Step()
			done++
		}
	}
}

// Close removes every leg, closing its socket, and closes the audio
// ports. Call it after Run has returned. Later calls of the engine's and
// legs' methods fail with ErrClosed.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.shutdown = true
	e.mu.Unlock()
	e.applyCommands() // adds and removes still queued
	for _, l := range e.legs {
		l.close()
	}
	e.legs = nil
	e.closed = true
	return e.closeAudio()
}

func (e *Engine) closeAudio() error {
	var first error
	for i, s := range e.ports {
		if s == nil {
			continue
		}
		if err := s.Close(); err != nil && first == nil {
			first = fmt.Errorf("media: close %v: %w", hal.AudioPort(i), err)
		}
		e.ports[i] = nil
	}
	return first
}
