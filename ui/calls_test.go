package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccphone/hal"
	"ccphone/ui/calllog"
)

// fakeTelephony records what the phone asks of its lines.
type fakeTelephony struct {
	next CallID
	log  []string
}

func (f *fakeTelephony) add(format string, a ...any) {
	f.log = append(f.log, fmt.Sprintf(format, a...))
}

func (f *fakeTelephony) Dial(line int, target string) (CallID, error) {
	f.next++
	f.add("dial %d %s -> %d", line, target, f.next)
	return f.next, nil
}
func (f *fakeTelephony) Answer(id CallID) error { f.add("answer %d", id); return nil }
func (f *fakeTelephony) Reject(id CallID, code int) error {
	f.add("reject %d %d", id, code)
	return nil
}
func (f *fakeTelephony) Hangup(id CallID) error           { f.add("hangup %d", id); return nil }
func (f *fakeTelephony) Hold(id CallID, hold bool) error  { f.add("hold %d %v", id, hold); return nil }
func (f *fakeTelephony) Mute(id CallID, mute bool) error  { f.add("mute %d %v", id, mute); return nil }
func (f *fakeTelephony) SendDTMF(id CallID, d byte) error { f.add("dtmf %d %c", id, d); return nil }
func (f *fakeTelephony) Transfer(id CallID, target string) error {
	f.add("transfer %d %s", id, target)
	return nil
}
func (f *fakeTelephony) TransferTo(id, consult CallID) error {
	f.add("transfer %d to %d", id, consult)
	return nil
}

// take returns what was asked since the last take.
func (f *fakeTelephony) take() string {
	s := strings.Join(f.log, "; ")
	f.log = nil
	return s
}

func newCallPhone(t testing.TB) (*testPhone, *fakeTelephony) {
	tel := &fakeTelephony{next: 100}
	tp := newTestPhone(t, testSettings())
	tp.opts.Telephony = tel
	return tp, tel
}

func (tp *testPhone) event(ev CallEvent) {
	tp.callEvent(ev)
	tp.refresh()
}

func (tp *testPhone) wantTel(tel *fakeTelephony, want string) {
	tp.t.Helper()
	if got := tel.take(); got != want {
		tp.t.Errorf("telephony: %q, want %q", got, want)
	}
}

func (tp *testPhone) wantLED(l hal.LED, c hal.Color, pat hal.Pattern) {
	tp.t.Helper()
	if got, want := tp.leds.State(l), (hal.LEDState{Color: c, Pattern: pat}).Normalize(); got != want {
		tp.t.Errorf("%v LED = %v, want %v", l, got, want)
	}
}

func (tp *testPhone) wantCalls(want string) {
	tp.t.Helper()
	var got []string
	for _, c := range tp.Status().Calls {
		got = append(got, fmt.Sprintf("%d %v %v %s", c.Line, c.State, c.Direction, c.Remote))
	}
	if s := strings.Join(got, "; "); s != want {
		tp.t.Errorf("calls %q, want %q", s, want)
	}
}

