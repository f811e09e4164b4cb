package provisioning

import (
	"slices"
	"testing"
)

// TestPendingChangesDuringCall: re-provisioning while line 1 is in a call
// changes both lines. Line 2 is applied at once (it re-registers); line 1
// and the SIP port wait until the call ends, so the call is not dropped.
func TestPendingChangesDuringCall(t *testing.T) {
	var pc PendingChanges
	busy := map[int]bool{1: true}
	changed := []string{"account.1.label", "account.1.sip_server.1.address", "account.2.password", "sip.listen_port", "lcd.contrast"}
	now := pc.Add(changed, func(n int) bool { return busy[n] })
	if want := []string{"account.2.password", "lcd.contrast"}; !slices.Equal(now, want) {
		t.Errorf("now = %q, want %q", now, want)
	}
	if got := pc.Waiting(1); !slices.Equal(got, []string{"account.1.label", "account.1.sip_server.1.address"}) {
		t.Errorf("waiting for line 1 = %q", got)
	}
	if got := pc.Waiting(0); !slices.Equal(got, []string{"sip.listen_port"}) {
		t.Errorf("waiting for the phone = %q", got)
	}

	// A second change to line 1 while the call goes on joins the queue.
	now = pc.Add([]string{"account.1.label", "account.1.expires_typo"}, func(n int) bool { return busy[n] })
	if len(now) != 0 {
		t.Errorf("now = %q, want nothing while line 1 is busy", now)
	}

	busy[1] = false
	got := pc.LineIdle(1, true)
	want := []string{"account.1.label", "account.1.sip_server.1.address", "account.1.expires_typo", "sip.listen_port"}
	if !slices.Equal(got, want) {
		t.Errorf("LineIdle(1) = %q, want %q", got, want)
	}
	if got := pc.LineIdle(1, true); len(got) != 0 {
		t.Errorf("second LineIdle = %q, want nothing", got)
	}
}

func TestPendingChangesFlushOnAdd(t *testing.T) {
	var pc PendingChanges
	pc.Add([]string{"account.2.label"}, func(n int) bool { return n == 2 })
	// The call on line 2 ended before the phone noticed; the next Add
	// hands over what waited.
	now := pc.Add([]string{"lcd.contrast"}, func(int) bool { return false })
	if want := []string{"lcd.contrast", "account.2.label"}; !slices.Equal(now, want) {
		t.Errorf("now = %q, want %q", now, want)
	}
	if LineOf("account.2.sip_server.1.port") != 2 || LineOf("sip.listen_port") != 0 {
		t.Error("LineOf")
	}
}
