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
	arrival uint32
	n       int
	payload [MaxPayload]byte
}

// The transit-time window: the spread of the packets' transit times
// (arrival minus timestamp) over the last spreadBlocks×spreadBlockLen
// packets (about 2.5 s), kept as a minimum and maximum per block of
// packets so that old extremes age out.
const (
	spreadBlocks   = 8
	spreadBlockLen = 16
)

type transitBlock struct {
	min, max int32 // relative to Buffer.transitBase
	n        int
}

// slackWindow is how many frames played the buffer watches before it
// decides to shrink its delay by a frame (half a second).
const slackWindow = 25

// Buffer is an adaptive jitter buffer. It is used by one goroutine.
type Buffer struct {
	opts        Options
	minFrames   int
	maxFrames   int
	slots       [Size]slot
	count       int    // valid slots
	started     bool   // a packet arrived since Reset
	playing     bool   // buffered to target; popping
	next        uint16 // next sequence number to play
	maxSeq      uint16 // highest sequence number held
	advanced    bool   // next has moved since the start
	inTalk      bool   // the last thing played was voice
	underrun    int    // frames since the buffer ran dry in a talkspurt
	waited      int    // frames waited for a missing packet at next
	lastSeq     uint16 // the last frame taken
	lastTS      uint32
	played      bool // lastSeq and lastTS are set
	havePrev    bool
	prevTransit uint32
	jitterQ4    uint32 // jitter × 16, as in RFC 3550 appendix A.8
	target      int
	stats       Stats

	// Transit times, for the playout delay: see measure.
	now         uint32 // the time: the latest arrival, moved a frame on by each Pop without a Push before it
	haveNow     bool
	pushed      bool // Push was called since the last Pop
	haveTransit bool // transitBase is set
	transitBase uint32
	blocks      [spreadBlocks]transitBlock
	block       int // the block being filled

	// Slack: how long the frames played waited in the buffer, and how
	// far behind the earliest possible arrival they played, over the
	// last slackN frames (see shrink).
	slackMin, lagMin int32
	slackN           int
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
	b.count, b.started, b.playing, b.advanced, b.inTalk, b.underrun, b.waited, b.havePrev = 0, false, false, false, false, 0, 0, false
	b.played = false
	b.jitterQ4, b.target, b.haveNow = 0, b.minFrames, false
	b.resetTransit()
	b.stats = Stats{}
}

// resetTransit forgets the transit times, as for a new source or a jump.
func (b *Buffer) resetTransit() {
	b.blocks = [spreadBlocks]transitBlock{}
	b.block, b.haveTransit = 0, false
	b.slackN = 0
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
	if !b.haveNow || int32(arrival-b.now) > 0 {
		b.now, b.haveNow = arrival, true
	}
	b.pushed = true
	d := int16(seq - b.next)
	switch {
	case d < 0:
		// Before the next frame to play. Before playout starts an early
		// packet of the talkspurt may still move the start back.
		if b.playing || b.advanced || int(int16(b.maxSeq-seq)) >= Size {
			b.stats.Late++
			if int(int16(b.maxSeq-seq)) < Size {
				// Too late, but it tells how late packets come: the
				// delay grows to take the next one this late.
				b.measure(p.Timestamp, arrival)
			}
			return false
		}
		b.next = seq
	case int(d) >= Size:
		// Far ahead: the sender jumped. Start over from here.
		b.flush()
		b.resetTransit()
		b.stats.Resets++
		b.next, b.maxSeq, b.advanced, b.havePrev = seq, seq, false, false
	}
	s := &b.slots[seq%Size]
	if s.valid {
		b.stats.Duplicates++
		return false
	}
	s.valid, s.pt, s.seq, s.ts, s.arrival = true, p.PayloadType, seq, p.Timestamp, arrival
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

// measure updates the RFC 3550 interarrival jitter (for Stats) and the
// transit-time window, from which the target delay follows: the frames
// it takes to cover the spread between the quickest and the slowest
// packet of the last couple of seconds, plus the frame being played.
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

	if !b.haveTransit {
		b.transitBase, b.haveTransit = transit, true // the first since a reset
	}
	rel := int32(transit - b.transitBase)
	blk := &b.blocks[b.block]
	if blk.n == spreadBlockLen {
		b.block = (b.block + 1) % spreadBlocks
		blk = &b.blocks[b.block]
		blk.n = 0
	}
	if blk.n == 0 || rel < blk.min {
		blk.min = rel
	}
	if blk.n == 0 || rel > blk.max {
		blk.max = rel
	}
	blk.n++
	lo, hi := b.transitRange()
	frame := int32(b.opts.FrameSamples)
	want := 1 + int((hi-lo+frame-1)/frame)
	b.target = min(max(want, b.minFrames), b.maxFrames)
}

