package sdpneg

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func crlf(s string) []byte {
	s = strings.TrimLeft(s, "\n")
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}

// Representative offers, written after what these endpoints send.
var (
	baresipOffer = crlf(`
v=0
o=- 1489735398 3571098521 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 10002 RTP/AVP 9 0 8 101
b=AS:64
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=ssrc:3478290234 cname:a8f3b0c1-7b7e-4a7b-9e29-6e8d4f6c0d11
a=rtcp-rsize
a=ptime:20
`)
	sippOffer = crlf(`
v=0
o=user1 53655765 2353687637 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 6000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
`)
	muxOffer = crlf(`
v=0
o=- 7 7 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 7000 RTP/AVP 0
a=rtcp-mux
`)
	yealinkOffer = crlf(`
v=0
o=- 20025 20025 IN IP4 192.168.1.77
s=SDP data
c=IN IP4 192.168.1.77
t=0 0
m=audio 11780 RTP/AVP 8 0 9 18 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:9 G722/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=ptime:20
a=sendrecv
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
`)
	// Asterisk holding the phone: sendonly, and a video stream to reject.
	holdOffer = crlf(`
v=0
o=- 1 2 IN IP4 10.0.0.1
s=Asterisk
c=IN IP4 10.0.0.1
t=0 0
m=audio 16000 RTP/AVP 0 8 13 96
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:96 TELEPHONE-EVENT/8000
a=fmtp:96 0-16
a=ptime:20
a=maxptime:150
a=sendonly
m=video 16002 RTP/AVP 99
a=rtpmap:99 H264/90000
`)
	// RFC 2543 style hold: c=0.0.0.0, static types without rtpmap.
	oldHoldOffer = crlf(`
v=0
o=- 1 3 IN IP4 10.0.0.2
s=-
c=IN IP4 0.0.0.0
t=0 0
m=audio 16000 RTP/AVP 8
`)
	g729Only = crlf(`
v=0
o=- 1 1 IN IP4 10.0.0.3
s=-
c=IN IP4 10.0.0.3
t=0 0
m=audio 4000 RTP/AVP 18
a=rtpmap:18 G729/8000
`)
	videoOnly = crlf(`
v=0
o=- 1 1 IN IP4 10.0.0.3
s=-
c=IN IP4 10.0.0.3
t=0 0
m=video 4000 RTP/AVP 99
a=rtpmap:99 H264/90000
`)
	ipv6Offer = crlf(`
v=0
o=- 7 7 IN IP6 ::1
s=-
t=0 0
m=audio 5004 RTP/AVP 8
c=IN IP6 ::1
a=rtpmap:8 pcma/8000
a=inactive
`)
)

func local() Local {
	return Local{
		Addr:           netip.MustParseAddr("127.0.0.1"),
		Port:           12000,
		SessionID:      42,
		SessionVersion: 1,
	}
}

