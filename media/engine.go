package media

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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

// The engine's one frame format: 20 ms of 8 kHz mono.
const (
	SampleRate    = 8000
	FrameSamples  = 160
	FrameDuration = 20 * time.Millisecond
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
}

// Engine owns all media of the phone. See the package doc for the
// concurrency rules.
type Engine struct {
	opts   Options
	log    *slog.Logger
	clock  hal.Clock
	ports  [hal.NumAudioPorts]hal.AudioStream
	tones  [hal.NumAudioPorts]tone.Player
	legs   []*legState
	tick   uint64
	closed bool

	// commands from other goroutines, swapped in at each tick
	mu       sync.Mutex
	pending  []command
	working  []command
	shutdown bool

	// per-tick scratch, reused
	mic    [FrameSamples]int16
	silent [FrameSamples]int16
	ear    [FrameSamples]int16
	mix    [FrameSamples]int32
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
	e := &Engine{opts: opts, log: opts.Logger, clock: opts.Clock,
		pending: make([]command, 0, 16), working: make([]command, 0, 16), legs: make([]*legState, 0, 4)}
	format := hal.AudioFormat{SampleRate: SampleRate, Channels: 1, FrameSamples: FrameSamples}
	open := []hal.AudioPort{hal.PortHeadset}
	if opts.Speaker {
		open = append(open, hal.PortSpeaker)
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

// command is a change queued by another goroutine.
type command struct {
	kind  commandKind
	leg   *legState
	apply legSettings
	port  hal.AudioPort
	tone  tone.Tone
}

type commandKind uint8

const (
	cmdAddLeg commandKind = iota
	cmdRemoveLeg
	cmdUpdateLeg // apply the fields set in apply
	cmdPlayTone
	cmdStopTone
	cmdDigit
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

// PlayTone plays t on port (headset or speaker) from its start, replacing
// the tone playing there; the headset mixes it with the calls.
func (e *Engine) PlayTone(port hal.AudioPort, t tone.Tone) error {
	if port != hal.PortHeadset && port != hal.PortSpeaker {
		return fmt.Errorf("%w: tone on %v", ErrPort, port)
	}
	return e.enqueue(command{kind: cmdPlayTone, port: port, tone: t})
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
			c.leg.close()
		case cmdUpdateLeg, cmdDigit:
			c.leg.update(c.kind, &c.apply)
		case cmdPlayTone:
			e.tones[c.port].Play(c.tone)
		case cmdStopTone:
			e.tones[c.port].Stop()
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
	arrival := uint32(e.tick * FrameSamples)
	e.tick++

	if hs := e.ports[hal.PortHeadset]; hs != nil {
		if err := hs.ReadFrame(e.mic[:]); err != nil {
			clear(e.mic[:])
			e.audioError("read headset", err)
		}
	}
	clear(e.mix[:])
	for _, l := range e.legs {
		l.receive(e, arrival)
		l.play(e.mix[:])
	}
	e.writePort(hal.PortHeadset)
	e.writePort(hal.PortSpeaker)
	for _, l := range e.legs {
		l.send(e)
		l.publish()
	}
}

// writePort writes the port's frame: for the headset the mix of the
// calls (already in e.mix) and its tone; for the speaker its tone.
func (e *Engine) writePort(p hal.AudioPort) {
	s := e.ports[p]
	if s == nil {
		return
	}
	if p != hal.PortHeadset {
		clear(e.mix[:])
	}
	e.tones[p].Add(e.mix[:])
	osc.Saturate(e.ear[:], e.mix[:])
	if err := s.WriteFrame(e.ear[:]); err != nil {
		e.audioError("write "+p.String(), err)
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
