package media

import (
	"math"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"

	"ccphone/hal"
	"ccphone/media/dtmf"
	"ccphone/media/sdpneg"
	"ccphone/media/tone"
)

// TestWidebandAcrossEngines: engines at 8 and 16 kHz, with G.722 and
// G.711, carry tones end to end; 6 kHz only where both engines and the
// codec are wideband.
func TestWidebandAcrossEngines(t *testing.T) {
	tests := []struct {
		name         string
		wideA, wideB bool
		codecs       []sdpneg.Codec
		want         sdpneg.Codec
		freq         float64 // A's mic
		carried      bool
	}{
		{"G.722 wideband carries 6 kHz", true, true, []sdpneg.Codec{sdpneg.G722, sdpneg.PCMU}, sdpneg.G722, 6000, true},
		{"G.722 wideband carries 1 kHz", true, true, []sdpneg.Codec{sdpneg.G722}, sdpneg.G722, 1000, true},
		{"G.711 in wideband engines stops 6 kHz", true, true, []sdpneg.Codec{sdpneg.PCMU}, sdpneg.PCMU, 6000, false},
		{"G.711 in wideband engines", true, true, []sdpneg.Codec{sdpneg.PCMA}, sdpneg.PCMA, 1000, true},
		{"G.711 wideband to narrowband", true, false, nil, sdpneg.PCMU, 1000, true},
		{"G.711 narrowband to wideband", false, true, nil, sdpneg.PCMU, 1000, true},
		{"G.722 in narrowband engines", false, false, []sdpneg.Codec{sdpneg.G722}, sdpneg.G722, 1000, true},
		{"G.722 narrowband to wideband", false, true, []sdpneg.Codec{sdpneg.G722}, sdpneg.G722, 3000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			audioA, audioB := newFakeAudio(tt.freq, 8000), newFakeAudio(600, 8000)
			a := newEngineWith(t, Options{Audio: audioA, Wideband: tt.wideA})
			b := newEngineWith(t, Options{Audio: audioB, Wideband: tt.wideB})
			la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
			sa, sb := connect(t, la, lb, tt.codecs, true)
			if sa.Codec != tt.want || sb.Codec != tt.want {
				t.Fatalf("negotiated %v / %v, want %v", sa.Codec, sb.Codec, tt.want)
			}
			stepBoth(a, b, 100)
			rateB := b.SampleRate()
			heard := audioB.heard(hal.PortHeadset, rateB) // the last second
			share, rms := powerAt(heard, tt.freq, rateB)
			if tt.carried && (share < 0.9 || rms < 4000) {
				t.Errorf("B heard %.3f of its energy at %.0f Hz, rms %.0f; want > 0.9 and about 5657", share, tt.freq, rms)
			}
			if !tt.carried && rms > 100 {
				t.Errorf("B heard rms %.0f (%.2f at %.0f Hz) through a narrowband codec", rms, share, tt.freq)
			}
			// And back: B's 600 Hz reaches A.
			rateA := a.SampleRate()
			if s, _ := powerAt(audioA.heard(hal.PortHeadset, rateA), 600, rateA); s < 0.9 {
				t.Errorf("A heard %.3f of its energy at 600 Hz", s)
			}
			if st := lb.Stats(); st.Played < 90 || st.Lost != 0 {
				t.Errorf("B's leg: %+v", st)
			}
		})
	}
}

