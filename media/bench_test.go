package media

import (
	"testing"

	"github.com/pion/rtp"

	"ccphone/hal/haltest"
	"ccphone/media/g711"
	"ccphone/media/jitter"
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
