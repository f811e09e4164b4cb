package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ccphone/hal"
	"ccphone/hal/haltest"
	"ccphone/ui/i18n"
)

// start is the time every test phone starts at: Saturday 21 November
// 2026, 14:05, UTC.
var start = time.Date(2026, 11, 21, 14, 5, 0, 0, time.UTC)

func testSettings() Settings {
	s := DefaultSettings()
	s.Lines[0] = LineSettings{Enabled: true, Label: "Sales 10", User: "1001", Server: "pbx.example.net:5060"}
	s.Lines[1] = LineSettings{Enabled: false, Label: "Support 20", User: "1002", Server: "pbx.example.net:5060"}
	return s
}

type testPhone struct {
	*Phone
	t       testing.TB
	display *haltest.Display
	leds    *haltest.LEDs
	clock   *haltest.Clock
	saved   []string
	saveErr error
}

// newTestPhone returns a phone driven synchronously by the test: keys go
// straight to the loop's handlers, without the Run goroutine.
func newTestPhone(t testing.TB, s Settings) *testPhone {
	t.Helper()
	cats, err := i18n.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tp := &testPhone{t: t, display: haltest.NewDisplay(), leds: &haltest.LEDs{}, clock: haltest.NewClockAt(start)}
	p, err := New(Options{
		Display:  tp.display,
		LEDs:     tp.leds,
		Catalogs: cats,
		Settings: s,
		Clock:    tp.clock,
		Version:  "0.1.0",
		Board:    "sim",
		NetAddrs: func() []string { return []string{"eth0 192.0.2.10/24", "eth0 2001:db8::10/64"} },
		SaveSetting: func(key, value string) error {
			if tp.saveErr != nil {
				return tp.saveErr
			}
			tp.saved = append(tp.saved, key+"="+value)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tp.Phone = p
	p.refresh()
	return tp
}

// press presses and releases k.
func (tp *testPhone) press(keys ...hal.Key) {
	for _, k := range keys {
		now := tp.clock.Now()
		tp.key(hal.KeyEvent{Key: k, Down: true, At: now})
		tp.refresh()
		tp.key(hal.KeyEvent{Key: k, Down: false, At: now.Add(50 * time.Millisecond)})
		tp.refresh()
	}
}

// hold holds k for d, firing the loop's timer on the way as Run would.
func (tp *testPhone) hold(k hal.Key, d time.Duration) {
	now := tp.clock.Now()
	tp.key(hal.KeyEvent{Key: k, Down: true, At: now})
	tp.refresh()
	tp.clock.Advance(d)
	tp.tick()
	tp.refresh()
	tp.key(hal.KeyEvent{Key: k, Down: false, At: now.Add(d)})
	tp.refresh()
}

func (tp *testPhone) screen() string { return tp.Status().Screen }

func (tp *testPhone) wantScreen(want string) {
	tp.t.Helper()
	if got := tp.screen(); got != want {
		tp.t.Fatalf("screen = %q, want %q", got, want)
	}
}

func TestMenuNavigation(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.wantScreen("idle")
	tp.press(hal.KeyMenu)
	tp.wantScreen("menu")
	tp.press(hal.Key8, hal.Key8, hal.Key8, hal.Key8) // Status, Call log, Phonebook, Recordings, Settings
	tp.press(hal.Key6)
	tp.wantScreen("settings")
	tp.press(hal.Key8, hal.Key8, hal.Key5) // down to Ring volume, then open it
	tp.wantScreen("ringvolume")
	tp.press(hal.KeyBack)
	tp.wantScreen("settings")
	tp.press(hal.Key4)
	tp.wantScreen("menu")
	tp.press(hal.KeyOK) // the cursor is still on Settings
	tp.wantScreen("settings")
	tp.press(hal.KeyMenu)
	tp.wantScreen("idle")
}

func TestLongBackGoesHome(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.press(hal.KeyMenu, hal.Key6) // Menu → Status
	tp.wantScreen("status")
	tp.hold(hal.KeyBack, 1500*time.Millisecond)
	tp.wantScreen("idle")
	tp.press(hal.KeyMenu, hal.Key6)
	tp.press(hal.KeyBack) // a short press goes back one level
	tp.wantScreen("menu")
}

func TestLanguageSwitch(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK) // Settings
	tp.press(hal.KeyOK)                        // Language
	tp.wantScreen("language")
	tp.press(hal.Key8, hal.KeyOK) // en → ru
	if got := tp.Status().Language; got != "ru" {
		t.Fatalf("language = %q, want ru", got)
	}
	tp.wantScreen("settings")
	if strings.Join(tp.saved, ",") != "phone.language=ru" {
		t.Errorf("saved %v", tp.saved)
	}
	tp.press(hal.KeyOK, hal.Key2, hal.KeyOK) // and back to English
	if got := tp.Status().Language; got != "en" {
		t.Fatalf("language = %q, want en", got)
	}
}

func TestSaveFailureKeepsOldValue(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.saveErr = errors.New("disk full")
	tp.press(hal.KeyAutoAnswer)
	if tp.Status().AutoAnswer {
		t.Error("auto answer switched on although saving failed")
	}
	if tp.popup.kind != popupNotice || tp.notice != "Not saved" {
		t.Errorf("popup %v %q, want the not-saved notice", tp.popup.kind, tp.notice)
	}
	if got := tp.leds.State(hal.LEDAutoAnswer); got.Lit() {
		t.Errorf("auto answer LED %v", got)
	}
}

func TestContrastPreviewAndCancel(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK, hal.Key8, hal.KeyOK) // Settings → Contrast
	tp.wantScreen("contrast")
	tp.press(hal.Key6, hal.Key6, hal.Key6)
	if got := tp.display.Contrast(); got != 35 {
		t.Errorf("preview contrast = %d, want 35", got)
	}
	tp.press(hal.KeyBack)
	if got := tp.display.Contrast(); got != 32 {
		t.Errorf("after cancel contrast = %d, want 32", got)
	}
	if len(tp.saved) != 0 {
		t.Errorf("cancel saved %v", tp.saved)
	}
	tp.press(hal.KeyOK, hal.Key4, hal.KeySoft4)
	if got := tp.display.Contrast(); got != 31 {
		t.Errorf("saved contrast = %d, want 31", got)
	}
	if strings.Join(tp.saved, ",") != "lcd.contrast=31" {
		t.Errorf("saved %v", tp.saved)
	}
}

func TestValueLimits(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK, hal.Key8, hal.Key8, hal.KeyOK) // Ring volume
	tp.wantScreen("ringvolume")
	for range 20 {
		tp.press(hal.KeyVolUp)
	}
	if tp.edit != MaxRingVolume {
		t.Errorf("edit = %d, want %d", tp.edit, MaxRingVolume)
	}
	for range 20 {
		tp.press(hal.Key4)
	}
	if tp.edit != 0 {
		t.Errorf("edit = %d, want 0", tp.edit)
	}
}