func TestDialFromThePad(t *testing.T) {
	tp, tel := newCallPhone(t)
	var idle []int
	tp.opts.LineIdle = func(line int) { idle = append(idle, line) }
	tp.press(hal.Key2, hal.Key0, hal.Key0, hal.Key1, hal.KeyBack, hal.Key0)
	tp.wantCalls("1 dialing out ")
	tp.wantLED(hal.LEDLine1, hal.ColorRed, hal.PatternSteady)
	tp.wantLED(hal.LEDHeadset, hal.ColorRed, hal.PatternSteady)
	tp.wantTel(tel, "")
	if tp.LineBusy(1) {
		t.Error("line 1 busy while only digits are typed")
	}
	tp.press(hal.KeyOK)
	tp.wantTel(tel, "dial 1 2000 -> 101")
	if !tp.LineBusy(1) || tp.LineBusy(2) {
		t.Errorf("busy lines %v %v after dialling on line 1", tp.LineBusy(1), tp.LineBusy(2))
	}

	tp.event(CallEvent{ID: 101, State: CallRinging, Remote: "sip:2000@pbx", RemoteNumber: "2000"})
	tp.wantCalls("1 ringing out sip:2000@pbx")
	tp.event(CallEvent{ID: 101, State: CallConnected})
	tp.clock.Advance(65 * time.Second)
	tp.tick()
	tp.refresh()
	if got := tp.last.calls[0].secs; got != 65 {
		t.Errorf("call timer %d s, want 65", got)
	}
	tp.press(hal.KeyHeadset)
	tp.wantTel(tel, "hangup 101")
	tp.event(CallEvent{ID: 101, State: CallEnded, Reason: "BYE"})
	if tp.LineBusy(1) || len(idle) != 1 || idle[0] != 1 {
		t.Errorf("after the call: busy %v, LineIdle calls %v", tp.LineBusy(1), idle)
	}
	tp.wantLED(hal.LEDLine1, hal.ColorOff, hal.PatternOff)
	tp.wantLED(hal.LEDHeadset, hal.ColorOff, hal.PatternOff)
	tp.clock.Advance(endedShown)
	tp.tick()
	tp.refresh()
	tp.wantCalls("")

	tp.press(hal.KeyRedial)
	tp.wantTel(tel, "dial 1 2000 -> 102")
}

func TestDialTimeoutAndPound(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.press(hal.Key5, hal.Key5)
	tp.clock.Advance(DefaultDialTimeout - time.Second)
	tp.tick()
	tp.wantTel(tel, "")
	tp.clock.Advance(time.Second)
	tp.tick()
	tp.wantTel(tel, "dial 1 55 -> 101")
	tp.event(CallEvent{ID: 101, State: CallEnded, Reason: "486 Busy Here"})
	tp.press(hal.KeySoft4) // nothing labelled: the ended call is not dialled again
	tp.clock.Advance(endedShown)
	tp.tick()

	tp.press(hal.KeyStar, hal.Key7, hal.KeyPound)
	tp.wantTel(tel, "dial 1 *7 -> 102")
}

func TestCancelPredial(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.press(hal.KeyHeadset) // off hook: dial tone, no digits
	tp.wantCalls("1 dialing out ")
	tp.press(hal.KeyHeadset) // and back on hook
	tp.wantCalls("")
	tp.press(hal.Key1, hal.KeySoft4) // Cancel
	tp.wantCalls("")
	tp.wantTel(tel, "")
}

func TestIncomingAnswerHoldResume(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.press(hal.KeyMenu) // a call interrupts the menu
	tp.event(CallEvent{ID: 7, Line: 1, State: CallRinging, Direction: Incoming, Remote: "sip:555@pbx", RemoteName: "Anna", RemoteNumber: "555"})
	tp.wantScreen("idle")
	tp.wantCalls("1 ringing in sip:555@pbx")
	tp.wantLED(hal.LEDLine1, hal.ColorGreen, hal.PatternFast)
	tp.wantLED(hal.LEDHeadset, hal.ColorOff, hal.PatternOff)
	tp.press(hal.KeyHeadset)
	tp.wantTel(tel, "answer 7")
	tp.event(CallEvent{ID: 7, State: CallConnected})
	tp.wantLED(hal.LEDLine1, hal.ColorRed, hal.PatternSteady)
	tp.press(hal.KeyHold)
	tp.wantTel(tel, "hold 7 true")
	tp.wantLED(hal.LEDLine1, hal.ColorRed, hal.PatternSlow)
	tp.wantLED(hal.LEDHeadset, hal.ColorRed, hal.PatternSteady)
	tp.press(hal.KeySoft1) // Resume
	tp.wantTel(tel, "hold 7 false")
	tp.press(hal.KeyHold)
	tp.wantTel(tel, "hold 7 true")
	tp.press(hal.KeyLine1) // the line key of the held call in front resumes it too
	tp.wantTel(tel, "hold 7 false")
	tp.wantLED(hal.LEDLine1, hal.ColorRed, hal.PatternSteady)
	tp.press(hal.KeyRedial, hal.Key4, hal.KeyRedial)
	tp.wantTel(tel, "mute 7 true; dtmf 7 4; mute 7 false")
	if tp.Status().RingSpeaker {
		t.Error("the Hold key in a call switched ringing to the speaker")
	}
}

func TestIncomingRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Settings)
		want string
	}{
		{"dnd 486", func(s *Settings) { s.DND = true }, "reject 9 486"},
		{"dnd 603", func(s *Settings) { s.DND, s.DNDCode = true, 603 }, "reject 9 603"},
		{"auto answer", func(s *Settings) { s.AutoAnswer = true }, "answer 9"},
		{"intercom not allowed", func(s *Settings) {}, ""},
		{"intercom allowed", func(s *Settings) { s.AllowIntercom = true }, "answer 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp, tel := newCallPhone(t)
			s := tp.set
			tc.set(&s)
			tp.useSettings(s)
			tp.event(CallEvent{ID: 9, Line: 1, State: CallRinging, Direction: Incoming, AutoAnswer: strings.HasPrefix(tc.name, "intercom")})
			tp.wantTel(tel, tc.want)
		})
	}
}

func TestTwoCalls(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.event(CallEvent{ID: 1, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "111"})
	tp.press(hal.KeySoft1) // Answer
	tp.event(CallEvent{ID: 1, State: CallConnected})
	tp.wantTel(tel, "answer 1")

	// A second call waits; answering it holds the first.
	tp.event(CallEvent{ID: 2, Line: 2, State: CallRinging, Direction: Incoming, RemoteNumber: "222"})
	if tp.focus != 0 {
		t.Error("the waiting call took the screen from the connected one")
	}
	tp.wantLED(hal.LEDLine2, hal.ColorGreen, hal.PatternFast)
	tp.press(hal.KeyLine2)
	tp.wantTel(tel, "hold 1 true; answer 2")
	tp.event(CallEvent{ID: 2, State: CallConnected})
	tp.wantLED(hal.LEDLine1, hal.ColorRed, hal.PatternSlow)
	tp.wantLED(hal.LEDLine2, hal.ColorRed, hal.PatternSteady)

	// A third is refused: both appearances are busy.
	tp.event(CallEvent{ID: 3, Line: 1, State: CallRinging, Direction: Incoming})
	tp.wantTel(tel, "reject 3 486")

	// The line keys swap between the two.
	tp.press(hal.KeyLine1)
	tp.wantTel(tel, "hold 2 true; hold 1 false")
	tp.wantCalls("1 connected in ; 2 held in ")

	// Transfer joins them: the held call goes to the one we talk to.
	tp.press(hal.KeyTransfer)
	tp.wantTel(tel, "transfer 2 to 1")
	tp.event(CallEvent{ID: 1, State: CallEnded})
	if tp.focus != 1 {
		t.Errorf("focus %d after the front call ended, want the other call", tp.focus)
	}
}

func TestBlindTransfer(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.event(CallEvent{ID: 4, Line: 1, State: CallRinging, Direction: Incoming})
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 4, State: CallConnected})
	tel.take()
	tp.press(hal.KeyTransfer, hal.Key3, hal.Key0, hal.Key0)
	tp.wantTel(tel, "")
	tp.press(hal.KeyOK)
	tp.wantTel(tel, "transfer 4 300")
}

