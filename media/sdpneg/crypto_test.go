package sdpneg

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// Offers as baresip 1.0.0 sends them with the srtp module (captured on
// loopback): "mediaenc=srtp-mand" offers RTP/SAVP, "mediaenc=srtp"
// (best effort) RTP/AVP with the same a=crypto line.
var (
	baresipSRTPMand = crlf(`
v=0
o=- 4211500795 881095372 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
a=tool:baresip 1.0.0
m=audio 25076 RTP/SAVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=rtcp-rsize
a=ssrc:710336139 cname:sip:1002@127.0.0.1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:m+kRU6ECFRctIfLBbtMgjCESyHNYeG2pHEaUrhPu
a=minptime:20
a=ptime:20
`)
	baresipSRTPBestEffort = crlf(`
v=0
o=- 1 1 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 25072 RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng
a=ptime:20
`)
	// A PBX offering a suite the phone lacks first, then _32 with a
	// lifetime: the phone takes tag 7.
	gcmThen32 = crlf(`
v=0
o=- 1 1 IN IP4 10.0.0.9
s=-
c=IN IP4 10.0.0.9
t=0 0
m=audio 30000 RTP/SAVP 0
a=crypto:3 AEAD_AES_256_GCM inline:aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8=
a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng|2^31
`)
	// RTP/SAVP whose only crypto line has an MKI: unusable.
	savpMKIOnly = crlf(`
v=0
o=- 1 1 IN IP4 10.0.0.9
s=-
c=IN IP4 10.0.0.9
t=0 0
m=audio 30000 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng|2^20|1:4
`)
)

func mustKey(t *testing.T, b64 string) MasterKey {
	t.Helper()
	c, err := ParseCrypto("1 AES_CM_128_HMAC_SHA1_80 inline:" + b64)
	if err != nil {
		t.Fatal(err)
	}
	return c.Key
}