func TestIdleKeys(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.press(hal.KeyAutoAnswer)
	if got := tp.leds.State(hal.LEDAutoAnswer); got != (hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternSteady}) {
		t.Errorf("auto answer LED = %v", got)
	}
	tp.press(hal.KeyHold)
	if got := tp.leds.State(hal.LEDHold); got.Color != hal.ColorRed {
		t.Errorf("hold LED = %v", got)
	}
	tp.press(hal.KeySoft3)
	if !tp.Status().DND {
		t.Error("DND softkey did not switch DND on")
	}
	tp.press(hal.KeyVolDown)
	if tp.Status().Screen != "idle" || tp.popup.kind != popupRingVolume || tp.set.RingVolume != 4 {
		t.Errorf("vol-: screen %s popup %v volume %d", tp.Status().Screen, tp.popup.kind, tp.set.RingVolume)
	}
	tp.clock.Advance(popupTime)
	tp.tick()
	tp.refresh()
	if tp.popup.kind != popupNone {
		t.Error("the volume pop-up did not go away")
	}
	want := []string{"phone.auto_answer=1", "ringer.speaker=1", "phone.dnd=1", "ringer.volume=4"}
	if strings.Join(tp.saved, ",") != strings.Join(want, ",") {
		t.Errorf("saved %v, want %v", tp.saved, want)
	}
	tp.press(hal.KeyAutoAnswer)
	if got := tp.leds.State(hal.LEDAutoAnswer); got.Lit() {
		t.Errorf("auto answer LED after second press = %v", got)
	}
}

func TestLongPressLineSwitchesRegistration(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	var switched []string
	tp.opts.SwitchLine = func(line int, on bool) { switched = append(switched, fmt.Sprint(line, on)) }
	defer func() {
		if got := strings.Join(switched, ","); got != "1 false,1 true" {
			t.Errorf("SwitchLine calls %q", got)
		}
	}()
	if got := tp.Status().Lines[0].Registration; got != RegistrationRegistering {
		t.Fatalf("line 1 = %v", got)
	}
	tp.press(hal.KeyLine1) // a short press does not
	if got := tp.Status().Lines[0].Registration; got != RegistrationRegistering {
		t.Fatalf("after a short press line 1 = %v", got)
	}
	tp.hold(hal.KeyLine1, 1200*time.Millisecond)
	if got := tp.Status().Lines[0].Registration; got != RegistrationDisabled {
		t.Fatalf("after a long press line 1 = %v", got)
	}
	tp.hold(hal.KeyLine1, 1200*time.Millisecond)
	if got := tp.Status().Lines[0].Registration; got != RegistrationRegistering {
		t.Fatalf("after a second long press line 1 = %v", got)
	}
	tp.hold(hal.KeyLine2, 1200*time.Millisecond) // line 2 is not set up
	if got := tp.Status().Lines[1].Registration; got != RegistrationDisabled {
		t.Errorf("line 2 = %v", got)
	}
	if tp.popup.kind != popupNotice {
		t.Error("no notice for a line that is not set up")
	}
}