func TestCallGolden(t *testing.T) {
	incoming := CallEvent{ID: 7, Line: 1, State: CallRinging, Direction: Incoming, Remote: "sip:5551234@pbx", RemoteName: "Anna Petrova", RemoteNumber: "5551234"}
	for _, lang := range []string{"en", "ru"} {
		for _, sc := range []struct {
			name  string
			setup func(tp *testPhone)
		}{
			{"predial", func(tp *testPhone) { tp.press(hal.Key2, hal.Key0, hal.Key0, hal.Key0) }},
			{"calling", func(tp *testPhone) {
				tp.press(hal.Key2, hal.Key0, hal.Key0, hal.Key0, hal.KeyOK)
				tp.event(CallEvent{ID: 101, State: CallRinging, RemoteNumber: "2000"})
			}},
			{"incoming", func(tp *testPhone) { tp.event(incoming) }},
			{"connected", func(tp *testPhone) {
				tp.event(incoming)
				tp.press(hal.KeyHeadset)
				tp.event(CallEvent{ID: 7, State: CallConnected})
				tp.clock.Advance(83 * time.Second)
			}},
			{"held", func(tp *testPhone) {
				tp.event(incoming)
				tp.press(hal.KeyHeadset)
				tp.event(CallEvent{ID: 7, State: CallConnected})
				tp.press(hal.KeyHold)
			}},
			{"two_calls", func(tp *testPhone) {
				tp.event(incoming)
				tp.press(hal.KeyHeadset)
				tp.event(CallEvent{ID: 7, State: CallConnected})
				tp.clock.Advance(10 * time.Second)
				tp.event(CallEvent{ID: 8, Line: 2, State: CallRinging, Direction: Incoming, RemoteNumber: "2001"})
			}},
			{"transfer", func(tp *testPhone) {
				tp.event(incoming)
				tp.press(hal.KeyHeadset)
				tp.event(CallEvent{ID: 7, State: CallConnected})
				tp.press(hal.KeyTransfer, hal.Key3, hal.Key0)
			}},
			{"ended", func(tp *testPhone) {
				tp.press(hal.Key2, hal.KeyOK)
				tp.event(CallEvent{ID: 101, State: CallEnded, Reason: "486 Busy Here"})
			}},
		} {
			name := "call_" + sc.name + "_" + lang
			t.Run(name, func(t *testing.T) {
				tp, _ := newCallPhone(t)
				s := tp.set
				s.Language = lang
				tp.useSettings(s)
				sc.setup(tp)
				tp.refresh()
				checkGolden(t, name, tp.display.Frame())
			})
		}
	}
}

func TestCallLog(t *testing.T) {
	tp, tel := newCallPhone(t)
	log, err := calllog.Open(filepath.Join(t.TempDir(), "calllog"), calllog.DefaultSize)
	if err != nil {
		t.Fatal(err)
	}
	tp.opts.CallLog = log

	// A call the agent missed, one answered, one dialled, one refused by DND.
	tp.event(CallEvent{ID: 1, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "111", RemoteName: "Anna"})
	tp.event(CallEvent{ID: 1, State: CallEnded, Reason: "CANCEL"})
	tp.event(CallEvent{ID: 2, Line: 2, State: CallRinging, Direction: Incoming, RemoteNumber: "222"})
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 2, State: CallConnected})
	tp.clock.Advance(90 * time.Second)
	tp.event(CallEvent{ID: 2, State: CallEnded})
	tp.clock.Advance(endedShown)
	tp.tick()
	tp.press(hal.Key3, hal.Key3, hal.Key3, hal.KeyOK)
	tp.event(CallEvent{ID: 101, State: CallEnded, Reason: "486 Busy Here"})
	tp.clock.Advance(endedShown)
	tp.tick()
	s := tp.set
	s.DND = true
	tp.useSettings(s)
	tp.event(CallEvent{ID: 3, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "444"})
	s.DND = false
	tp.useSettings(s)
	tp.refresh()

	var got []string
	for _, e := range log.Entries() {
		got = append(got, fmt.Sprintf("%v %d %s %v", e.Kind, e.Line, e.Number, e.Duration))
	}
	want := "missed 1 444 0s; dialed 1 333 0s; received 2 222 1m30s; missed 1 111 0s"
	if g := strings.Join(got, "; "); g != want {
		t.Errorf("history %q, want %q", g, want)
	}
	if tp.Status().MissedCalls != 2 {
		t.Errorf("missed calls %d, want 2", tp.Status().MissedCalls)
	}

	// The Log softkey opens the history and clears the indicator; the
	// second entry is dialled back on its line with Dial.
	tp.press(hal.KeySoft1)
	tp.wantScreen("calllog")
	if tp.Status().MissedCalls != 0 {
		t.Errorf("missed calls %d after opening the log", tp.Status().MissedCalls)
	}
	checkGolden(t, "calllog_entries_en", tp.display.Frame())
	tel.take()
	tp.press(hal.Key8, hal.KeySoft2)
	tp.wantTel(tel, "dial 1 333 -> 102")
	tp.wantScreen("idle")
}

