package media

import "fmt"

// Recorder takes a call's audio one frame per tick. *record.Recorder
// (media/record) implements it. The engine calls WriteFrame from its own
// goroutine only, between StartRecording and the moment the recorder is
// handed back by StopRecording, so a recorder needs no lock; it must not
// block or allocate (record.Recorder neither waits for the disk nor
// allocates).
type Recorder interface {
	// WriteFrame takes one frame at the engine's rate (Engine.SampleRate):
	// agent is what the leg sent the far end, far what the agent heard of
	// the far end. Its errors are reported once per recording as a
	// RecordingFailed event; the engine goes on calling it.
	WriteFrame(agent, far []int16) error
}

// StartRecording makes the leg feed r from the next tick: every frame,
// the agent's side as sent to this far end (after mute and hold; with the
// barging supervisor and a conference's other party when there are) and
// the far end as played (silence while the call is held either way, or
// before media flows). Recording goes on across Apply, SetDirection and
// hold, until StopRecording or Remove. It fails with ErrRecording if the
// leg already has a recorder. Safe from any goroutine.
func (l *Leg) StartRecording(r Recorder) error {
	if r == nil {
		return fmt.Errorf("media: leg %s: nil recorder", l.name)
	}
	l.recMu.Lock()
	defer l.recMu.Unlock()
	if l.rec != nil {
		return fmt.Errorf("media: leg %s: %w", l.name, ErrRecording)
	}
	if err := l.e.enqueue(command{kind: cmdStartRecording, leg: l.st, rec: r}); err != nil {
		return fmt.Errorf("media: leg %s: %w", l.name, err)
	}
	l.rec = r
	return nil
}

// StopRecording detaches the leg's recorder. The returned channel
// receives it once the engine has stopped using it (at the next tick), so
// the caller can then Close it, off the media goroutine:
//
//	ch, _ := leg.StopRecording()
//	go func() { r := <-ch; meta, err := r.(*record.Recorder).Close(); ... }()
//
// It receives nil if the leg was not recording. When the engine is
// already closed (ErrClosed) the channel still receives the recorder:
// the engine no longer touches it. Stopping works after Remove too. Safe
// from any goroutine.
func (l *Leg) StopRecording() (<-chan Recorder, error) {
	back := make(chan Recorder, 1)
	l.recMu.Lock()
	defer l.recMu.Unlock()
	r := l.rec
	l.rec = nil
	if r == nil {
		back <- nil
		return back, nil
	}
	if err := l.e.enqueue(command{kind: cmdStopRecording, leg: l.st, back: back}); err != nil {
		back <- r
		return back, fmt.Errorf("media: leg %s: %w", l.name, err)
	}
	return back, nil
}

// Recording reports whether the leg has a recorder (as of the last
// StartRecording or StopRecording call).
func (l *Leg) Recording() bool {
	l.recMu.Lock()
	defer l.recMu.Unlock()
	return l.rec != nil
}

func (s *legState) startRecording(r Recorder) {
	s.rec, s.recFailed = r, false
}

func (s *legState) stopRecording(back chan Recorder) {
	back <- s.rec
	s.rec = nil
}

// record hands the recorder this tick's frame.
func (s *legState) record(e *Engine, agent []int16) {
	if s.rec == nil {
		return
	}
	far := e.silent[:e.n]
	if s.heard {
		far = s.far[:e.n]
	}
	err := s.rec.WriteFrame(agent, far)
	if err != nil && !s.recFailed {
		s.recFailed = true
		e.log.Warn("media: recording", "leg", s.name, "err", err)
		e.emit(Event{Kind: RecordingFailed, Leg: s.handle, Err: err})
	}
}
