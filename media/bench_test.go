package media

import (
	"os"
	"testing"
	"time"

	"github.com/pion/rtp"

	"ccphone/hal"
	"ccphone/hal/haltest"
	"ccphone/media/g711"
	"ccphone/media/jitter"
	"ccphone/media/record"
	"ccphone/media/sdpneg"
)

// BenchmarkCallFrame is one 20 ms frame of one call through the whole
// engine: receive (recvfrom, unmarshal), jitter buffer, decode, mix, write
// the headset, read the mic, encode, marshal, send (sendto). The leg
// sends to itself, so every tick receives the packet of the tick before.
func BenchmarkCallFrame(b *testing.B) {
	e, err := New(Options{Audio: &haltest.Audio{}, Addr: loopback})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	l, err := e.AddLeg(LegConfig{Name: "self"})
	if err != nil {
		b.Fatal(err)
	}
	l.Apply(sdpneg.Session{Remote: l.LocalAddr(), Codec: sdpneg.PCMU, Direction: sdpneg.SendRecv,
		TelephoneEvent: 101, LocalTelephoneEvent: 101})
	for range 10 {
		e.Step()
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Step()
	}
	b.StopTimer()
	if st := l.Stats(); st.Played == 0 {
		b.Fatalf("nothing played: %+v", st)
	}
}

// BenchmarkStepTwoLegs is one tick with two calls sending to each other.
func BenchmarkStepTwoLegs(b *testing.B) {
	e, _, _ := loopedLegs(b, &haltest.Audio{})
	defer e.Close()
	for range 10 {
		e.Step()
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Step()
	}
}

// BenchmarkCallFrameCompute is the same frame without the two system
// calls: unmarshal, jitter buffer, decode, mix, encode, marshal.
func BenchmarkCallFrameCompute(b *testing.B) {
	payload := make([]byte, 160)
	wire := make([]byte, 1500)
	hdr := rtp.Header{Version: 2, SSRC: 1}
	jb := jitter.New(jitter.DefaultOptions())
	var pkt rtp.Packet
	var pcm, mic, ear [160]int16
	var mix [160]int32
	out := make([]byte, 1500)
	outHdr := rtp.Header{Version: 2, SSRC: 2}
	i := uint32(0)
	b.ReportAllocs()
	for b.Loop() {
		hdr.SequenceNumber, hdr.Timestamp = uint16(i), i*160
		n, _ := rtp.MarshalPacketTo(wire, &hdr, payload) // what arrived
		if err := pkt.Unmarshal(wire[:n]); err != nil {
			b.Fatal(err)
		}
		jb.Push(&pkt, i*160)
		if f := jb.Pop(); f.Kind == jitter.Voice {
			g711.DecodeUlaw(pcm[:], f.Payload)
		}
		for k, v := range pcm {
			mix[k] = int32(v)
		}
		for k, v := range mix {
			ear[k] = int16(min(max(v, -32768), 32767))
		}
		g711.EncodeUlaw(payload, mic[:])
		outHdr.SequenceNumber++
		if _, err := rtp.MarshalPacketTo(out, &outHdr, payload); err != nil {
			b.Fatal(err)
		}
		i++
	}
	_ = ear
}

// selfCall is an engine with one leg sending to itself, settled.
func selfCall(b *testing.B, opts Options, codec sdpneg.Codec) (*Engine, *Leg) {
	opts.Addr = loopback
	e, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	l, err := e.AddLeg(LegConfig{Name: "self"})
	if err != nil {
		b.Fatal(err)
	}
	l.Apply(sdpneg.Session{Remote: l.LocalAddr(), Codec: codec, PayloadType: codec.PayloadType(), Direction: sdpneg.SendRecv,
		TelephoneEvent: 101, LocalTelephoneEvent: 101})
	for range 10 {
		e.Step()
	}
	return e, l
}

// BenchmarkCallFrameTapped is BenchmarkCallFrame with the leg recorded
// (record.Recorder, PCM16 stereo) and the monitor port barging.
func BenchmarkCallFrameTapped(b *testing.B) {
	e, l := selfCall(b, Options{Audio: &haltest.Audio{}, Monitor: true}, sdpneg.PCMU)
	rec := newCheckedRecorder(b, e.SampleRate())
	if err := l.StartRecording(rec); err != nil {
		b.Fatal(err)
	}
	e.SetMonitor(MonitorBarge)
	e.Step()
	b.ReportAllocs()
	for b.Loop() {
		e.Step()
		rec.pace(b)
	}
	b.StopTimer()
	if rec.err != nil {
		b.Fatalf("the recorder failed: %v", rec.err)
	}
}