func TestVoicemail(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.hold(hal.Key1, 1500*time.Millisecond)
	if tp.popup.kind != popupNotice {
		t.Error("no notice for a line without a voicemail number")
	}
	s := tp.set
	s.Lines[0].Voicemail = "*97"
	tp.useSettings(s)
	tp.hold(hal.Key1, 1500*time.Millisecond)
	tp.wantTel(tel, "dial 1 *97 -> 101")
	tp.event(CallEvent{ID: 101, State: CallEnded})
	tp.clock.Advance(endedShown)
	tp.tick()
	tp.press(hal.Key1, hal.KeyOK) // a short 1 is a digit
	tp.wantTel(tel, "dial 1 1 -> 102")

	tp.vmByLine = [NumLines]int{}
	ctx := t.Context()
	go tp.Run(ctx)
	if err := tp.SetVoicemail(ctx, 2, 3); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for tp.Status().Voicemail != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("voicemail %d, want 3", tp.Status().Voicemail)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type recordedSounds struct{ log []string }

func (r *recordedSounds) SetSound(port hal.AudioPort, s Sound) {
	r.log = append(r.log, port.String()+"="+s.String())
}

func (r *recordedSounds) Beep(port hal.AudioPort) { r.log = append(r.log, port.String()+"=beep") }

func (r *recordedSounds) take() string {
	s := strings.Join(r.log, " ")
	r.log = nil
	return s
}

func TestSounds(t *testing.T) {
	tp, _ := newCallPhone(t)
	snd := &recordedSounds{}
	tp.opts.Sounds = snd
	step := func(want string) {
		t.Helper()
		tp.refresh()
		if got := snd.take(); got != want {
			t.Errorf("sounds %q, want %q", got, want)
		}
	}
	tp.press(hal.KeyHeadset)
	step("headset=dial")
	tp.press(hal.Key2, hal.Key0)
	step("headset=none")
	tp.press(hal.KeyOK)
	tp.event(CallEvent{ID: 101, State: CallRinging})
	step("headset=ringback")
	tp.event(CallEvent{ID: 101, State: CallConnected})
	step("headset=none")
	tp.event(CallEvent{ID: 5, Line: 2, State: CallRinging, Direction: Incoming})
	step("headset=callwaiting")
	tp.event(CallEvent{ID: 5, State: CallEnded})
	step("headset=none")
	tp.event(CallEvent{ID: 101, State: CallEnded, Reason: "486 Busy Here"})
	step("headset=busy")
	tp.clock.Advance(endedShown)
	tp.tick()
	step("headset=none")

	tp.event(CallEvent{ID: 6, Line: 1, State: CallRinging, Direction: Incoming})
	step("headset=ring")
	tp.press(hal.KeyHold) // Mute ringing: to the speaker
	step("headset=none speaker=ring")
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 6, State: CallConnected})
	step("speaker=none")
}

func TestHotline(t *testing.T) {
	tp, tel := newCallPhone(t)
	s := tp.set
	s.Hotline = "100"
	tp.useSettings(s)
	tp.press(hal.KeyHeadset)
	tp.wantTel(tel, "dial 1 100 -> 101")
	tp.event(CallEvent{ID: 101, State: CallEnded})
	tp.clock.Advance(endedShown)
	tp.tick()

	s.HotlineDelay = 3 * time.Second
	tp.useSettings(s)
	tp.press(hal.KeyHeadset)
	tp.clock.Advance(2 * time.Second)
	tp.tick()
	tp.wantTel(tel, "")
	tp.clock.Advance(time.Second)
	tp.tick()
	tp.wantTel(tel, "dial 1 100 -> 102")
	tp.event(CallEvent{ID: 102, State: CallEnded})
	tp.clock.Advance(endedShown)
	tp.tick()

	// A digit typed before the delay dials that number instead.
	tp.press(hal.KeyHeadset, hal.Key7, hal.KeyOK)
	tp.wantTel(tel, "dial 1 7 -> 103")
}

