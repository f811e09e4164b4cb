package jitter

import (
	"fmt"
	"time"

	"github.com/pion/rtp"
)

// Size is the number of slots: the most frames the buffer holds.
const Size = 64

// MaxPayload is the largest payload a slot keeps; longer ones are cut.
const MaxPayload = 320

// PayloadTypeCN is the static RTP payload type of comfort noise (RFC 3389).
const PayloadTypeCN = 13

// Kind says what a frame from Pop carries.
type Kind uint8

// Frame kinds.
const (
	Silence Kind = iota // nothing to play: not started, comfort noise, or a pause
	Voice               // a received frame
	Lost                // a frame is missing in a talkspurt: conceal it
)

var kindNames = [...]string{"silence", "voice", "lost"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Frame is one frame out of the buffer. Payload points into the buffer
// and is valid until the next Push, Pop or Reset.
type Frame struct {
	Kind        Kind
	Seq         uint16 // of a Voice frame
	Timestamp   uint32 // of a Voice frame
	PayloadType uint8  // of a Voice frame
	Payload     []byte // of a Voice frame
}

// Options configure a Buffer.
type Options struct {
	ClockRate    int           // RTP clock in Hz, 8000 for G.711
	FrameSamples int           // samples per frame, 160 for 20 ms at 8 kHz
	MinDelay     time.Duration // least playout delay, at least one frame
	MaxDelay     time.Duration // most playout delay; at most Size/2 frames
}

// DefaultOptions returns the options for 20 ms G.711 frames: 40 to 200 ms
// of playout delay.
func DefaultOptions() Options {
	return Options{ClockRate: 8000, FrameSamples: 160, MinDelay: 40 * time.Millisecond, MaxDelay: 200 * time.Millisecond}
}

// Stats counts what happened to the packets. All fields are counts since
// New or the last Reset, except Jitter and Target.
type Stats struct {
	Received   uint64 // packets stored
	Played     uint64 // Voice frames returned
	Lost       uint64 // Lost frames returned for a missing packet
	Concealed  uint64 // Lost frames returned in an underrun or inserted
	Late       uint64 // packets dropped for arriving after their turn
	Duplicates uint64 // packets dropped as already held
	Dropped    uint64 // frames skipped to shrink the delay
	Resets     uint64 // jumps in sequence that restarted the buffer
	Jitter     uint32 // RFC 3550 interarrival jitter, in timestamp units
	Target     int    // current playout target, in frames
}

type slot struct {
	valid   bool
	pt      uint8
	seq     uint16
	ts      uint32
	n       int
	payload [MaxPayload]byte
}

// Buffer is an adaptive jitter buffer. It is used by one goroutine.
type Buffer struct {
	opts             Options
	minFrames        int
	maxFrames        int
	slots            [Size]slot
	count            int    // valid slots
	started          bool   // a packet arrived since Reset
	playing          bool   // buffered to target; popping
	next             uint16 // next sequence number to play
	maxSeq           uint16 // highest sequence number held
	advanced         bool   // next has moved since the start
	inTalk           bool   // the last thing played was voice
	underrun         int    // frames since the buffer ran dry in a talkspurt
	havePrev         bool
	prevTransit      uint32
	jitterQ4         uint32 // jitter × 16, as in RFC 3550 appendix A.8
	target           int
	depthSum, depthN int
	stats            Stats
}

// New returns an empty buffer.
func New(opts Options) *Buffer {
	if opts.ClockRate <= 0 {
		opts.ClockRate = 8000
	}
	if opts.FrameSamples <= 0 {
		opts.FrameSamples = opts.ClockRate / 50
	}
	frame := time.Duration(opts.FrameSamples) * time.Second / time.Duration(opts.ClockRate)
	b := &Buffer{opts: opts}
	b.minFrames = max(1, int((opts.MinDelay+frame-1)/frame))
	b.maxFrames = min(Size/2, max(b.minFrames, int(opts.MaxDelay/frame)))
	b.target = b.minFrames
	return b
}

// Reset empties the buffer, as for a new source.
func (b *Buffer) Reset() {
	for i := range b.slots {
		b.slots[i].valid = false
	}
	b.count, b.started, b.playing, b.advanced, b.inTalk, b.underrun, b.havePrev = 0, false, false, false, false, 0, false
	b.jitterQ4, b.target, b.depthSum, b.depthN = 0, b.minFrames, 0, 0
	b.stats = Stats{}
}

// Stats returns the counters.
func (b *Buffer) Stats() Stats {
	s := b.stats
	s.Jitter = b.jitterQ4 >> 4
	s.Target = b.target
	return s
}

// Len returns the number of packets held.
func (b *Buffer) Len() int { return b.count }

// Push stores a received packet. arrival is the receive time in RTP
// timestamp units on any continuous clock (the media engine counts its
// ticks); it feeds the jitter estimate. It reports whether the packet was
// kept.
func (b *Buffer) Push(p *rtp.Packet, arrival uint32) bool {
	seq := p.SequenceNumber
	if !b.started {
		b.started, b.next, b.maxSeq = true, seq, seq
	}
	d := int16(seq - b.next)
	switch {
	case d < 0:
		// Before the next frame to play. Before playout starts an early
		// packet of the talkspurt may still move the start back.
		if b.playing || b.advanced || int(int16(b.maxSeq-seq)) >= Size {
			b.stats.Late++
			return false
		}
		b.next = seq
	case int(d) >= Size:
		// Far ahead: the sender jumped. Start over from here.
		b.flush()
		b.stats.Resets++
		b.next, b.maxSeq, b.advanced, b.havePrev = seq, seq, false, false
	}
	s := &b.slots[seq%Size]
	if s.valid {
		b.stats.Duplicates++
		return false
	}
	s.valid, s.pt, s.seq, s.ts = true, p.PayloadType, seq, p.Timestamp
	s.n = copy(s.payload[:], p.Payload)
	b.count++
	if b.count == 1 || int16(seq-b.maxSeq) > 0 {
		b.maxSeq = seq
	}
	b.stats.Received++
	b.measure(p.Timestamp, arrival)
	return true
}

func (b *Buffer) flush() {
	for i := range b.slots {
		b.slots[i].valid = false
	}
	b.count, b.playing = 0, false
}

// measure updates the RFC 3550 interarrival jitter and the target delay.
func (b *Buffer) measure(ts, arrival uint32) {
	transit := arrival - ts
	if b.havePrev {
		d := int32(transit - b.prevTransit)
		if d < 0 {
			d = -d
		}
		// J += (|D| - J) / 16, in Q4 (RFC 3550 A.8).
		b.jitterQ4 += uint32(d) - ((b.jitterQ4 + 8) >> 4)
	}
	b.prevTransit, b.havePrev = transit, true
	// The jitter is the mean deviation of the transit time; three of it
	// cover nearly all of the spread, beyond the frame being played.
	frame := uint32(b.opts.FrameSamples)
	want := 1 + int((3*(b.jitterQ4>>4)+frame-1)/frame)
	b.target = min(max(want, b.minFrames), b.maxFrames)
}

// span returns how many frames lie from next to the newest held.
func (b *Buffer) span() int {
	if b.count == 0 {
		return 0
	}
	return int(int16(b.maxSeq-b.next)) + 1
}

// Pop returns the frame to play now. Call it once per frame time.
func (b *Buffer) Pop() Frame {
	if !b.playing {
		if b.count == 0 || b.span() < b.target {
			return b.fill()
		}
		b.playing = true
	}
	// Too far behind after a burst: drop the oldest frames now.
	for b.span() > b.maxFrames+2 {
		b.skip()
	}
	if f, ok := b.take(); ok {
		b.drift()
		return f
	}
	if b.count > 0 {
		// Missing, but later ones are here: lost (or too late).
		b.next++
		b.advanced = true
		b.stats.Lost++
		return Frame{Kind: Lost}
	}
	// Ran dry: wait for the buffer to fill to target again.
	b.playing = false
	return b.fill()
}

// take returns the frame at next if it is held.
func (b *Buffer) take() (Frame, bool) {
	s := &b.slots[b.next%Size]
	if !s.valid || s.seq != b.next {
		return Frame{}, false
	}
	s.valid = false
	b.count--
	b.next++
	b.advanced = true
	b.underrun = 0
	if s.pt == PayloadTypeCN {
		b.inTalk = false
		return Frame{Kind: Silence}, true
	}
	b.inTalk = true
	b.stats.Played++
	return Frame{Kind: Voice, Seq: s.seq, Timestamp: s.ts, PayloadType: s.pt, Payload: s.payload[:s.n]}, true
}

// skip drops the frame at next (held or not).
func (b *Buffer) skip() {
	s := &b.slots[b.next%Size]
	if s.valid && s.seq == b.next {
		s.valid = false
		b.count--
	}
	b.next++
	b.advanced = true
	b.stats.Dropped++
}

// fill returns the stand-in for a frame the buffer cannot give: Lost
// while a talkspurt is cut short (the concealer fades it out), Silence
// otherwise.
func (b *Buffer) fill() Frame {
	if b.inTalk {
		b.underrun++
		if b.underrun > b.maxFrames {
			b.inTalk = false // a pause, not a loss
		}
		b.stats.Concealed++
		return Frame{Kind: Lost}
	}
	return Frame{Kind: Silence}
}

// driftWindow is how many frames the average depth is taken over.
const driftWindow = 50

// drift compares the average depth over a second with the target, and
// drops a frame when the buffer holds clearly more than it should. A
// buffer that holds too little runs dry and re-buffers in fill.
func (b *Buffer) drift() {
	b.depthSum += b.span()
	b.depthN++
	if b.depthN < driftWindow {
		return
	}
	avg := b.depthSum / b.depthN
	b.depthSum, b.depthN = 0, 0
	if avg > b.target+1 && b.count > 0 {
		b.skip()
	}
}
