package sip

import (
	"slices"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"ccphone/provisioning"
)

func TestParseDTMFInfo(t *testing.T) {
	for _, tc := range []struct {
		name, ct, body string
		want           byte
		ok             bool
	}{
		{"relay", "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', true},
		{"relay star", "application/dtmf-relay", "Signal=*\r\nDuration=160", '*', true},
		{"relay code 11", "application/dtmf-relay", "Signal=11\r\n", '#', true},
		{"relay lower d", "Application/DTMF-Relay; charset=x", "signal= d\r\n", 'D', true},
		{"dtmf", "application/dtmf", "7", '7', true},
		{"bad digit", "application/dtmf-relay", "Signal=X\r\n", 0, false},
		{"other type", "text/plain", "Signal=5", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := parseDTMFInfo(tc.ct, []byte(tc.body))
			if d != tc.want || ok != tc.ok {
				t.Errorf("got %q %v, want %q %v", d, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseMessageSummary(t *testing.T) {
	w, n, o, ok := parseMessageSummary([]byte("Messages-Waiting: yes\r\nMessage-Account: sip:1001@pbx\r\nVoice-Message: 2/8 (0/2)\r\n"))
	if !w || n != 2 || o != 8 || !ok {
		t.Errorf("got %v %d %d %v, want yes 2/8", w, n, o, ok)
	}
	if _, _, _, ok := parseMessageSummary([]byte("junk")); ok {
		t.Error("junk parsed")
	}
}

func TestSipfragAndReferTo(t *testing.T) {
	code, reason, ok := parseSipfrag([]byte("SIP/2.0 180 Ringing\r\n"))
	if code != 180 || reason != "Ringing" || !ok {
		t.Errorf("sipfrag %d %q %v", code, reason, ok)
	}
	r := replaces{CallID: "abc@h", ToTag: "t1", FromTag: "f1"}
	v := referToWithReplaces(sip.Uri{Scheme: "sip", User: "1002", Host: "10.0.0.1", Port: 5062}, r)
	u, got, err := parseReferTo(v)
	if err != nil || got == nil || *got != r || u.User != "1002" || u.Port != 5062 {
		t.Errorf("Refer-To %q parsed to %v %+v %v", v, u, got, err)
	}
}

func TestTargetURI(t *testing.T) {
	acc := provisioning.Account{UserName: "1001"}
	acc.Servers[0] = provisioning.Server{Address: "pbx.example.net", Port: 5060}
	for in, want := range map[string]string{
		"2000":                  "sip:2000@pbx.example.net",
		"sip:bob@10.0.0.2:5070": "sip:bob@10.0.0.2:5070",
		"bob@host":              "sip:bob@host",
	} {
		u, err := targetURI(in, acc, 0)
		if err != nil || u.String() != want {
			t.Errorf("targetURI(%q) = %v %v, want %s", in, u.String(), err, want)
		}
	}
	if _, err := targetURI("bob", acc, 0); err == nil {
		t.Error("bare word accepted")
	}
}

func FuzzParseReferTo(f *testing.F) {
	f.Add("<sip:1002@h:5060?Replaces=a%40b%3Bto-tag%3D1%3Bfrom-tag%3D2>")
	f.Add("sip:x@y")
	f.Fuzz(func(t *testing.T, s string) {
		u, r, err := parseReferTo(s)
		if err != nil || r == nil {
			return
		}
		// What parses with Replaces must survive formatting again.
		u2, r2, err := parseReferTo(referToWithReplaces(u, *r))
		if err != nil || r2 == nil || *r2 != *r || u2.User != u.User || u2.Host != u.Host {
			t.Errorf("%q: round trip gave %v %+v %v", s, u2, r2, err)
		}
	})
}

func TestParseRecordRequest(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		record, ok  bool
	}{
		{"on", "on", true, true},
		{"ON", "ON", true, true},
		{"yes", " Yes ", true, true},
		{"true", "TRUE", true, true},
		{"1", "1", true, true},
		{"off", "Off", false, true},
		{"no", "no", false, true},
		{"false", "false", false, true},
		{"0", "0", false, true},
		{"with parameters", "on;reason=legal", true, true},
		{"empty", "", false, false},
		{"unknown", "maybe", false, false},
		{"2", "2", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			record, ok := parseRecordRequest(tc.value)
			if record != tc.record || ok != tc.ok {
				t.Errorf("parseRecordRequest(%q) = %v %v, want %v %v", tc.value, record, ok, tc.record, tc.ok)
			}
		})
	}
}

// FuzzParseRecordRequest checks that a value is understood exactly when
// its token is one of the eight words, and that formatting the answer
// back (on/off) parses to the same answer.
func FuzzParseRecordRequest(f *testing.F) {
	for _, s := range []string{"on", "OFF", " yes ", "0", "true;x=1", "", "maybe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		record, ok := parseRecordRequest(v)
		token, _, _ := strings.Cut(v, ";")
		token = strings.ToLower(strings.TrimSpace(token))
		known := slices.Contains([]string{"on", "yes", "true", "1", "off", "no", "false", "0"}, token)
		if ok != known {
			t.Fatalf("parseRecordRequest(%q) ok %v, want %v", v, ok, known)
		}
		if !ok {
			return
		}
		back := "off"
		if record {
			back = "on"
		}
		if r2, ok2 := parseRecordRequest(back); r2 != record || !ok2 {
			t.Fatalf("%q gave %v, but %q gives %v %v", v, record, back, r2, ok2)
		}
	})
}
