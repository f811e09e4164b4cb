package sdpneg

import (
	"testing"

	"github.com/pion/sdp/v3"
)

func reMarshal(t *testing.T, body []byte) []byte {
	t.Helper()
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(body); err != nil {
		t.Fatalf("Describe accepted what Unmarshal refuses: %v", err)
	}
	b, err := sd.Marshal()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}