// TestLongPressWithoutTimer covers a release that arrives before the loop's
// timer fired: the press still counts as long.
func TestLongPressWithoutTimer(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.key(hal.KeyEvent{Key: hal.KeyLine1, Down: true, At: start})
	tp.key(hal.KeyEvent{Key: hal.KeyLine1, Down: false, At: start.Add(2 * time.Second)})
	tp.refresh()
	if got := tp.Status().Lines[0].Registration; got != RegistrationDisabled {
		t.Errorf("line 1 = %v", got)
	}
}

func TestRegistrationAndSettingsChanges(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.regs[0] = RegistrationRegistered
	s := testSettings()
	s.Lines[1].Enabled = true
	s.Lines[1].Label = "Support 21"
	tp.useSettings(s)
	tp.refresh()
	st := tp.Status()
	if st.Lines[0].Registration != RegistrationRegistered {
		t.Errorf("unchanged line 1 lost its registration: %v", st.Lines[0].Registration)
	}
	if st.Lines[1].Registration != RegistrationRegistering || st.Lines[1].Label != "Support 21" {
		t.Errorf("line 2 = %+v", st.Lines[1])
	}
}

func TestStatusJSON(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	b, err := json.Marshal(tp.Status())
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Lines []map[string]any `json:"lines"`
		Calls []any            `json:"calls"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Lines) != 2 || got.Calls == nil {
		t.Fatalf("status %s", b)
	}
	want := map[string]any{"line": 1.0, "label": "Sales 10", "registration": "registering", "server": "pbx.example.net:5060"}
	for k, v := range want {
		if got.Lines[0][k] != v {
			t.Errorf("lines[0].%s = %v, want %v", k, got.Lines[0][k], v)
		}
	}
	if got.Lines[1]["registration"] != "disabled" {
		t.Errorf("line 2 registration = %v", got.Lines[1]["registration"])
	}
}

func TestLEDRules(t *testing.T) {
	red := hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternSteady}
	for _, tc := range []struct {
		name string
		in   ledInputs
		want map[hal.LED]hal.LEDState
	}{
		{"idle", ledInputs{}, nil},
		{"incoming on line 2", ledInputs{lines: [2]lineActivity{lineIdle, lineIncoming}},
			map[hal.LED]hal.LEDState{hal.LEDLine2: {Color: hal.ColorGreen, Pattern: hal.PatternFast}}},
		{"active call", ledInputs{lines: [2]lineActivity{lineActive, lineIdle}},
			map[hal.LED]hal.LEDState{hal.LEDLine1: red, hal.LEDHeadset: red}},
		{"held and incoming", ledInputs{lines: [2]lineActivity{lineHeld, lineIncoming}},
			map[hal.LED]hal.LEDState{
				hal.LEDLine1:   {Color: hal.ColorRed, Pattern: hal.PatternSlow},
				hal.LEDLine2:   {Color: hal.ColorGreen, Pattern: hal.PatternFast},
				hal.LEDHeadset: red}},
		{"auto answer and ring speaker", ledInputs{autoAnswer: true, ringSpeaker: true},
			map[hal.LED]hal.LEDState{hal.LEDAutoAnswer: red, hal.LEDHold: red}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ledsFor(tc.in)
			for l := range hal.NumLEDs {
				if got[l] != tc.want[hal.LED(l)] {
					t.Errorf("%v = %v, want %v", hal.LED(l), got[l], tc.want[hal.LED(l)])
				}
			}
		})
	}
}

func TestRenderUnchangedShipsNothing(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	n := tp.display.Shows()
	tp.refresh()
	tp.refresh()
	if got := tp.display.Shows(); got != n {
		t.Errorf("unchanged screen shipped %d more frames", got-n)
	}
	tp.clock.Advance(time.Minute)
	tp.refresh()
	if got := tp.display.Shows(); got != n+1 {
		t.Errorf("a new minute shipped %d frames, want 1", got-n)
	}
	if allocs := testing.AllocsPerRun(100, tp.refresh); allocs != 0 {
		t.Errorf("refresh of an unchanged screen: %v allocations, want 0", allocs)
	}
}

// TestRun drives the real loop: keys through the channel, the clock
// through the timer, and the shutdown screen when the context ends.
func TestRun(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	var changes int
	tp.opts.OnChange = func() { changes++ }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- tp.Run(ctx) }()

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for !cond() {
			select {
			case <-tp.display.Updated():
			case <-time.After(10 * time.Millisecond):
			case <-deadline:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	tp.Keys() <- hal.KeyEvent{Key: hal.KeyMenu, Down: true, At: start}
	tp.Keys() <- hal.KeyEvent{Key: hal.KeyMenu, Down: false, At: start}
	waitFor("the menu", func() bool { return tp.Status().Screen == "menu" })

	// A long press of Back, finished by the timer while the key is held.
	tp.Keys() <- hal.KeyEvent{Key: hal.KeyBack, Down: true, At: start}
	waitFor("the key to be seen", func() bool {
		ok := make(chan bool)
		if err := tp.do(ctx, func() { ok <- tp.held == hal.KeyBack }); err != nil {
			t.Fatal(err)
		}
		return <-ok
	})
	tp.clock.Advance(2 * time.Second)
	waitFor("idle after a long Back", func() bool { return tp.Status().Screen == "idle" })

	if err := tp.SetRegistration(ctx, 1, RegistrationRegistered, "backup.example.net:5060"); err != nil {
		t.Fatal(err)
	}
	waitFor("registration", func() bool {
		l := tp.Status().Lines[0]
		return l.Registration == RegistrationRegistered && l.Server == "backup.example.net:5060"
	})

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
	var want hal.Frame
	tp.draw(&view{page: pageShutdown, cat: tp.cat}, &want)
	if got := tp.display.Frame(); got != want {
		t.Error("the last screen is not the shutdown screen")
	}
	for l, s := range tp.leds.All() {
		if s.Lit() {
			t.Errorf("%v still lit after shutdown: %v", hal.LED(l), s)
		}
	}
	if changes == 0 {
		t.Error("OnChange was never called")
	}
}

func TestMonitorMode(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	var modes []string
	tp.opts.SetMonitorMode = func(m string) { modes = append(modes, m) }
	tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK, hal.Key2, hal.KeyOK) // Settings → Monitor mode
	tp.wantScreen("monitor")
	checkGolden(t, "monitor_en", tp.display.Frame())
	tp.press(hal.Key8, hal.KeyOK) // listen → whisper, not yet plugged in
	if len(modes) != 0 || strings.Join(tp.saved, ",") != "monitor.mode=whisper" {
		t.Errorf("modes %v saved %v", modes, tp.saved)
	}
	tp.key(hal.KeyEvent{Key: hal.KeyMonitorJack, Down: true})
	tp.key(hal.KeyEvent{Key: hal.KeyMonitorJack, Down: false})
	if got := strings.Join(modes, ","); got != "whisper,off" {
		t.Errorf("plug and unplug set %q", got)
	}
	if tp.set.MonitorMode != "whisper" {
		t.Errorf("setting %q", tp.set.MonitorMode)
	}
}

type fakeRecordings struct {
	list []RecordingInfo
	log  []string
}

func (f *fakeRecordings) List() []RecordingInfo { return f.list }
func (f *fakeRecordings) Retry(id string) error { f.log = append(f.log, "retry "+id); return nil }
func (f *fakeRecordings) Play(id string) error  { f.log = append(f.log, "play "+id); return nil }

func TestRecordingsMenu(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	recs := &fakeRecordings{list: []RecordingInfo{
		{ID: "r2", Start: start.Add(-time.Hour), Direction: Incoming, Number: "5551234", Duration: 95 * time.Second, Upload: "failed", Tries: 3, LastError: "PUT http://store.example.net/rec/r2.wav: 503 Service Unavailable"},
		{ID: "r1", Start: start.Add(-2 * time.Hour), Direction: Outgoing, Number: "2000", Duration: 30 * time.Second, Upload: "done", Tries: 1},
	}}
	tp.opts.Recordings = recs
	tp.press(hal.KeyMenu, hal.Key8, hal.Key8, hal.Key8, hal.KeyOK)
	tp.wantScreen("recordings")
	checkGolden(t, "recordings_en", tp.display.Frame())
	tp.press(hal.KeySoft2, hal.KeySoft3, hal.Key8, hal.KeySoft3)
	if got := strings.Join(recs.log, ","); got != "retry r2,play r2,play r1" {
		t.Errorf("actions %q", got)
	}
	tp.press(hal.Key2, hal.KeyOK)
	tp.wantScreen("recording")
	checkGolden(t, "recording_details_en", tp.display.Frame())
}