func TestParseCrypto(t *testing.T) {
	const key = "B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng"
	tests := []struct {
		name  string
		value string
		tag   uint32
		suite CryptoSuite
		err   bool
	}{
		{"baresip", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key, 1, SuiteAES80, false},
		{"32-bit tag", "2 AES_CM_128_HMAC_SHA1_32 inline:" + key, 2, SuiteAES32, false},
		{"lifetime 2^n", "9 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^31", 9, SuiteAES80, false},
		{"lifetime decimal", "9 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|1048576", 9, SuiteAES80, false},
		{"extra blanks", " 4  AES_CM_128_HMAC_SHA1_80\tinline:" + key + " ", 4, SuiteAES80, false},
		{"MKI", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^20|1:4", 0, 0, true},
		{"MKI without lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|1:4", 0, 0, true},
		{"bad lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|forever", 0, 0, true},
		{"session parameter", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + " UNENCRYPTED_SRTP", 0, 0, true},
		{"two keys", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + ";inline:" + key, 0, 0, true},
		{"unknown suite", "1 AES_256_CM_HMAC_SHA1_80 inline:" + key, 0, 0, true},
		{"GCM", "1 AEAD_AES_128_GCM inline:" + key, 0, 0, true},
		{"short key", "1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", 0, 0, true},
		{"not base64", "1 AES_CM_128_HMAC_SHA1_80 inline:!!!!" + key[4:], 0, 0, true},
		{"not inline", "1 AES_CM_128_HMAC_SHA1_80 uri:https://example.net/key", 0, 0, true},
		{"tag too long", "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + key, 0, 0, true},
		{"signed tag", "+1 AES_CM_128_HMAC_SHA1_80 inline:" + key, 0, 0, true},
		{"no key", "1 AES_CM_128_HMAC_SHA1_80", 0, 0, true},
		{"empty", "", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCrypto(tt.value)
			if tt.err {
				if !errors.Is(err, ErrCrypto) {
					t.Fatalf("ParseCrypto(%q) = %+v, %v; want ErrCrypto", tt.value, c, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Tag != tt.tag || c.Suite != tt.suite || c.Key != mustKey(t, key) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestCryptoRoundTrip(t *testing.T) {
	k := NewMasterKey()
	if k == (MasterKey{}) || k == NewMasterKey() {
		t.Fatal("NewMasterKey is not random")
	}
	if !bytes.Equal(append(k.Key(), k.Salt()...), k[:]) || len(k.Key()) != 16 || len(k.Salt()) != 14 {
		t.Error("Key and Salt do not split the master key 16+14")
	}
	for _, suite := range []CryptoSuite{SuiteAES80, SuiteAES32} {
		c := Crypto{Tag: 42, Suite: suite, Key: k}
		got, err := ParseCrypto(c.String())
		if err != nil || got != c {
			t.Errorf("%q parses to %+v, %v", c.String(), got, err)
		}
		if s, ok := ParseCryptoSuite(suite.String()); !ok || s != suite {
			t.Errorf("suite %v does not round-trip", suite)
		}
	}
	for _, m := range []SRTPMode{SRTPOff, SRTPOptional, SRTPRequired} {
		if p, ok := ParseSRTPMode(m.String()); !ok || p != m {
			t.Errorf("mode %v does not round-trip", m)
		}
	}
	if m, ok := ParseSRTPMode(""); !ok || m != SRTPOff {
		t.Error(`ParseSRTPMode("") is not off`)
	}
	if _, ok := ParseSRTPMode("on"); ok {
		t.Error(`ParseSRTPMode("on") accepted`)
	}
	if CryptoSuite(0).String() != "CryptoSuite(0)" || SRTPMode(7).String() != "SRTPMode(7)" {
		t.Error("unknown enum names")
	}
}

func srtpLocal(mode SRTPMode) Local {
	l := local()
	l.SRTP = mode
	l.SRTPKey = NewMasterKey()
	return l
}

func TestAnswerSRTP(t *testing.T) {
	tests := []struct {
		name  string
		offer []byte
		mode  SRTPMode
		suite CryptoSuite // 0: plain
		recv  string      // the offer's key, base64
		err   error
		lines []string // in the answer
		not   []string // not in the answer
	}{
		{"mandatory, required", baresipSRTPMand, SRTPRequired, SuiteAES80, "m+kRU6ECFRctIfLBbtMgjCESyHNYeG2pHEaUrhPu", nil,
			[]string{"m=audio 12000 RTP/SAVP 0 101\r\n", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"}, nil},
		{"mandatory, optional", baresipSRTPMand, SRTPOptional, SuiteAES80, "m+kRU6ECFRctIfLBbtMgjCESyHNYeG2pHEaUrhPu", nil,
			[]string{"RTP/SAVP", "a=crypto:1 "}, nil},
		{"mandatory, off", baresipSRTPMand, SRTPOff, 0, "", ErrCrypto, nil, nil},
		{"best effort, required", baresipSRTPBestEffort, SRTPRequired, SuiteAES80, "B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng", nil,
			[]string{"m=audio 12000 RTP/AVP 0 101\r\n", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"}, nil},
		{"best effort, optional", baresipSRTPBestEffort, SRTPOptional, SuiteAES80, "B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng", nil,
			[]string{"RTP/AVP", "a=crypto:1 "}, nil},
		{"best effort, off", baresipSRTPBestEffort, SRTPOff, 0, "", nil,
			[]string{"RTP/AVP"}, []string{"crypto", "SAVP"}},
		{"plain, required", sippOffer, SRTPRequired, 0, "", ErrCrypto, nil, nil},
		{"plain, optional", sippOffer, SRTPOptional, 0, "", nil, []string{"RTP/AVP"}, []string{"crypto"}},
		{"GCM then _32", gcmThen32, SRTPOptional, SuiteAES32, "B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng", nil,
			[]string{"RTP/SAVP", "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:"}, []string{"a=crypto:3", "GCM"}},
		{"SAVP with only an MKI line", savpMKIOnly, SRTPOptional, 0, "", ErrCrypto, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := srtpLocal(tt.mode)
			if err := CheckCrypto(tt.offer, tt.mode); !errors.Is(err, tt.err) {
				t.Errorf("CheckCrypto = %v, want %v", err, tt.err)
			}
			answer, s, err := Answer(tt.offer, l)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if s.SRTP != tt.suite || s.Secure() != (tt.suite != 0) {
				t.Errorf("suite %v, want %v", s.SRTP, tt.suite)
			}
			if tt.suite != 0 && (s.SendKey != l.SRTPKey || s.RecvKey != mustKey(t, tt.recv)) {
				t.Errorf("keys: send %x recv %x", s.SendKey, s.RecvKey)
			}
			if tt.suite == 0 && (s.SendKey != MasterKey{} || s.RecvKey != MasterKey{}) {
				t.Errorf("plain session carries keys")
			}
			for _, line := range tt.lines {
				if !strings.Contains(string(answer), line) {
					t.Errorf("answer lacks %q:\n%s", line, answer)
				}
			}
			for _, line := range tt.not {
				if strings.Contains(string(answer), line) {
					t.Errorf("answer has %q:\n%s", line, answer)
				}
			}
			// The answer carries the phone's key, not the offerer's.
			r, err := Describe(answer)
			if err != nil {
				t.Fatal(err)
			}
			if tt.suite != 0 && (len(r.Crypto) != 1 || r.Crypto[0].Key != l.SRTPKey) {
				t.Errorf("answer's crypto %+v", r.Crypto)
			}
		})
	}
}

func TestOfferSRTP(t *testing.T) {
	for _, tt := range []struct {
		mode  SRTPMode
		proto string
		lines int
	}{{SRTPOff, "RTP/AVP", 0}, {SRTPOptional, "RTP/AVP", 2}, {SRTPRequired, "RTP/SAVP", 2}} {
		l := srtpLocal(tt.mode)
		offer, err := Offer(l)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Describe(offer)
		if err != nil {
			t.Fatal(err)
		}
		if r.Proto != tt.proto || len(r.Crypto) != tt.lines || r.CryptoLines != tt.lines {
			t.Errorf("%v: offer %s with %d crypto lines:\n%s", tt.mode, r.Proto, len(r.Crypto), offer)
		}
		for i, c := range r.Crypto {
			if c.Tag != uint32(i+1) || c.Suite != offeredSuites[i] || c.Key != l.SRTPKey {
				t.Errorf("%v: crypto line %d is %+v", tt.mode, i, c)
			}
		}
	}
	bad := local()
	bad.SRTP = SRTPRequired // no key
	if _, err := Offer(bad); !errors.Is(err, ErrLocal) {
		t.Errorf("SRTP without a key: %v", err)
	}
	bad.SRTP = 9
	bad.SRTPKey = NewMasterKey()
	if _, err := Offer(bad); !errors.Is(err, ErrLocal) {
		t.Errorf("unknown SRTP mode: %v", err)
	}
}

// TestOfferAnswerSRTP plays both sides: each side's send key is the
// other's receive key, whatever the modes, or the call fails when one
// side requires what the other refuses.
func TestOfferAnswerSRTP(t *testing.T) {
	modes := []SRTPMode{SRTPOff, SRTPOptional, SRTPRequired}
	for _, om := range modes {
		for _, am := range modes {
			offerer := srtpLocal(om)
			answerer := srtpLocal(am)
			answerer.Addr, answerer.Port = netip.MustParseAddr("127.0.0.2"), 20000
			name := "offer " + om.String() + ", answer " + am.String()
			offer, err := Offer(offerer)
			if err != nil {
				t.Fatal(err)
			}
			answer, as, err := Answer(offer, answerer)
			// Off against required fails either way round; otherwise SRTP
			// is used when both sides do it.
			fails := om == SRTPOff && am == SRTPRequired || om == SRTPRequired && am == SRTPOff
			if fails {
				if !errors.Is(err, ErrCrypto) {
					t.Errorf("%s: answer err %v, want ErrCrypto", name, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			os, err := ParseAnswer(answer, offerer)
			if err != nil {
				t.Fatalf("%s: ParseAnswer: %v\n%s", name, err, answer)
			}
			secure := om != SRTPOff && am != SRTPOff
			if os.Secure() != secure || as.Secure() != secure || os.SRTP != as.SRTP {
				t.Errorf("%s: offerer %v, answerer %v; want secure=%v", name, os.SRTP, as.SRTP, secure)
			}
			if secure && (os.SRTP != SuiteAES80 || os.SendKey != as.RecvKey || os.RecvKey != as.SendKey || os.SendKey == os.RecvKey) {
				t.Errorf("%s: keys do not cross: offerer %+v answerer %+v", name, os, as)
			}
		}
	}
}

func TestParseAnswerSRTP(t *testing.T) {
	const key = "B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng"
	answer := func(proto, crypto string) []byte {
		s := "v=0\no=- 1 1 IN IP4 10.0.0.3\ns=-\nc=IN IP4 10.0.0.3\nt=0 0\nm=audio 4000 " + proto + " 0\n"
		if crypto != "" {
			s += "a=crypto:" + crypto + "\n"
		}
		return crlf(s)
	}
	tests := []struct {
		name   string
		mode   SRTPMode
		answer []byte
		suite  CryptoSuite
		err    error
	}{
		{"required, _80", SRTPRequired, answer("RTP/SAVP", "1 AES_CM_128_HMAC_SHA1_80 inline:"+key), SuiteAES80, nil},
		{"required, _32", SRTPRequired, answer("RTP/SAVP", "2 AES_CM_128_HMAC_SHA1_32 inline:"+key), SuiteAES32, nil},
		{"required, plain", SRTPRequired, answer("RTP/AVP", ""), 0, ErrCrypto},
		{"required, tag of another suite", SRTPRequired, answer("RTP/SAVP", "1 AES_CM_128_HMAC_SHA1_32 inline:"+key), 0, ErrCrypto},
		{"required, tag not offered", SRTPRequired, answer("RTP/SAVP", "5 AES_CM_128_HMAC_SHA1_80 inline:"+key), 0, ErrCrypto},
		{"optional, plain", SRTPOptional, answer("RTP/AVP", ""), 0, nil},
		{"optional, best effort", SRTPOptional, answer("RTP/AVP", "1 AES_CM_128_HMAC_SHA1_80 inline:"+key), SuiteAES80, nil},
		{"optional, unusable line", SRTPOptional, answer("RTP/AVP", "1 AES_CM_128_HMAC_SHA1_80 inline:"+key+"|1:4"), 0, ErrCrypto},
		{"optional, SAVP without crypto", SRTPOptional, answer("RTP/SAVP", ""), 0, ErrCrypto},
		{"off ignores crypto", SRTPOff, answer("RTP/AVP", "1 AES_CM_128_HMAC_SHA1_80 inline:"+key), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := srtpLocal(tt.mode)
			s, err := ParseAnswer(tt.answer, l)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && (s.SRTP != tt.suite || tt.suite != 0 && (s.SendKey != l.SRTPKey || s.RecvKey != mustKey(t, key))) {
				t.Errorf("session %+v, want suite %v", s, tt.suite)
			}
		})
	}
}

func FuzzParseCrypto(f *testing.F) {
	for _, s := range []string{
		"1 AES_CM_128_HMAC_SHA1_80 inline:m+kRU6ECFRctIfLBbtMgjCESyHNYeG2pHEaUrhPu",
		"2 AES_CM_128_HMAC_SHA1_32 inline:B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng|2^31",
		"1 AES_CM_128_HMAC_SHA1_80 inline:B+7lka1nZBoXlmqXTKU3xpfp5HM+Xts6m7oHcKng|2^20|1:4",
		"3 AEAD_AES_256_GCM inline:aGVsbG8=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		c, err := ParseCrypto(value)
		if err != nil {
			if !errors.Is(err, ErrCrypto) {
				t.Fatalf("error %v is not ErrCrypto", err)
			}
			return
		}
		// What parses formats back to the same line.
		again, err := ParseCrypto(c.String())
		if err != nil || again != c {
			t.Fatalf("%q -> %q -> %+v, %v", value, c.String(), again, err)
		}
	})
}