type recordedRecording struct{ log []string }

func (r *recordedRecording) Record(id CallID, on bool) error {
	r.log = append(r.log, fmt.Sprintf("record %d %v", id, on))
	return nil
}

func TestOnDemandRecording(t *testing.T) {
	tp, _ := newCallPhone(t)
	rec := &recordedRecording{}
	tp.opts.Recording = rec
	s := tp.set
	s.RecordFeatureCode = "*1"
	tp.useSettings(s)
	tp.event(CallEvent{ID: 7, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "5551234", RemoteName: "Anna Petrova"})
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 7, State: CallConnected})
	tp.press(hal.KeySoft3) // Rec
	if got := strings.Join(rec.log, ","); got != "record 7 true" {
		t.Fatalf("Rec softkey: %q", got)
	}
	tp.calls[0].recording, tp.calls[0].recSince = true, tp.clock.Now()
	tp.dirty = true
	tp.clock.Advance(12 * time.Second)
	tp.refresh()
	if !tp.Status().Calls[0].Recording {
		t.Error("status does not say the call is recorded")
	}
	checkGolden(t, "call_recording_en", tp.display.Frame())
	rec.log = nil
	tp.press(hal.KeyStar, hal.Key1) // the feature code stops it
	if got := strings.Join(rec.log, ","); got != "record 7 false" {
		t.Errorf("feature code: %q", got)
	}
}

type qualityTelephony struct{ fakeTelephony }

func (q *qualityTelephony) CallQuality(id CallID) (CallQuality, bool) {
	return CallQuality{Codec: "PCMU", MOS: 3.29, Loss: 10.2, FarLoss: 9.8, FarReported: true,
		Jitter: 4 * time.Millisecond, RTT: 60 * time.Millisecond}, id == 7
}

func TestCallQualityScreen(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tp.opts.Telephony = &qualityTelephony{}
	tp.event(CallEvent{ID: 7, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "5551234"})
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 7, State: CallConnected})
	tp.press(hal.KeyOK)
	tp.wantScreen("quality")
	if len(tp.text) < 4 || tp.text[0] != "MOS 3.3 poor" {
		t.Errorf("quality text %q", tp.text)
	}
	checkGolden(t, "quality_en", tp.display.Frame())
	tp.press(hal.KeyBack)
	tp.wantScreen("idle")
}

type confTelephony struct {
	fakeTelephony
	confs []string
}

func (c *confTelephony) Conference(a, b CallID, on bool) error {
	c.confs = append(c.confs, fmt.Sprintf("%d+%d %v", a, b, on))
	return nil
}

func TestConference(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	tel := &confTelephony{}
	tp.opts.Telephony = tel
	tp.event(CallEvent{ID: 1, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "111"})
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 1, State: CallConnected})
	tp.event(CallEvent{ID: 2, Line: 2, State: CallRinging, Direction: Incoming, RemoteNumber: "222"})
	tp.press(hal.KeyLine2) // holds 1, answers 2
	tp.event(CallEvent{ID: 2, State: CallConnected})
	tp.press(hal.KeySoft3) // Conf
	if got := strings.Join(tel.confs, ","); got != "2+1 true" {
		t.Fatalf("conference calls %q", got)
	}
	if s := tp.Status(); s.Calls[0].State != CallConnected || s.Calls[1].State != CallConnected {
		t.Errorf("calls in conference: %+v", s.Calls)
	}
	checkGolden(t, "conference_en", tp.display.Frame())
	tp.press(hal.KeySoft1) // Split
	if got := strings.Join(tel.confs, ","); got != "2+1 true,2+1 false" {
		t.Errorf("conference calls %q", got)
	}
	if tp.calls[0].state != CallHeld || tp.calls[1].state != CallConnected {
		t.Errorf("after the split: %v %v", tp.calls[0].state, tp.calls[1].state)
	}

	// Joined again, End leaves the conference: both calls are hung up.
	tp.press(hal.KeySoft3) // Conf
	tel.take()
	tp.press(hal.KeySoft4) // End
	if got := tel.take(); !strings.Contains(got, "hangup 1") || !strings.Contains(got, "hangup 2") {
		t.Errorf("End in a conference: %q, want both calls hung up", got)
	}
}

