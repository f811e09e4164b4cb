package ui

import (
	"testing"

	"ccphone/hal"
)

type srtpTelephony struct{ qualityTelephony }

func (s *srtpTelephony) CallQuality(id CallID) (CallQuality, bool) {
	q, ok := s.qualityTelephony.CallQuality(id)
	q.SRTP = true
	return q, ok
}

// TestCallQualitySRTP: an encrypted call says so after its codec on the
// quality page and in the status (/api/state); a plain one does not.
func TestCallQualitySRTP(t *testing.T) {
	for _, tt := range []struct {
		tel   Telephony
		codec string
	}{{&srtpTelephony{}, "Codec PCMU SRTP"}, {&qualityTelephony{}, "Codec PCMU"}} {
		tp := newTestPhone(t, testSettings())
		tp.opts.Telephony = tt.tel
		tp.event(CallEvent{ID: 7, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "5551234"})
		tp.press(hal.KeyHeadset)
		tp.event(CallEvent{ID: 7, State: CallConnected})
		tp.press(hal.KeyOK)
		tp.wantScreen("quality")
		if len(tp.text) < 2 || tp.text[1] != tt.codec {
			t.Errorf("quality text %q, want %q second", tp.text, tt.codec)
		}
		secure := tt.codec != "Codec PCMU"
		if s := tp.Status(); len(s.Calls) != 1 || s.Calls[0].SRTP != secure {
			t.Errorf("status calls %+v, want srtp %v", s.Calls, secure)
		}
	}
}
