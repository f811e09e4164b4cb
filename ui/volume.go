package ui

import (
	"strconv"

	"ccphone/hal"
)

// Volumes sets how loud an audio port plays. A Sounds that implements it
// (the phone finds it by type assertion) is told the level of the
// headset and the speaker at start and whenever it changes: level 0 is silent, 5 plays audio as
// it comes, MaxVolume is the loudest. It runs on the event loop and must
// not block.
type Volumes interface {
	SetVolume(port hal.AudioPort, level int)
}

// volumeUse is what the Vol keys adjust: the port in use.
type volumeUse uint8

const (
	volumeRinger  volumeUse = iota // idle, or a call ringing alone
	volumeHeadset                  // a call in the headset
	volumeSpeaker                  // a call on the speaker (hands-free)
)

// volumeUse returns what the Vol keys act on now:
//
//	a call in progress (dialling, ringing out, connected, held)  the headset
//	a call ringing in, alone                                      the ringer
//	idle                                                          the ringer
//
// The CC800 has no hands-free key yet, so calls are always in the
// headset; volumeSpeaker is kept for when they can be on the speaker.
func (p *Phone) volumeUse() volumeUse {
	for i := range p.calls {
		c := &p.calls[i]
		if c.active() && (c.dir != Incoming || c.state != CallRinging) {
			return volumeHeadset
		}
	}
	return volumeRinger
}

// volumeKey handles Vol, Vol− and Vol+ outside the menus: Vol− and Vol+
// step the level of the port in use (saved at once, so it survives a
// restart), and all three show it in a pop-up bar for popupTime.
func (p *Phone) volumeKey(k hal.Key) {
	step := 0
	switch k {
	case hal.KeyVolUp:
		step = 1
	case hal.KeyVolDown:
		step = -1
	}
	var (
		key  string
		cur  int
		max  int
		kind popupKind
		set  func(*Settings, int)
	)
	switch p.volumeUse() {
	case volumeHeadset:
		key, cur, max, kind = KeyHeadsetVolume, p.set.HeadsetVolume, MaxVolume, popupHeadsetVolume
		set = func(s *Settings, v int) { s.HeadsetVolume = v }
	case volumeSpeaker:
		key, cur, max, kind = KeySpeakerVolume, p.set.SpeakerVolume, MaxVolume, popupSpeakerVolume
		set = func(s *Settings, v int) { s.SpeakerVolume = v }
	default:
		key, cur, max, kind = KeyRingVolume, p.set.RingVolume, MaxRingVolume, popupRingVolume
		set = func(s *Settings, v int) { s.RingVolume = v }
	}
	if v := clamp(cur+step, 0, max); v != cur {
		if p.saveSetting(key, strconv.Itoa(v), func(s *Settings) { set(s, v) }) {
			cur = v
		}
	}
	if p.popup.kind == popupNotice {
		return // the save failed and says so
	}
	p.popup = popup{kind: kind, value: cur, until: p.clock.Now().Add(popupTime)}
	p.dirty = true
}

// volumePorts are the ports whose level the agent sets.
var volumePorts = [...]hal.AudioPort{hal.PortHeadset, hal.PortSpeaker}

// portVolume returns the level port plays at: the ringer's level while
// it rings there alone, the port's own level otherwise.
func (p *Phone) portVolume(port hal.AudioPort) int {
	if p.sounds[port] == SoundRing {
		return p.set.RingVolume
	}
	if port == hal.PortSpeaker {
		return p.set.SpeakerVolume
	}
	return p.set.HeadsetVolume
}

// updateVolumes tells Volumes about ports whose level changed. It runs
// after updateSounds, which decides where the ringer rings.
func (p *Phone) updateVolumes() {
	v, ok := p.opts.Sounds.(Volumes)
	if !ok {
		return
	}
	for _, port := range volumePorts {
		if level := p.portVolume(port); level != p.volumes[port] {
			p.volumes[port] = level
			v.SetVolume(port, level)
		}
	}
}
