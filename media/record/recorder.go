package record

import (
	"ccphone/media/internal/atomicfile"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"ccphone/media/g711"
)

// Recorder writes one call's recording: one WAV file per segment plus a
// metadata file, in one folder.
//
// WriteFrame, Start and Stop never wait for the disk: they fill one of a
// few in-memory buffers, and a goroutine the Recorder owns writes and
// fsyncs each buffer once it holds Options.SyncEvery of audio (by frame
// count: the media clock's ticks are the only time base), patches the
// header sizes, and opens and finishes segment files. Close hands over the
// rest and waits for that goroutine.
//
// A Recorder belongs to one goroutine at a time (the media engine's):
// WriteFrame, Start, Stop, Frames and Close must not be called
// concurrently; handing the Recorder to another goroutine through a
// channel or lock is enough.
type Recorder struct {
	opts        Options
	layout      wavLayout
	frameSample int   // samples per channel per frame
	frameBytes  int   // bytes per frame in the file
	syncFrames  int   // frames per buffer
	limitFrames int64 // 0: no limit
	minFrames   int64
	silence     []int16

	// Owned by the caller's goroutine.
	cur       []byte // buffer being filled; nil when none is held
	curFrames int
	frames    int64 // frames recorded so far, all segments
	dropped   int64
	recording bool // a segment is open
	limited   bool
	closed    bool

	free chan []byte // empty buffers, from the writer
	ops  chan op     // to the writer, in order
	done chan struct{}
	err  atomic.Pointer[error] // the writer's first error

	// Owned by the writer goroutine until done is closed.
	w writer
}

type opKind uint8

const (
	opData  opKind = iota // write buf
	opEnd                 // write buf, then finish the segment
	opStart               // open a new segment at time at
	opClose               // write buf, finish, then write or discard metadata
)

type op struct {
	kind    opKind
	buf     []byte // may be nil
	frames  int
	at      time.Time
	discard bool  // opClose: remove everything
	dropped int64 // opClose: frames dropped
}

// Open starts a recording in dir, which must exist: it writes the
// metadata file (state "recording") and, unless opts.Paused, the first
// segment's file with its header, both synced, so a power cut from here
// on leaves a repairable recording. Open does file I/O and may block; call
// it outside the media tick and hand the Recorder to the engine.
func Open(dir string, opts Options) (*Recorder, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	start := opts.Clock.Now()
	if opts.ID == "" {
		opts.ID = makeID(start, opts.Call)
	}
	channels := opts.Layout.channels()
	r := &Recorder{
		opts:        opts,
		layout:      newWAVLayout(opts.Format, channels, opts.SampleRate),
		frameSample: opts.SampleRate / int(time.Second/FrameDuration),
	}
	r.frameBytes = r.frameSample * channels * opts.Format.bytesPerSample()
	r.syncFrames = max(1, int(opts.SyncEvery/FrameDuration))
	r.limitFrames = int64(opts.TimeLimit / FrameDuration)
	if opts.TimeLimit > 0 && r.limitFrames == 0 {
		r.limitFrames = 1
	}
	r.minFrames = int64((opts.MinLength + FrameDuration - 1) / FrameDuration)
	r.silence = make([]int16, r.frameSample)
	r.free = make(chan []byte, opts.Buffers)
	for range opts.Buffers {
		r.free <- make([]byte, 0, r.syncFrames*r.frameBytes)
	}
	r.ops = make(chan op, opts.Buffers+8)
	r.done = make(chan struct{})
	r.w = writer{
		log:    opts.Logger.With("recording", opts.ID),
		layout: r.layout,
		meta: Meta{
			ID:         opts.ID,
			CallInfo:   opts.Call,
			Start:      start,
			Segments:   []Segment{},
			Format:     opts.Format.String(),
			Layout:     opts.Layout.String(),
			Channels:   channels,
			SampleRate: opts.SampleRate,
			State:      StateRecording,
			Dir:        dir,
		},
		frameBytes: int64(r.frameBytes),
	}
	if _, err := os.Stat(r.w.meta.MetaPath()); err == nil {
		return nil, fmt.Errorf("%w: recording %s exists in %s", ErrOptions, opts.ID, dir)
	}
	if err := writeMeta(&r.w.meta); err != nil {
		return nil, fmt.Errorf("record: open %s: %w", opts.ID, err)
	}
	if !opts.Paused {
		if err := r.w.startSegment(start); err != nil {
			_ = os.Remove(r.w.meta.MetaPath()) // nothing recorded yet; the error says why
			return nil, fmt.Errorf("record: open %s: %w", opts.ID, err)
		}
		r.recording = true
	}
	r.w.log.Info("recording started", "dir", dir, "format", opts.Format, "layout", opts.Layout, "rate", opts.SampleRate)
	go r.run()
	return r, nil
}