func newEngineWith(t *testing.T, opts Options) *Engine {
	t.Helper()
	opts.Addr = loopback
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestG722OnTheWire: a G.722 leg sends payload type 9, 160 octets a
// frame, and its timestamp advances 160 (8000 Hz clock) per 20 ms.
func TestG722OnTheWire(t *testing.T) {
	for _, wide := range []bool{true, false} {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		e := newEngineWith(t, Options{Audio: newFakeAudio(1000, 8000), Wideband: wide})
		l := addLeg(t, e, "a")
		l.Apply(sdpneg.Session{Remote: conn.LocalAddr().(*net.UDPAddr).AddrPort(), Codec: sdpneg.G722, PayloadType: 9, Direction: sdpneg.SendRecv})
		for range 5 {
			e.Step()
		}
		conn.SetReadDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 1500)
		var prev uint32
		for i := range 5 {
			n, err := conn.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			var p rtp.Packet
			if err := p.Unmarshal(buf[:n]); err != nil {
				t.Fatal(err)
			}
			if p.PayloadType != 9 || len(p.Payload) != 160 {
				t.Errorf("wideband %v: PT %d, %d octets; want 9, 160", wide, p.PayloadType, len(p.Payload))
			}
			if i > 0 && p.Timestamp-prev != 160 {
				t.Errorf("wideband %v: timestamp advanced %d, want 160", wide, p.Timestamp-prev)
			}
			prev = p.Timestamp
		}
	}
}

// TestConvertIsWhole: after the first frame, each 20 ms frame resampled
// 8 to 16 kHz and back comes out whole and uses all its input, so the
// stream is continuous: a tone through both keeps its level.
func TestConvertIsWhole(t *testing.T) {
	c := newLegCodec()
	var in, back [160]int16
	var wide [320]int16
	var out []int16
	for f := range 50 {
		for i := range in {
			in[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(f*160+i)/8000))
		}
		n, used := c.up.Process(wide[:], in[:])
		if f > 0 && (n != 320 || used != 160) {
			t.Fatalf("frame %d up: %d out, %d used", f, n, used)
		}
		convertTail(wide[:], n)
		n, used = c.down.Process(back[:], wide[:])
		if f > 1 && (n != 160 || used != 320) {
			t.Fatalf("frame %d down: %d out, %d used", f, n, used)
		}
		convertTail(back[:], n)
		out = append(out, back[:]...)
	}
	if s, rms := power(out[800:], 1000); s < 0.99 || math.Abs(rms-5657) > 150 {
		t.Errorf("after up and down: %.3f at 1 kHz, rms %.0f (want about 5657)", s, rms)
	}
}

// convertTail does what convert does with a short frame.
func convertTail(dst []int16, n int) {
	if n < len(dst) {
		copy(dst[len(dst)-n:], dst[:n])
		clear(dst[:len(dst)-n])
	}
}

// TestWidebandTonesAndDTMF: at 16 kHz tones keep their pitch and timing,
// and in-band DTMF is made and detected at the engine's rate.
func TestWidebandTonesAndDTMF(t *testing.T) {
	audio := newFakeAudio(0, 0)
	e := newEngineWith(t, Options{Audio: audio, Wideband: true})
	ru, _ := tone.BuiltinPlan("ru")
	ring, _ := ru.Tone(tone.Ringback) // 425 Hz, 0.8 s on, 3.2 s off
	e.PlayTone(hal.PortHeadset, ring)
	for range 100 {
		e.Step()
	}
	heard := audio.heard(hal.PortHeadset, 32000)
	if s, rms := powerAt(heard[:12800], 425, 16000); s < 0.95 || rms < 2000 {
		t.Errorf("first 0.8 s: %.2f at 425 Hz, rms %.0f", s, rms)
	}
	if _, rms := powerAt(heard[12800:], 425, 16000); rms != 0 {
		t.Errorf("the pause is not silent: rms %.0f", rms)
	}

	for _, codec := range []sdpneg.Codec{sdpneg.G722, sdpneg.PCMU} {
		events := make(chan Event, 16)
		a := newEngineWith(t, Options{Audio: newFakeAudio(0, 0), Wideband: true})
		b := newEngineWith(t, Options{Audio: newFakeAudio(0, 0), Wideband: true, Events: events})
		la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
		connect(t, la, lb, []sdpneg.Codec{codec}, false)
		stepBoth(a, b, 5)
		for _, r := range "70*" {
			d, _ := dtmf.ParseDigit(r)
			la.SendDTMF(d, 60*time.Millisecond)
		}
		stepBoth(a, b, 50)
		if got := collectDigits(events); got != "70*" {
			t.Errorf("%v: B detected %q in-band, want %q", codec, got, "70*")
		}
	}
}