// TestLineKeysMatchLines: a call on line 2 takes line 2's key (and LED)
// when that key is free, whether it comes in or the agent dials it from
// the Line 2 key.
func TestLineKeysMatchLines(t *testing.T) {
	tp, tel := newCallPhone(t)
	tp.event(CallEvent{ID: 5, Line: 2, State: CallRinging, Direction: Incoming, RemoteNumber: "555"})
	tp.wantLED(hal.LEDLine2, hal.ColorGreen, hal.PatternFast)
	tp.wantLED(hal.LEDLine1, hal.ColorOff, hal.PatternOff)
	tp.press(hal.KeyLine2)
	tp.wantTel(tel, "answer 5")
	tp.event(CallEvent{ID: 5, State: CallConnected})
	tp.wantLED(hal.LEDLine2, hal.ColorRed, hal.PatternSteady)
	tp.press(hal.KeyHeadset)
	tp.wantTel(tel, "hangup 5")
	tp.event(CallEvent{ID: 5, State: CallEnded})

	tp2, _ := newCallPhone(t)
	s := tp2.set
	s.Lines[1].Enabled = true
	tp2.useSettings(s)
	tp2.press(hal.KeyLine2)
	if tp2.calls[1].line != 2 || !tp2.calls[1].used || tp2.calls[0].used {
		t.Errorf("dialling from Line 2 took appearances %+v / %+v", tp2.calls[0], tp2.calls[1])
	}
	tp2.wantLED(hal.LEDLine2, hal.ColorRed, hal.PatternSteady)
}

func TestAutoAnswerBeep(t *testing.T) {
	tp, tel := newCallPhone(t)
	snd := &recordedSounds{}
	tp.opts.Sounds = snd
	s := tp.set
	s.AutoAnswer, s.AutoAnswerBeep = true, true
	tp.useSettings(s)
	tp.event(CallEvent{ID: 9, Line: 1, State: CallRinging, Direction: Incoming})
	tp.wantTel(tel, "answer 9")
	// The call answered at once does not ring, and the beep waits for the
	// call to connect, when no tone that would cut it short is started.
	if got := snd.take(); got != "" {
		t.Errorf("sounds %q before the call connected, want none", got)
	}
	tp.event(CallEvent{ID: 9, State: CallConnected})
	if got := snd.take(); got != "headset=beep" {
		t.Errorf("sounds %q once connected, want the beep alone", got)
	}
	tp.event(CallEvent{ID: 9, State: CallHeld})
	tp.event(CallEvent{ID: 9, State: CallConnected})
	if got := snd.take(); got != "" {
		t.Errorf("sounds %q after a hold, want no second beep", got)
	}

	// A call that ends before it connects gets no beep.
	tp.event(CallEvent{ID: 9, State: CallEnded})
	tp.clock.Advance(endedShown)
	tp.tick()
	tp.event(CallEvent{ID: 10, Line: 1, State: CallRinging, Direction: Incoming})
	tp.event(CallEvent{ID: 10, State: CallEnded, Reason: "488 Not Acceptable Here"})
	tp.clock.Advance(endedShown)
	tp.tick()
	tp.event(CallEvent{ID: 11, Line: 1, State: CallRinging, Direction: Outgoing})
	tp.event(CallEvent{ID: 11, State: CallConnected})
	if got := snd.take(); strings.Contains(got, "beep") {
		t.Errorf("sounds %q: a beep for a call that never connected", got)
	}
}
