package ui

import (
	"testing"

	"ccphone/hal"
)

// TestStatusNoticeAndMonitor: /api/state shows the LCD's notice while it
// is up (a refused recording) and what the monitor port does.
func TestStatusNoticeAndMonitor(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	if s := tp.Status(); s.Notice != "" || s.Monitor != "unplugged" {
		t.Fatalf("at start: notice %q monitor %q", s.Notice, s.Monitor)
	}
	tp.showNotice(tp.cat.T("notice.storage_full"))
	tp.refresh()
	if got := tp.Status().Notice; got != "Storage full: not recording" {
		t.Errorf("notice %q", got)
	}
	tp.clock.Advance(popupTime)
	tp.tick()
	tp.refresh()
	if got := tp.Status().Notice; got != "" {
		t.Errorf("notice %q after it left the LCD", got)
	}

	tp.key(hal.KeyEvent{Key: hal.KeyMonitorJack, Down: true})
	tp.refresh()
	if got := tp.Status().Monitor; got != "listen" {
		t.Errorf("plugged: monitor %q, want the default listen", got)
	}
	tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK, hal.Key2, hal.KeyOK, hal.Key8, hal.Key8, hal.KeyOK)
	if got := tp.Status().Monitor; got != "barge" {
		t.Errorf("after choosing barge: monitor %q", got)
	}
	tp.key(hal.KeyEvent{Key: hal.KeyMonitorJack, Down: false})
	tp.refresh()
	if got := tp.Status().Monitor; got != "unplugged" {
		t.Errorf("unplugged: monitor %q", got)
	}
}
