package media

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"

	"ccphone/hal/haltest"
	"ccphone/media/record"
	"ccphone/media/sdpneg"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openRecorder(tb testing.TB, rate int) *record.Recorder {
	tb.Helper()
	r, err := record.Open(tb.TempDir(), record.Options{ID: "call", SampleRate: rate, Logger: quietLog(),
		// Tests step far faster than real time: room for 16 s unwritten.
		Buffers: 16})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// stopRecording stops l's recording, steps e until the recorder comes
// back, and closes it.
func stopRecording(t *testing.T, e *Engine, l *Leg, want Recorder) record.Meta {
	t.Helper()
	back, err := l.StopRecording()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-back:
		t.Fatal("recorder handed back before the tick")
	default:
	}
	e.Step()
	got := <-back
	if got != want {
		t.Fatalf("handed back %v, want the recorder given", got)
	}
	meta, err := got.(*record.Recorder).Close()
	if err != nil {
		t.Fatal(err)
	}
	return meta
}

// readStereo reads a 16-bit PCM stereo WAV file into its two channels.
func readStereo(t *testing.T, path string) (left, right []int16, rate int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s is not a WAV file", path)
	}
	var data []byte
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8 : min(len(b), p+8+size)]
		switch id {
		case "fmt ":
			if tag, ch := binary.LittleEndian.Uint16(body), binary.LittleEndian.Uint16(body[2:]); tag != 1 || ch != 2 {
				t.Fatalf("format tag %d, %d channels; want PCM stereo", tag, ch)
			}
			rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			data = body
		}
		p += 8 + size + size&1
	}
	for i := 0; i+3 < len(data); i += 4 {
		left = append(left, int16(binary.LittleEndian.Uint16(data[i:])))
		right = append(right, int16(binary.LittleEndian.Uint16(data[i+2:])))
	}
	return left, right, rate
}

// TestRecordingTap records A's leg of a call between two engines: the
// agent (A's mic, 1 kHz) goes left, the far end (B's mic, 600 Hz) right;
// hold records silence from both; a renegotiation to A-law does not stop
// the recording.
func TestRecordingTap(t *testing.T) {
	a, b := newEngine(t, newFakeAudio(1000, 8000), nil), newEngine(t, newFakeAudio(600, 8000), nil)
	la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
	connect(t, la, lb, []sdpneg.Codec{sdpneg.PCMU}, true)
	stepBoth(a, b, 10)

	rec := openRecorder(t, a.SampleRate())
	if err := la.StartRecording(rec); err != nil {
		t.Fatal(err)
	}
	if err := la.StartRecording(rec); !errors.Is(err, ErrRecording) {
		t.Errorf("second StartRecording: %v, want ErrRecording", err)
	}
	stepBoth(a, b, 100) // frames 0-99: talking
	la.SetHold(true)
	stepBoth(a, b, 50) // 100-149: held
	la.SetHold(false)
	stepBoth(a, b, 25) // 150-174: talking again
	connect(t, la, lb, []sdpneg.Codec{sdpneg.PCMA}, true)
	stepBoth(a, b, 75) // 175-249: A-law
	if !la.Recording() {
		t.Error("Recording() is false while recording")
	}
	meta := stopRecording(t, a, la, rec) // 250: the tick that hands it back records nothing
	if la.Recording() {
		t.Error("Recording() is true after StopRecording")
	}
	if len(meta.Segments) != 1 {
		t.Fatalf("segments %+v", meta.Segments)
	}
	left, right, rate := readStereo(t, meta.Files()[0])
	if rate != 8000 || len(left) != 250*160 {
		t.Fatalf("%d Hz, %d samples; want 8000 Hz, %d", rate, len(left), 250*160)
	}
	frames := func(ch []int16, from, to int) []int16 { return ch[from*160 : to*160] }
	check := func(what string, sig []int16, freq float64) {
		t.Helper()
		if s, rms := power(sig, freq); s < 0.9 || rms < 3000 {
			t.Errorf("%s: %.2f of its energy at %.0f Hz, rms %.0f", what, s, freq, rms)
		}
	}
	// The far end comes through the jitter buffer: skip its start.
	check("agent, talking", frames(left, 0, 100), 1000)
	check("far end, talking", frames(right, 10, 100), 600)
	if s, _ := power(frames(left, 0, 100), 600); s > 0.01 {
		t.Errorf("the far end leaks into the agent's channel: %.2f", s)
	}
	if s, _ := power(frames(right, 10, 100), 1000); s > 0.01 {
		t.Errorf("the agent leaks into the far end's channel: %.2f", s)
	}
	for ch, sig := range [][]int16{frames(left, 100, 150), frames(right, 100, 150)} {
		if _, rms := power(sig, 1000); rms != 0 {
			t.Errorf("channel %d records rms %.0f while held, want silence", ch, rms)
		}
	}
	check("agent, resumed", frames(left, 150, 175), 1000)
	check("agent, A-law", frames(left, 175, 250), 1000)
	check("far end, A-law", frames(right, 190, 250), 600)
}

// TestRecordingHandedBackAfterClose: a recorder still attached when the
// engine closes comes back at once.
func TestRecordingHandedBackAfterClose(t *testing.T) {
	e, l, _ := loopedLegs(t, &haltest.Audio{})
	rec := openRecorder(t, e.SampleRate())
	l.StartRecording(rec)
	for range 5 {
		e.Step()
	}
	e.Close()
	back, err := l.StopRecording()
	if !errors.Is(err, ErrClosed) {
		t.Errorf("StopRecording after Close: %v", err)
	}
	if r := <-back; r != rec {
		t.Errorf("handed back %v", r)
	}
	if m, err := rec.Close(); err != nil || m.DurationMS != 100 {
		t.Errorf("recorded %d ms (%v), want 100", m.DurationMS, err)
	}
	// Not recording: nil at once.
	if r := <-mustStop(t, l); r != nil {
		t.Errorf("a leg without a recorder handed back %v", r)
	}
}

func mustStop(t *testing.T, l *Leg) <-chan Recorder {
	back, _ := l.StopRecording()
	return back
}

type failingRecorder struct{ calls int }

var errDiskFull = errors.New("disk full")

func (f *failingRecorder) WriteFrame(agent, far []int16) error {
	f.calls++
	return errDiskFull
}

func TestRecordingFailedEvent(t *testing.T) {
	events := make(chan Event, 16)
	e := newEngine(t, &haltest.Audio{}, events)
	l := addLeg(t, e, "x")
	var f failingRecorder
	l.StartRecording(&f)
	for range 10 {
		e.Step()
	}
	if f.calls != 10 {
		t.Errorf("WriteFrame called %d times in 10 ticks", f.calls)
	}
	n := 0
	for len(events) > 0 {
		ev := <-events
		if ev.Kind == RecordingFailed && errors.Is(ev.Err, errDiskFull) && ev.Leg == l {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d RecordingFailed events, want 1", n)
	}
}
