package ui

import (
	"fmt"
	"strings"

	"ccphone/hal"
)

// Sound is what an audio port plays for the agent outside the talk path:
// call-progress tones and the ringer.
type Sound uint8

// Sounds the phone plays.
const (
	SoundNone        Sound = iota
	SoundDial              // off hook, no digit yet
	SoundRingback          // the far end is ringing
	SoundBusy              // the far end was busy
	SoundCallWaiting       // a second call rings during a call
	SoundRing              // an incoming call rings
	numSounds
)

var soundNames = [numSounds]string{"none", "dial", "ringback", "busy", "callwaiting", "ring"}

func (s Sound) String() string {
	if s < numSounds {
		return soundNames[s]
	}
	return fmt.Sprintf("Sound(%d)", uint8(s))
}

// Sounds plays tones and ringing on the board's audio ports. The phone
// calls SetSound from its event loop whenever what a port should play
// changes; it must not block.
type Sounds interface {
	SetSound(port hal.AudioPort, s Sound)
}

// soundsFor applies the phone's sound rules:
//
//	headset: dial tone while a number is being typed and none is typed
//	         yet; ringback while an outgoing call rings; busy while a
//	         busy call is on screen; the call-waiting tone while a call
//	         rings during another; the ringer when a call rings alone
//	         and ringing goes to the headset (a call answered, whose
//	         ACK is not in yet, rings no more)
//	speaker: the ringer when a call rings alone and ringing goes to the
//	         speaker (Hold / Mute ringing lit)
func soundsFor(calls *[NumCalls]callSlot, focus int, ringSpeaker bool) [hal.NumAudioPorts]Sound {
	var out [hal.NumAudioPorts]Sound
	ringing, active := -1, 0
	for i := range calls {
		c := &calls[i]
		if !c.active() {
			continue
		}
		active++
		if c.dir == Incoming && c.state == CallRinging && !c.answering {
			ringing = i
		}
	}
	f := &calls[focus]
	switch {
	case ringing >= 0 && active > 1:
		out[hal.PortHeadset] = SoundCallWaiting
	case ringing >= 0 && ringSpeaker:
		out[hal.PortSpeaker] = SoundRing
	case ringing >= 0:
		out[hal.PortHeadset] = SoundRing
	case !f.used:
	case f.predial && f.digits == "":
		out[hal.PortHeadset] = SoundDial
	case f.dir == Outgoing && f.state == CallRinging:
		out[hal.PortHeadset] = SoundRingback
	case f.state == CallEnded && strings.HasPrefix(f.reason, "486"):
		out[hal.PortHeadset] = SoundBusy
	}
	return out
}

// updateSounds tells Sounds about ports whose sound changed.
func (p *Phone) updateSounds() {
	if p.opts.Sounds == nil {
		return
	}
	want := soundsFor(&p.calls, p.focus, p.set.RingSpeaker)
	for port, s := range want {
		if s != p.sounds[port] {
			p.sounds[port] = s
			p.opts.Sounds.SetSound(hal.AudioPort(port), s)
		}
	}
	p.beepIfDue()
}

// beepIfDue plays the auto-answer beep once the call it is for has
// connected, and the headset plays no tone that would cut it short.
// A call that ends first gets none.
func (p *Phone) beepIfDue() {
	if p.beepFor == 0 {
		return
	}
	i := p.slotOf(p.beepFor)
	switch {
	case i < 0 || p.calls[i].state == CallEnded:
		p.beepFor = 0
	case p.calls[i].state == CallConnected && p.sounds[hal.PortHeadset] == SoundNone:
		p.beepFor = 0
		if b, ok := p.opts.Sounds.(Beeper); ok {
			b.Beep(hal.PortHeadset)
		}
	}
}

// Beeper is implemented by Sounds that can play a short beep on a port
// (the auto-answer beep); the phone finds it by type assertion.
type Beeper interface {
	Beep(port hal.AudioPort)
}