// transitRange returns the least and the most transit time in the
// window, relative to transitBase.
func (b *Buffer) transitRange() (lo, hi int32) {
	first := true
	for i := range b.blocks {
		blk := &b.blocks[i]
		if blk.n == 0 {
			continue
		}
		if first || blk.min < lo {
			lo = blk.min
		}
		if first || blk.max > hi {
			hi = blk.max
		}
		first = false
	}
	return lo, hi
}

// span returns how many frames lie from next to the newest held.
func (b *Buffer) span() int {
	if b.count == 0 {
		return 0
	}
	return int(int16(b.maxSeq-b.next)) + 1
}

// Pop returns the frame to play now. Call it once per frame time.
//
// Once playing, the delay adapts by whole frames, with the concealer
// standing in for each frame added: a packet missing at its turn is
// waited for (the delay grows a frame) while it may still come, judged by
// the slowest transit time seen lately; past that it is lost and
// concealed. A buffer that runs dry in a talkspurt waits the same way.
// When every frame of the last slackWindow waited at least a frame in
// the buffer, one is dropped (the delay shrinks a frame), down to
// MinDelay. Together they follow the network's jitter and absorb drift
// between the two phones' clocks.
func (b *Buffer) Pop() Frame {
	if !b.pushed && b.haveNow {
		b.now += uint32(b.opts.FrameSamples) // a frame time passed with nothing arriving
	}
	b.pushed = false
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
		b.shrink()
		return f
	}
	if b.count > 0 {
		// Missing, but later ones are here: late, or lost.
		if b.waited < b.maxFrames && !b.overdue() {
			b.waited++
			b.stats.Concealed++
			return Frame{Kind: Lost}
		}
		b.waited = 0
		b.next++
		b.advanced = true
		b.stats.Lost++
		return Frame{Kind: Lost}
	}
	// Ran dry: in a talkspurt, wait for next (concealing) while it may
	// still come, and count it lost after that; after a pause, buffer
	// to the target again.
	f := b.fill()
	if !b.inTalk {
		b.playing = false
	} else if b.dryOverdue() {
		b.next++
		b.advanced = true
		b.stats.Concealed--
		b.stats.Lost++
	}
	return f
}

// dryOverdue is overdue for a buffer that holds nothing: next's
// timestamp follows from the last frame played, and it is given a frame
// more than the slowest transit seen, since nothing later shows it was
// lost: a sender whose clock runs slow is waited for (the delay grows a
// frame), not counted lost each time.
func (b *Buffer) dryOverdue() bool {
	if !b.played || !b.haveTransit {
		return false
	}
	frame := uint32(b.opts.FrameSamples)
	ts := b.lastTS + uint32(b.next-b.lastSeq)*frame
	_, hi := b.transitRange()
	return int32(b.now-ts-b.transitBase) >= hi+int32(frame)
}

// overdue reports whether the packet at next, missing while later ones
// are held, is later than any packet of the transit window has been: it
// is lost (or so late that waiting for it costs more than concealing).
func (b *Buffer) overdue() bool {
	newest := &b.slots[b.maxSeq%Size]
	if !newest.valid || newest.seq != b.maxSeq || !b.haveTransit {
		return true
	}
	ts := newest.ts - uint32(int16(b.maxSeq-b.next))*uint32(b.opts.FrameSamples)
	_, hi := b.transitRange()
	return int32(b.now-ts-b.transitBase) >= hi
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
	b.underrun, b.waited = 0, 0
	b.lastSeq, b.lastTS, b.played = s.seq, s.ts, true
	b.slack(s)
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

// slack notes how long the frame in s waited in the buffer, and how far
// behind the earliest possible arrival (the least transit time of the
// window) it plays.
func (b *Buffer) slack(s *slot) {
	waited := int32(b.now - s.arrival)
	lo, _ := b.transitRange()
	lag := int32(b.now-s.ts-b.transitBase) - lo
	if b.slackN == 0 || waited < b.slackMin {
		b.slackMin = waited
	}
	if b.slackN == 0 || lag < b.lagMin {
		b.lagMin = lag
	}
	b.slackN++
}

// shrink drops a frame when every frame of the last slackWindow waited
// at least a frame in the buffer and the delay stays at least MinDelay
// after it: the delay is more than the network needs (it fell, or the
// far end's clock runs faster than ours). A buffer that holds too little
// waits in Pop instead.
func (b *Buffer) shrink() {
	if b.slackN < slackWindow {
		return
	}
	frame := int32(b.opts.FrameSamples)
	excess := b.slackMin >= frame && b.lagMin-frame >= int32(b.minFrames-1)*frame
	b.slackN = 0
	if excess && b.count > 0 {
		b.skip()
	}
}