func TestAnswer(t *testing.T) {
	alawFirst := local()
	alawFirst.Codecs = []Codec{PCMA, PCMU}
	holding := local()
	holding.Direction = SendOnly
	noDTMF := local()
	noDTMF.NoTelephoneEvent = true
	wideband := local()
	wideband.Codecs = []Codec{G722, PCMU, PCMA}
	narrowFirst := local()
	narrowFirst.Codecs = []Codec{PCMA, G722}
	tests := []struct {
		name  string
		offer []byte
		local Local
		want  Session
		err   error
		lines []string // expected in the answer
	}{
		{"baresip", baresipOffer, local(), Session{
			Remote: netip.MustParseAddrPort("127.0.0.1:10002"), Codec: PCMU, PayloadType: 0,
			TelephoneEvent: 101, LocalTelephoneEvent: 101, Direction: SendRecv, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=sendrecv", "a=ptime:20", "c=IN IP4 127.0.0.1", "o=- 42 1 IN IP4 127.0.0.1"}},
		{"baresip, A-law preferred", baresipOffer, alawFirst, Session{
			Remote: netip.MustParseAddrPort("127.0.0.1:10002"), Codec: PCMA, PayloadType: 8,
			TelephoneEvent: 101, LocalTelephoneEvent: 101, Direction: SendRecv, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 8 101"}},
		{"sipp, no DTMF", sippOffer, local(), Session{
			Remote: netip.MustParseAddrPort("127.0.0.1:6000"), Codec: PCMU, Direction: SendRecv, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 0\r\n"}},
		{"yealink, our order wins", yealinkOffer, local(), Session{
			Remote: netip.MustParseAddrPort("192.168.1.77:11780"), Codec: PCMU,
			TelephoneEvent: 101, LocalTelephoneEvent: 101, Direction: SendRecv, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 0 101"}},
		{"we do not do DTMF", yealinkOffer, noDTMF, Session{
			Remote: netip.MustParseAddrPort("192.168.1.77:11780"), Codec: PCMU, Direction: SendRecv, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 0\r\n"}},
		{"held by asterisk", holdOffer, local(), Session{
			Remote: netip.MustParseAddrPort("10.0.0.1:16000"), Codec: PCMU,
			TelephoneEvent: 96, LocalTelephoneEvent: 96, Direction: RecvOnly, Ptime: 20,
		}, nil, []string{"a=recvonly", "m=video 0 RTP/AVP 99", "a=rtpmap:96 telephone-event/8000"}},
		{"both hold", holdOffer, holding, Session{
			Remote: netip.MustParseAddrPort("10.0.0.1:16000"), Codec: PCMU,
			TelephoneEvent: 96, LocalTelephoneEvent: 96, Direction: Inactive, Ptime: 20,
		}, nil, []string{"a=inactive"}},
		{"RFC 2543 hold", oldHoldOffer, local(), Session{
			Codec: PCMA, PayloadType: 8, Direction: RecvOnly, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 8\r\n", "a=recvonly"}},
		{"ipv6 inactive, lower-case name", ipv6Offer, local(), Session{
			Remote: netip.MustParseAddrPort("[::1]:5004"), Codec: PCMA, PayloadType: 8, Direction: Inactive, Ptime: 20,
		}, nil, []string{"a=inactive"}},
		{"baresip, G.722 preferred", baresipOffer, wideband, Session{
			Remote: netip.MustParseAddrPort("127.0.0.1:10002"), Codec: G722, PayloadType: 9,
			TelephoneEvent: 101, LocalTelephoneEvent: 101, Direction: SendRecv, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 9 101", "a=rtpmap:9 G722/8000"}},
		{"yealink, G.722 after A-law", yealinkOffer, narrowFirst, Session{
			Remote: netip.MustParseAddrPort("192.168.1.77:11780"), Codec: PCMA, PayloadType: 8,
			TelephoneEvent: 101, LocalTelephoneEvent: 101, Direction: SendRecv, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 8 101"}},
		{"sipp has no G.722", sippOffer, wideband, Session{
			Remote: netip.MustParseAddrPort("127.0.0.1:6000"), Codec: PCMU, Direction: SendRecv, Ptime: 20,
		}, nil, []string{"m=audio 12000 RTP/AVP 0\r\n"}},
		{"rtcp-mux", muxOffer, local(), Session{
			Remote: netip.MustParseAddrPort("127.0.0.1:7000"), Codec: PCMU, Direction: SendRecv, Ptime: 20, RTCPMux: true,
		}, nil, []string{"a=rtcp-mux"}},
		{"g729 only", g729Only, local(), Session{}, ErrNoCommonCodec, nil},
		{"video only", videoOnly, local(), Session{}, ErrNoAudio, nil},
		{"garbage", []byte("hello"), local(), Session{}, ErrParse, nil},
		{"bad local", sippOffer, Local{Port: 1}, Session{}, ErrLocal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer, s, err := Answer(tt.offer, tt.local)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if s != tt.want {
				t.Errorf("session = %+v\nwant      %+v", s, tt.want)
			}
			for _, l := range tt.lines {
				if !strings.Contains(string(answer), l) {
					t.Errorf("answer lacks %q:\n%s", l, answer)
				}
			}
			// The offerer reads our answer back to the same codec.
			r, err := Describe(answer)
			if err != nil {
				t.Fatalf("answer does not parse: %v", err)
			}
			if c, _ := codecOf(r.Formats[0]); c != tt.want.Codec {
				t.Errorf("answer's first codec %v, want %v", c, tt.want.Codec)
			}
		})
	}
}

func TestOfferAndParseAnswer(t *testing.T) {
	l := local()
	l.Codecs = []Codec{PCMA, PCMU}
	l.TelephoneEvent = 100
	offer, err := Offer(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"m=audio 12000 RTP/AVP 8 0 100\r\n", "a=rtpmap:8 PCMA/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:100 telephone-event/8000", "a=fmtp:100 0-16", "a=ptime:20", "a=sendrecv", "c=IN IP4 127.0.0.1", "t=0 0"} {
		if !strings.Contains(string(offer), line) {
			t.Errorf("offer lacks %q:\n%s", line, offer)
		}
	}
	if strings.Count(string(offer), " 8 0 100") != 1 || strings.Contains(string(offer), "8 0 100 8") {
		t.Errorf("format list duplicated:\n%s", offer)
	}

	// A remote phone answers our offer with its own choice.
	other := Local{Addr: netip.MustParseAddr("127.0.0.2"), Port: 20000, Codecs: []Codec{PCMU}, TelephoneEvent: 101}
	answer, remoteSess, err := Answer(offer, other)
	if err != nil {
		t.Fatal(err)
	}
	if remoteSess.Codec != PCMU || remoteSess.TelephoneEvent != 100 {
		t.Errorf("remote session %+v", remoteSess)
	}
	s, err := ParseAnswer(answer, l)
	if err != nil {
		t.Fatal(err)
	}
	want := Session{Remote: netip.MustParseAddrPort("127.0.0.2:20000"), Codec: PCMU, TelephoneEvent: 100, LocalTelephoneEvent: 100, Direction: SendRecv, Ptime: 20}
	if s != want {
		t.Errorf("ParseAnswer = %+v, want %+v", s, want)
	}

	// Hold: offer sendonly, the answer comes back recvonly.
	l.Direction = SendOnly
	l.SessionVersion++
	offer, err = Offer(l)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(offer), "a=sendonly") || !strings.Contains(string(offer), " 2 IN IP4") {
		t.Errorf("hold offer:\n%s", offer)
	}
	answer, remoteSess, err = Answer(offer, other)
	if err != nil {
		t.Fatal(err)
	}
	if remoteSess.Direction != RecvOnly {
		t.Errorf("held side direction %v, want recvonly", remoteSess.Direction)
	}
	s, err = ParseAnswer(answer, l)
	if err != nil || s.Direction != SendOnly {
		t.Errorf("holding side direction %v (%v), want sendonly", s.Direction, err)
	}
}

func TestOfferG722(t *testing.T) {
	l := local()
	l.Codecs = []Codec{G722, PCMU}
	offer, err := Offer(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"m=audio 12000 RTP/AVP 9 0 101\r\n", "a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000"} {
		if !strings.Contains(string(offer), line) {
			t.Errorf("offer lacks %q:\n%s", line, offer)
		}
	}
	// A narrowband peer answers PCMU; a wideband one G.722.
	for _, tt := range []struct {
		peer []Codec
		want Codec
	}{{[]Codec{PCMU}, PCMU}, {[]Codec{PCMA, G722}, G722}, {[]Codec{G722}, G722}} {
		other := Local{Addr: netip.MustParseAddr("127.0.0.2"), Port: 20000, Codecs: tt.peer}
		answer, rs, err := Answer(offer, other)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseAnswer(answer, l)
		if err != nil {
			t.Fatal(err)
		}
		if rs.Codec != tt.want || s.Codec != tt.want || s.PayloadType != tt.want.PayloadType() {
			t.Errorf("peer %v: answerer %v, offerer %v (PT %d); want %v", tt.peer, rs.Codec, s.Codec, s.PayloadType, tt.want)
		}
	}
	if G722.PayloadType() != 9 || G722.ClockRate() != 8000 || G722.SampleRate() != 16000 || !G722.Wideband() || PCMU.Wideband() {
		t.Error("G722 constants")
	}
	if c, ok := ParseCodec("g722"); !ok || c != G722 {
		t.Error("ParseCodec(g722)")
	}
}

func TestParseAnswerErrors(t *testing.T) {
	if _, err := ParseAnswer(g729Only, local()); !errors.Is(err, ErrNoCommonCodec) {
		t.Errorf("g729 answer: %v", err)
	}
	rejected := crlf(`
v=0
o=- 1 1 IN IP4 10.0.0.3
s=-
c=IN IP4 10.0.0.3
t=0 0
m=audio 0 RTP/AVP 0
`)
	if _, err := ParseAnswer(rejected, local()); !errors.Is(err, ErrNoAudio) {
		t.Errorf("rejected answer: %v", err)
	}
	noConn := crlf(`
v=0
o=- 1 1 IN IP4 10.0.0.3
s=-
t=0 0
m=audio 4000 RTP/AVP 0
`)
	if _, err := ParseAnswer(noConn, local()); !errors.Is(err, ErrAddress) {
		t.Errorf("answer without c=: %v", err)
	}
	host := crlf(`
v=0
o=- 1 1 IN IP4 10.0.0.3
s=-
c=IN IP4 pbx.example.net
t=0 0
m=audio 4000 RTP/AVP 0
`)
	if _, err := ParseAnswer(host, local()); !errors.Is(err, ErrAddress) {
		t.Errorf("answer with a host name: %v", err)
	}
	bad := local()
	bad.TelephoneEvent = 13
	if _, err := Offer(bad); !errors.Is(err, ErrLocal) {
		t.Errorf("static telephone-event: %v", err)
	}
}

func TestEnums(t *testing.T) {
	for _, d := range []Direction{SendRecv, SendOnly, RecvOnly, Inactive} {
		p, ok := ParseDirection(d.String())
		if !ok || p != d || MakeDirection(d.Sends(), d.Receives()) != d {
			t.Errorf("direction %v does not round-trip", d)
		}
	}
	if Direction(9).String() != "Direction(9)" || Codec(7).String() != "Codec(7)" {
		t.Error("unknown enum names")
	}
	if c, ok := ParseCodec("pcmu"); !ok || c != PCMU {
		t.Error("ParseCodec(pcmu)")
	}
}

func FuzzDescribe(f *testing.F) {
	for _, s := range [][]byte{baresipOffer, sippOffer, yealinkOffer, holdOffer, oldHoldOffer, g729Only, videoOnly, ipv6Offer, baresipSRTPMand, gcmThen32} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Describe(body)
		if err != nil {
			return
		}
		// What parses re-marshals and parses to the same media.
		again := reMarshal(t, body)
		r2, err := Describe(again)
		if err != nil {
			t.Fatalf("re-marshalled SDP does not parse: %v\n%q", err, again)
		}
		if !sameRemote(r, r2) {
			t.Fatalf("media changed on round trip:\n%+v\n%+v", r, r2)
		}
		// And answering never panics; an answer parses back.
		answer, s, err := Answer(body, local())
		if err != nil {
			return
		}
		s2, err := ParseAnswer(answer, Local{Addr: netip.MustParseAddr("127.0.0.1"), Port: 4000, Codecs: []Codec{s.Codec}})
		if err != nil || s2.Codec != s.Codec {
			t.Fatalf("answer %q reads back as %+v, %v; want codec %v", answer, s2, err, s.Codec)
		}
	})
}

func sameRemote(a, b Remote) bool {
	if a.Addr != b.Addr || a.Port != b.Port || a.Proto != b.Proto || a.Direction != b.Direction || a.Ptime != b.Ptime || len(a.Formats) != len(b.Formats) ||
		a.CryptoLines != b.CryptoLines || len(a.Crypto) != len(b.Crypto) {
		return false
	}
	for i := range a.Crypto {
		if a.Crypto[i] != b.Crypto[i] {
			return false
		}
	}
	for i := range a.Formats {
		if a.Formats[i] != b.Formats[i] {
			return false
		}
	}
	return true
}
