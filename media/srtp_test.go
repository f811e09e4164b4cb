package media

import (
	"testing"

	"ccphone/hal"
	"ccphone/hal/haltest"
	"ccphone/media/sdpneg"
)

// connectSRTP is connect with an SRTP mode on each side.
func connectSRTP(t *testing.T, a, b *Leg, ma, mb sdpneg.SRTPMode) (sa, sb sdpneg.Session) {
	t.Helper()
	la, lb := localOf(a, nil, true), localOf(b, nil, true)
	la.SRTP, la.SRTPKey = ma, sdpneg.NewMasterKey()
	lb.SRTP, lb.SRTPKey = mb, sdpneg.NewMasterKey()
	offer, err := sdpneg.Offer(la)
	if err != nil {
		t.Fatal(err)
	}
	answer, sb, err := sdpneg.Answer(offer, lb)
	if err != nil {
		t.Fatal(err)
	}
	if sa, err = sdpneg.ParseAnswer(answer, la); err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(sa); err != nil {
		t.Fatal(err)
	}
	if err := b.Apply(sb); err != nil {
		t.Fatal(err)
	}
	return sa, sb
}

// TestToneOverSRTP: a tone crosses from one engine to another over SRTP
// negotiated in SDP, and the quality snapshot says so; a leg given the
// wrong receive key hears nothing and counts what it drops.
func TestToneOverSRTP(t *testing.T) {
	audioA, audioB := newFakeAudio(1000, 8000), newFakeAudio(0, 0)
	a, b := newEngine(t, audioA, nil), newEngine(t, audioB, nil)
	la, lb := addLeg(t, a, "a"), addLeg(t, b, "b")
	sa, sb := connectSRTP(t, la, lb, sdpneg.SRTPRequired, sdpneg.SRTPOptional)
	if !sa.Secure() || !sb.Secure() {
		t.Fatalf("not secure: %v %v", sa.SRTP, sb.SRTP)
	}
	stepBoth(a, b, 100)
	share, rms := power(audioB.heard(hal.PortHeadset, 8000), 1000)
	if share < 0.95 || rms < 5000 {
		t.Errorf("B heard %.2f of its energy at 1 kHz, rms %.0f", share, rms)
	}
	q := lb.Quality()
	if q.SRTP != sdpneg.SuiteAES80 || q.Rejected != 0 || q.Received < 95 {
		t.Errorf("B's quality %+v", q)
	}

	// B renegotiates with a receive key that is not A's: from then on
	// every packet of A is dropped and counted, and B hears silence.
	bad := sb
	bad.RecvKey = sdpneg.NewMasterKey()
	if err := lb.Apply(bad); err != nil {
		t.Fatal(err)
	}
	stepBoth(a, b, 100)
	if _, rms := power(audioB.heard(hal.PortHeadset, 4000), 1000); rms > 8 {
		t.Errorf("B heard rms %.0f through the wrong key", rms)
	}
	if q := lb.Quality(); q.Rejected < 90 {
		t.Errorf("B rejected %d packets under the wrong key, want about 100", q.Rejected)
	}
}

// TestSRTPStepDoesNotAllocate: a tick with two legs on SRTP (RTCP
// included) allocates nothing.
func TestSRTPStepDoesNotAllocate(t *testing.T) {
	e, err := New(Options{Audio: &haltest.Audio{}, Addr: loopback, RTCPEvery: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	l1, l2 := addLeg(t, e, "line1"), addLeg(t, e, "line2")
	connectSRTP(t, l1, l2, sdpneg.SRTPRequired, sdpneg.SRTPRequired)
	for range 20 {
		e.Step()
	}
	limit := 0.0
	if raceDetector {
		limit = 8 // pion/srtp's pooled buffers, see raceDetector
	}
	if a := testing.AllocsPerRun(100, e.Step); a > limit {
		t.Errorf("%v allocations per tick, want %v", a, limit)
	}
	for _, l := range []*Leg{l1, l2} {
		if st := l.Stats(); st.RTP.Received < 100 || st.RTP.Rejected != 0 || st.RTP.ControlReceived == 0 {
			t.Errorf("%s: %+v", l.Name(), st)
		}
	}
}

// BenchmarkCallFrameSRTP is BenchmarkCallFrame with the leg on SRTP
// (AES_CM_128_HMAC_SHA1_80): protect and authenticate each way.
func BenchmarkCallFrameSRTP(b *testing.B) {
	e, err := New(Options{Audio: &haltest.Audio{}, Addr: loopback})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	l, err := e.AddLeg(LegConfig{Name: "self"})
	if err != nil {
		b.Fatal(err)
	}
	key := sdpneg.NewMasterKey()
	l.Apply(sdpneg.Session{Remote: l.LocalAddr(), Codec: sdpneg.PCMU, Direction: sdpneg.SendRecv,
		TelephoneEvent: 101, LocalTelephoneEvent: 101, SRTP: sdpneg.SuiteAES80, SendKey: key, RecvKey: key})
	for range 10 {
		e.Step()
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Step()
	}
	b.StopTimer()
	if st := l.Stats(); st.Played == 0 || st.RTP.Rejected != 0 {
		b.Fatalf("nothing played: %+v", st)
	}
}