// BenchmarkTap is the extra work recording and the monitor add to a
// frame, without the rest of the tick: the recorder's WriteFrame (PCM16
// stereo into its buffer), and for the monitor reading its microphone,
// writing its feed (agent + calls), mixing the supervisor into the ear
// and, barging, into what the leg sends.
func BenchmarkTap(b *testing.B) {
	for _, tc := range []struct {
		name    string
		record  bool
		monitor MonitorMode
	}{{"recording", true, MonitorOff}, {"monitor-barge", false, MonitorBarge}, {"recording+monitor-barge", true, MonitorBarge}} {
		b.Run(tc.name, func(b *testing.B) {
			e, l := selfCall(b, Options{Audio: &haltest.Audio{}, Monitor: tc.monitor != MonitorOff}, sdpneg.PCMU)
			rec := newCheckedRecorder(b, e.SampleRate())
			if tc.record {
				l.StartRecording(rec)
			}
			if tc.monitor != MonitorOff {
				e.SetMonitor(tc.monitor)
			}
			e.Step()
			s, n := l.st, e.n
			b.ReportAllocs()
			for b.Loop() {
				agent := e.mic[:n]
				if tc.monitor != MonitorOff {
					e.readPort(hal.PortMonitor, e.sup[:n])
					e.writeMonitor()
					addInto(e.mix[:n], e.sup[:n])
					agent = s.voice(e) // mic + supervisor
				}
				if tc.record {
					s.record(e, agent)
					rec.pace(b)
				}
			}
			b.StopTimer()
			if rec.err != nil {
				b.Fatalf("the recorder failed, the figure is not a recording's: %v", rec.err)
			}
		})
	}
}

// checkedRecorder keeps a record.Recorder's first error, and gives its
// disk writer the time a call would (20 ms a frame) outside the
// measurement, so a benchmark measures recording and not the overrun
// path.
type checkedRecorder struct {
	r          *record.Recorder
	err        error
	frames     int
	dir        string // where the recording's files are
	frameBytes int64  // one stereo PCM16 frame
}

func (c *checkedRecorder) WriteFrame(agent, far []int16) error {
	err := c.r.WriteFrame(agent, far)
	if err != nil && c.err == nil {
		c.err = err
	}
	return err
}

// newCheckedRecorder opens a PCM16 stereo recording that syncs every
// minute of audio, so pacing stops the clock rarely.
func newCheckedRecorder(b *testing.B, rate int) *checkedRecorder {
	dir := b.TempDir()
	r, err := record.Open(dir, record.Options{ID: "bench", SampleRate: rate, Logger: quietLog(), SyncEvery: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	return &checkedRecorder{r: r, dir: dir, frameBytes: int64(rate / 50 * 4)}
}

// pace stops the clock after each minute of audio (one full buffer, just
// handed to the disk writer) until the writer has it on disk, as the
// 20 ms between a call's frames would allow; on a busy machine a fixed
// pause was not always enough, and the figure became the overrun path's.
func (c *checkedRecorder) pace(b *testing.B) {
	if c.frames++; c.frames%3000 != 0 {
		return
	}
	b.StopTimer()
	want := int64(c.frames) * c.frameBytes
	deadline := time.Now().Add(10 * time.Second)
	for c.written(b) < want {
		if time.Now().After(deadline) {
			b.Fatalf("the recorder's writer has %d of %d bytes on disk after 10 s", c.written(b), want)
		}
		time.Sleep(time.Millisecond)
	}
	b.StartTimer()
}

// written is the size of the files in the recording's directory.
func (c *checkedRecorder) written(b *testing.B) int64 {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
	}
	return n
}

// BenchmarkCallFrameCodecs is BenchmarkCallFrame for each codec at each
// engine rate: G.722 in a wideband engine is the wideband call; the
// others add resampling to and from the codec's rate.
func BenchmarkCallFrameCodecs(b *testing.B) {
	for _, tc := range []struct {
		name  string
		wide  bool
		codec sdpneg.Codec
	}{
		{"G722-16k", true, sdpneg.G722},
		{"PCMU-16k", true, sdpneg.PCMU},
		{"G722-8k", false, sdpneg.G722},
		{"PCMU-8k", false, sdpneg.PCMU},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e, l := selfCall(b, Options{Audio: &haltest.Audio{}, Wideband: tc.wide}, tc.codec)
			b.ReportAllocs()
			for b.Loop() {
				e.Step()
			}
			b.StopTimer()
			if st := l.Stats(); st.Played == 0 {
				b.Fatalf("nothing played: %+v", st)
			}
		})
	}
}