// ID returns the recording's ID (the base of its file names). It is safe
// for concurrent use.
func (r *Recorder) ID() string { return r.opts.ID }

// Frames returns how many 20 ms frames were recorded so far.
func (r *Recorder) Frames() int64 { return r.frames }

// Recording reports whether frames are being recorded: a segment is open
// (not Paused or Stopped) and the time limit is not reached.
func (r *Recorder) Recording() bool { return r.recording && !r.limited }

// WriteFrame records one 20 ms frame: agent is what the agent's
// microphone picked up, far what the far end sent (decoded). Each holds
// SampleRate/50 samples, or none for silence. In Stereo the agent goes
// left and the far end right; Mono stores their clipped sum.
//
// WriteFrame allocates nothing and never waits for the disk. While the
// recording is stopped it records nothing and returns nil. It returns
// ErrTimeLimit once the time limit is reached (the frame that reaches it
// is recorded), ErrOverrun when the disk fell so far behind that the frame
// had to be dropped, and the writer's error once a write failed.
func (r *Recorder) WriteFrame(agent, far []int16) error {
	if r.closed {
		return ErrClosed
	}
	if p := r.err.Load(); p != nil {
		return *p
	}
	if len(agent) == 0 {
		agent = r.silence
	}
	if len(far) == 0 {
		far = r.silence
	}
	if len(agent) != r.frameSample || len(far) != r.frameSample {
		return ErrFrameSize
	}
	if r.limited {
		return ErrTimeLimit
	}
	if !r.recording {
		return nil
	}
	if r.cur == nil || len(r.cur)+r.frameBytes > cap(r.cur) {
		if r.cur != nil && !r.send(op{kind: opData, buf: r.cur, frames: r.curFrames}) {
			r.dropped++
			return ErrOverrun
		}
		select {
		case r.cur = <-r.free:
			r.curFrames = 0
		default:
			r.dropped++
			return ErrOverrun
		}
	}
	n := len(r.cur)
	r.cur = r.cur[:n+r.frameBytes]
	r.encode(r.cur[n:], agent, far)
	r.curFrames++
	r.frames++
	if r.curFrames >= r.syncFrames {
		// On failure the full buffer stays; the next frame retries.
		r.send(op{kind: opData, buf: r.cur, frames: r.curFrames})
	}
	if r.limitFrames > 0 && r.frames >= r.limitFrames {
		r.limited = true
		r.stop()
	}
	return nil
}

// send hands o to the writer without waiting; on success the buffer in
// o belongs to the writer.
func (r *Recorder) send(o op) bool {
	select {
	case r.ops <- o:
		if o.buf != nil {
			r.cur, r.curFrames = nil, 0
		}
		return true
	default:
		return false
	}
}

// Stop ends the current segment: its audio is written, its header made
// final and the file renamed to its finished name, by the writer. Frames
// are not recorded until Start. Stopping a stopped recording does
// nothing. Stop never waits for the disk; it returns ErrOverrun if the
// writer is too far behind to take the request (try again next frame).
func (r *Recorder) Stop() error {
	if r.closed {
		return ErrClosed
	}
	if !r.recording {
		return nil
	}
	if !r.stop() {
		return ErrOverrun
	}
	return nil
}

func (r *Recorder) stop() bool {
	if !r.send(op{kind: opEnd, buf: r.cur, frames: r.curFrames}) {
		return false
	}
	r.recording = false
	return true
}

