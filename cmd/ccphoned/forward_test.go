package main

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"ccphone/hal"
	"ccphone/sip/kamailiotest"
	"ccphone/sip/sipptest"
	"ccphone/ui/font"
)

// statusIcons is the left part of the LCD's top row, where the idle
// screen shows its indicators (the clock is at the right end).
var statusIcons = image.Rect(0, 0, 48, font.Regular.Height())

// expectedIcons draws icons from the left of the status bar, as the
// idle screen does: each centred in the row, 2 pixels apart.
func expectedIcons(icons ...font.Icon) *hal.Frame {
	var f hal.Frame
	x := 0
	for _, ic := range icons {
		ic.Draw(&f, x, (statusIcons.Dy()-ic.Height())/2)
		x += ic.Width() + 2
	}
	return &f
}

// sameRegion reports whether the LCD image shows exactly the pixels of
// want inside r (dark where want is set).
func sameRegion(img image.Image, want *hal.Frame, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dark := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 128
			if dark != want.Bit(x, y) {
				return false
			}
		}
	}
	return true
}

// TestCallForwardingFromProvisioning sets forwarding per line in the
// config file: line 1 (1001) forwards always to 2000, line 2 (1002)
// forwards on busy to 3000 and on no answer after a second to 4000.
// sipp calls each case and fails unless it gets 302 with the right
// Contact. The idle screen shows the forwarding icon, and only it, at
// the left of its status bar.
func TestCallForwardingFromProvisioning(t *testing.T) {
	sipptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	cfg := registrarConfig(t, kam)
	appendConfig(t, cfg, `account.1.cfwd.always = 2000
account.2.cfwd.busy = 3000
account.2.cfwd.no_answer = 4000
account.2.cfwd.no_answer_seconds = 1
`)
	p := startPhone(t, "--config", cfg, "--state", t.TempDir())
	logOnFailure(t, p)
	p.waitState("registered", bothRegistered)
	if !sameRegion(p.lcd(), expectedIcons(font.IconCallForward), statusIcons) {
		t.Error("the idle screen's status bar does not show the call-forward icon alone")
	}
	addr := sipAddr(t, cfg)
	call := func(service, target string) *sipptest.Process {
		return sipptest.Start(t, "forwarded.xml", addr, sipptest.Options{Service: service,
			Keys: map[string]string{"forward_to": target}})
	}
	check := func(what string, sp *sipptest.Process) {
		t.Helper()
		if res := sp.Wait(); res.Exit != 0 || res.Successful != 1 {
			t.Errorf("%s: sipp: %v", what, res)
		}
	}

	// Always: 302 at once, nothing rings.
	check("always", call(kamailiotest.User1, "2000"))
	if s := p.state(); len(s.Calls) != 0 {
		t.Errorf("a call forwarded always reached the screen: %+v", s.Calls)
	}

	// Busy: the agent refuses the call (Reject softkey, 486).
	sp := call(kamailiotest.User2, "3000")
	p.waitState("ringing on line 2 (busy case)", func(s apiState) bool { return sameStrings(callStates(s), "ringing") })
	p.press("soft2")
	check("busy", sp)
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })

	// No answer: a second of ringing.
	sp = call(kamailiotest.User2, "4000")
	p.waitState("ringing on line 2 (no-answer case)", func(s apiState) bool { return sameStrings(callStates(s), "ringing") })
	check("no answer", sp)
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })

	// The scenario's check can fail: a 302 to 2000 is not one to 2001.
	if res := call(kamailiotest.User1, "2001").Wait(); res.Exit == 0 || res.Successful != 0 {
		t.Errorf("sipp took a 302 to 2000 for one to 2001: %v", res)
	}
	if log := p.stderr.String(); !strings.Contains(log, "forwarded to 3000") || !strings.Contains(log, "forwarded to 4000") {
		t.Error("the log does not say where the busy and no-answer calls went")
	}
}
