package ui

import (
	"errors"
	"strings"
	"testing"

	"ccphone/hal"
)

// volumeSounds records the levels the phone gives each port.
type volumeSounds struct {
	sounds [hal.NumAudioPorts]Sound
	levels [hal.NumAudioPorts]int
	log    []string
}

func (v *volumeSounds) SetSound(port hal.AudioPort, s Sound) { v.sounds[port] = s }

func (v *volumeSounds) SetVolume(port hal.AudioPort, level int) {
	v.levels[port] = level
	v.log = append(v.log, port.String()+"="+itoa(level))
}

func itoa(i int) string {
	if i >= 10 {
		return itoa(i/10) + string(rune('0'+i%10))
	}
	return string(rune('0' + i))
}

func (tp *testPhone) wantPopup(kind popupKind, value int) {
	tp.t.Helper()
	if tp.popup.kind != kind || tp.popup.value != value {
		tp.t.Errorf("pop-up %v %d, want %v %d", tp.popup.kind, tp.popup.value, kind, value)
	}
}

func TestVolumeKeysFollowThePortInUse(t *testing.T) {
	tp, _ := newCallPhone(t)
	snd := &volumeSounds{}
	tp.opts.Sounds = snd
	tp.refresh()
	if snd.levels[hal.PortHeadset] != 5 || snd.levels[hal.PortSpeaker] != 5 {
		t.Errorf("levels at start %v, want 5 everywhere", snd.levels)
	}

	// Idle: the ringer.
	tp.press(hal.KeyVolUp)
	tp.refresh()
	tp.wantPopup(popupRingVolume, 6)

	// Ringing: the ringer, which rings in the headset at its level.
	tp.event(CallEvent{ID: 7, Line: 1, State: CallRinging, Direction: Incoming, RemoteNumber: "2000"})
	if snd.sounds[hal.PortHeadset] != SoundRing || snd.levels[hal.PortHeadset] != 6 {
		t.Errorf("ringing: headset plays %v at %d, want ring at 6", snd.sounds[hal.PortHeadset], snd.levels[hal.PortHeadset])
	}
	tp.press(hal.KeyVolUp)
	tp.refresh()
	tp.wantPopup(popupRingVolume, 7)
	if snd.levels[hal.PortHeadset] != 7 {
		t.Errorf("ringer level %d after Vol+, want 7", snd.levels[hal.PortHeadset])
	}

	// In the call: the headset, at its own level.
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 7, State: CallConnected})
	if snd.levels[hal.PortHeadset] != 5 {
		t.Errorf("in a call the headset plays at %d, want its own 5", snd.levels[hal.PortHeadset])
	}
	tp.press(hal.KeyVolDown, hal.KeyVolDown, hal.KeyVolUp, hal.KeyVolUp, hal.KeyVolUp)
	tp.refresh()
	tp.wantPopup(popupHeadsetVolume, 6)
	if snd.levels[hal.PortHeadset] != 6 || tp.set.RingVolume != 7 || tp.set.HeadsetVolume != 6 {
		t.Errorf("headset %d (set %d), ringer %d; want 6, 6, 7", snd.levels[hal.PortHeadset], tp.set.HeadsetVolume, tp.set.RingVolume)
	}
	if tp.Status().Screen != "idle" || !tp.calls[0].active() {
		t.Error("the volume keys changed the screen or the call")
	}

	// Vol shows the level without changing it; the bar goes away.
	tp.clock.Advance(popupTime)
	tp.tick()
	tp.refresh()
	if tp.popup.kind != popupNone {
		t.Error("the volume pop-up did not go away")
	}
	tp.press(hal.KeyVol)
	tp.wantPopup(popupHeadsetVolume, 6)

	// The ends of the range hold.
	for range 12 {
		tp.press(hal.KeyVolUp)
	}
	tp.wantPopup(popupHeadsetVolume, MaxVolume)

	want := "ringer.volume=6,ringer.volume=7,headset.volume=4,headset.volume=3,headset.volume=4," +
		"headset.volume=5,headset.volume=6,headset.volume=7,headset.volume=8,headset.volume=9,headset.volume=10"
	if got := strings.Join(tp.saved, ","); got != want {
		t.Errorf("saved %s\nwant  %s", got, want)
	}

	// Hung up: the ringer again.
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 7, State: CallEnded})
	tp.clock.Advance(endedShown)
	tp.tick()
	tp.refresh()
	tp.press(hal.KeyVolDown)
	tp.wantPopup(popupRingVolume, 6)
}

func TestVolumeRingerOnSpeaker(t *testing.T) {
	s := testSettings()
	s.RingSpeaker, s.RingVolume, s.SpeakerVolume = true, 9, 3
	tp := newTestPhone(t, s)
	tp.opts.Telephony = &fakeTelephony{}
	snd := &volumeSounds{}
	tp.opts.Sounds = snd
	tp.refresh()
	if snd.levels[hal.PortSpeaker] != 3 {
		t.Errorf("speaker at %d, want 3", snd.levels[hal.PortSpeaker])
	}
	tp.event(CallEvent{ID: 1, Line: 1, State: CallRinging, Direction: Incoming})
	if snd.sounds[hal.PortSpeaker] != SoundRing || snd.levels[hal.PortSpeaker] != 9 || snd.levels[hal.PortHeadset] != 5 {
		t.Errorf("ringing on the speaker: speaker %v at %d, headset at %d", snd.sounds[hal.PortSpeaker], snd.levels[hal.PortSpeaker], snd.levels[hal.PortHeadset])
	}
	tp.event(CallEvent{ID: 1, State: CallEnded})
	if snd.levels[hal.PortSpeaker] != 3 {
		t.Errorf("speaker at %d after the ringing, want 3", snd.levels[hal.PortSpeaker])
	}
}

func TestVolumeNotSaved(t *testing.T) {
	tp, _ := newCallPhone(t)
	tp.event(CallEvent{ID: 7, Line: 1, State: CallRinging, Direction: Incoming})
	tp.press(hal.KeyHeadset)
	tp.event(CallEvent{ID: 7, State: CallConnected})
	tp.saveErr = errors.New("disk full")
	tp.press(hal.KeyVolUp)
	if tp.set.HeadsetVolume != 5 || tp.popup.kind != popupNotice {
		t.Errorf("volume %d, pop-up %v after a failed save; want 5 and the notice", tp.set.HeadsetVolume, tp.popup.kind)
	}
}

func TestVolumeGolden(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		name := "call_volume_" + lang
		t.Run(name, func(t *testing.T) {
			tp, _ := newCallPhone(t)
			s := tp.set
			s.Language = lang
			tp.useSettings(s)
			tp.event(CallEvent{ID: 7, Line: 1, State: CallRinging, Direction: Incoming, RemoteName: "Anna Petrova", RemoteNumber: "5551234"})
			tp.press(hal.KeyHeadset)
			tp.event(CallEvent{ID: 7, State: CallConnected})
			tp.press(hal.KeyVolUp, hal.KeyVolUp)
			tp.refresh()
			checkGolden(t, name, tp.display.Frame())
		})
	}
}