// Start begins a new segment, a new file of the same recording (ID-02.wav,
// ID-03.wav, ...; a segment is never overwritten). Starting a running
// recording does nothing. Start never waits for the disk; it returns
// ErrTimeLimit after the time limit and ErrOverrun if the writer is too
// far behind to take the request.
func (r *Recorder) Start() error {
	if r.closed {
		return ErrClosed
	}
	if r.limited {
		return ErrTimeLimit
	}
	if r.recording {
		return nil
	}
	if !r.send(op{kind: opStart, at: r.opts.Clock.Now()}) {
		return ErrOverrun
	}
	r.recording = true
	return nil
}

// Close finishes the recording: it hands the buffered audio to the
// writer, waits until the last segment is written, synced, given its
// final header and renamed, and writes the metadata (state "finished").
// A recording shorter than Options.MinLength, or with no audio at all, is
// removed instead and Meta.Discarded is set. Close blocks on the disk; it returns the
// metadata and the first write error, if any. Whatever reached the disk
// stays even then (RepairDir finishes it at the next start).
func (r *Recorder) Close() (Meta, error) {
	if r.closed {
		return Meta{}, ErrClosed
	}
	r.closed = true
	r.ops <- op{kind: opClose, buf: r.cur, frames: r.curFrames,
		discard: r.frames == 0 || r.frames < r.minFrames, dropped: r.dropped}
	r.cur = nil
	<-r.done
	m := r.w.meta
	m.Segments = append([]Segment(nil), m.Segments...)
	var err error
	if p := r.err.Load(); p != nil {
		err = *p
	}
	return m, err
}

func (r *Recorder) run() {
	defer close(r.done)
	for o := range r.ops {
		if o.buf != nil {
			if r.err.Load() == nil {
				if err := r.w.write(o.buf); err != nil {
					r.fail(err)
				}
			}
			r.free <- o.buf[:0]
		}
		var err error
		switch o.kind {
		case opEnd:
			err = r.w.endSegment()
		case opStart:
			if r.err.Load() == nil {
				err = r.w.startSegment(o.at)
			}
		case opClose:
			if err := r.w.close(o.discard, o.dropped); err != nil {
				r.fail(err)
			}
			return
		}
		if err != nil {
			r.fail(err)
		}
	}
}

func (r *Recorder) fail(err error) {
	if r.err.Load() == nil {
		err = fmt.Errorf("record: %s: %w", r.opts.ID, err)
		r.err.Store(&err)
		r.w.log.Error("recording failed", "err", err)
	}
}

// encode writes one frame of the file's format into dst.
func (r *Recorder) encode(dst []byte, agent, far []int16) {
	le := binary.LittleEndian
	agent, far = agent[:r.frameSample], far[:r.frameSample]
	switch {
	case r.opts.Format == PCM16 && r.opts.Layout == Stereo:
		dst = dst[:4*len(agent)]
		for i, a := range agent {
			le.PutUint32(dst[4*i:4*i+4], uint32(uint16(a))|uint32(uint16(far[i]))<<16)
		}
	case r.opts.Format == PCM16:
		dst = dst[:2*len(agent)]
		for i, a := range agent {
			le.PutUint16(dst[2*i:2*i+2], uint16(mix(a, far[i])))
		}
	case r.opts.Layout == Stereo && r.opts.Format == Ulaw:
		dst = dst[:2*len(agent)]
		for i, a := range agent {
			d := dst[2*i : 2*i+2]
			d[0], d[1] = g711.LinearToUlaw(a), g711.LinearToUlaw(far[i])
		}
	case r.opts.Layout == Stereo:
		dst = dst[:2*len(agent)]
		for i, a := range agent {
			d := dst[2*i : 2*i+2]
			d[0], d[1] = g711.LinearToAlaw(a), g711.LinearToAlaw(far[i])
		}
	case r.opts.Format == Ulaw:
		dst = dst[:len(agent)]
		for i, a := range agent {
			dst[i] = g711.LinearToUlaw(mix(a, far[i]))
		}
	default:
		dst = dst[:len(agent)]
		for i, a := range agent {
			dst[i] = g711.LinearToAlaw(mix(a, far[i]))
		}
	}
}

func mix(a, b int16) int16 {
	s := int32(a) + int32(b)
	return int16(min(max(s, -32768), 32767))
}

