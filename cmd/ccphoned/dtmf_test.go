package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// TestDTMFFromKeys: during a call to baresip through Kamailio the agent
// presses digits on the pad; baresip reports each one it received, as
// RFC 4733 events (negotiated by default) and, with sip.dtmf_info on, as
// SIP INFO.
func TestDTMFFromKeys(t *testing.T) {
	baresiptest.Require(t)
	for _, tc := range []struct{ name, extra string }{
		{"rfc4733", ""},
		{"info", "sip.dtmf_info = 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kam := kamailiotest.Start(t, "registrar")
			cfg := registrarConfig(t, kam)
			appendConfig(t, cfg, tc.extra)
			p := startPhone(t, "--config", cfg, "--state", t.TempDir(), "--audio-dir", t.TempDir())
			logOnFailure(t, p)
			p.waitState("registered", bothRegistered)
			bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User3, Password: kamailiotest.Password3,
				Registrar: kam.Addr(), AutoAnswer: true, SIPTrace: true})
			kam.WaitRegistered(t, kamailiotest.User3, true, 15*time.Second)
			p.press("1", "0", "0", "3", "ok")
			p.waitState("connected", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
			bs.WaitEvent(t, "CALL_ESTABLISHED")
			time.Sleep(500 * time.Millisecond) // RTP flowing both ways

			var got strings.Builder
			for _, k := range []string{"1", "2", "pound", "9", "star"} {
				p.press(k)
				ev := bs.WaitEvent(t, "CALL_DTMF_START")
				got.WriteString(fmt.Sprint(ev["param"]))
			}
			if got.String() != "12#9*" {
				t.Errorf("baresip received %q, want 12#9*", got.String())
			}
			// The method shows in baresip's SIP trace: INFO requests only
			// when the phone was told to use them.
			if info := strings.Count(bs.Log(), "application/dtmf-relay"); (tc.extra != "") != (info > 0) {
				t.Errorf("%d SIP INFO DTMF requests reached baresip with %q", info, tc.extra)
			}
			p.press("headset")
			bs.WaitEvent(t, "CALL_CLOSED")
		})
	}
}