// writer does the file work; only the writer goroutine (and Open, before
// starting it) touches it.
type writer struct {
	log        *slog.Logger
	layout     wavLayout
	meta       Meta
	frameBytes int64

	f     *os.File // open segment, nil when none
	part  string   // its path while being written
	bytes int64    // audio bytes in it
	hdr   []byte   // scratch header
}

func (w *writer) startSegment(at time.Time) error {
	name := fmt.Sprintf("%s-%02d.wav", w.meta.ID, len(w.meta.Segments)+1)
	path := filepath.Join(w.meta.Dir, name)
	// The metadata lists the segment before its file exists: a crash in
	// between leaves a listed segment with no file, which RepairDir drops.
	w.meta.Segments = append(w.meta.Segments, Segment{File: name, Start: at})
	if err := writeMeta(&w.meta); err != nil {
		return err
	}
	f, err := os.OpenFile(path+partSuffix, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if _, err := f.Write(w.layout.header); err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = syncDir(w.meta.Dir)
	}
	if err != nil {
		_ = f.Close() // already failing
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	w.f, w.part, w.bytes = f, path+partSuffix, 0
	w.log.Info("segment started", "file", name)
	return nil
}

// write appends audio, patches the header sizes and syncs, so that after
// a crash the file is complete up to here even without Repair.
func (w *writer) write(buf []byte) error {
	if w.f == nil {
		return nil
	}
	if _, err := w.f.WriteAt(buf, int64(w.layout.dataOff)+w.bytes); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrWrite, w.part, err)
	}
	w.bytes += int64(len(buf))
	seg := &w.meta.Segments[len(w.meta.Segments)-1]
	seg.DurationMS = w.bytes / w.frameBytes * int64(FrameDuration/time.Millisecond)
	if err := w.patchHeader(); err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrWrite, w.part, err)
	}
	return nil
}

func (w *writer) patchHeader() error {
	if w.hdr == nil {
		w.hdr = make([]byte, w.layout.dataOff)
	}
	copy(w.hdr, w.layout.header)
	w.layout.putSizes(w.hdr, w.bytes)
	if _, err := w.f.WriteAt(w.hdr, 0); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrWrite, w.part, err)
	}
	return nil
}

// endSegment makes the open segment final: sizes from the file itself
// (Repair), synced, renamed to its finished name.
func (w *writer) endSegment() error {
	if w.f == nil {
		return nil
	}
	f, part := w.f, w.part
	w.f = nil
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrWrite, part, err)
	}
	info, err := Repair(part)
	if err != nil {
		return err
	}
	final := part[:len(part)-len(partSuffix)]
	if err := os.Rename(part, final); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err := syncDir(w.meta.Dir); err != nil {
		return err
	}
	seg := &w.meta.Segments[len(w.meta.Segments)-1]
	seg.DurationMS = info.Duration().Milliseconds()
	seg.Bytes = info.DataOffset + info.DataBytes + info.DataBytes&1
	w.log.Info("segment finished", "file", seg.File, "duration", info.Duration())
	return nil
}

func (w *writer) close(discard bool, dropped int64) error {
	err := w.endSegment()
	w.meta.DroppedFrames = dropped
	w.meta.DurationMS = 0
	for _, s := range w.meta.Segments {
		w.meta.DurationMS += s.DurationMS
	}
	if discard {
		w.meta.Discarded = true
		for _, s := range w.meta.Segments {
			p := filepath.Join(w.meta.Dir, s.File)
			for _, q := range []string{p, p + partSuffix} {
				if rerr := os.Remove(q); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
					err = errors.Join(err, fmt.Errorf("%w: %w", ErrWrite, rerr))
				}
			}
		}
		if rerr := os.Remove(w.meta.MetaPath()); rerr != nil {
			err = errors.Join(err, fmt.Errorf("%w: %w", ErrWrite, rerr))
		}
		w.log.Info("recording discarded: shorter than the minimum", "duration", w.meta.Duration())
		return err
	}
	if err != nil {
		return err // state stays "recording": RepairDir finishes it
	}
	w.meta.State = StateFinished
	if err := writeMeta(&w.meta); err != nil {
		return err
	}
	w.log.Info("recording finished", "duration", w.meta.Duration(), "segments", len(w.meta.Segments))
	return nil
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	if err := atomicfile.SyncDir(dir); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return nil
}
