package ui

import "ccphone/hal"

// lineActivity is what a line is doing, as far as its LED is concerned.
type lineActivity uint8

const (
	lineIdle     lineActivity = iota
	lineIncoming              // an incoming call is ringing
	lineActive                // dialing, ringing out, or connected
	lineHeld                  // a call on hold
)

// ledInputs is everything the LEDs show.
type ledInputs struct {
	lines       [NumLines]lineActivity
	autoAnswer  bool
	ringSpeaker bool
}

// ledsFor applies the CC800's LED rules:
//
//	line LED:   idle off; incoming call green, fast blink; active call
//	            steady red; held call red, slow blink
//	Auto Answer steady red while auto answer is on
//	Hold        steady red while ringing goes to the speaker
//	Headset     steady red while a line is in use (active or held)
func ledsFor(in ledInputs) [hal.NumLEDs]hal.LEDState {
	var out [hal.NumLEDs]hal.LEDState
	red := hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternSteady}
	inUse := false
	for i, a := range in.lines {
		var s hal.LEDState
		switch a {
		case lineIncoming:
			s = hal.LEDState{Color: hal.ColorGreen, Pattern: hal.PatternFast}
		case lineActive:
			s = red
			inUse = true
		case lineHeld:
			s = hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternSlow}
			inUse = true
		}
		out[hal.LEDLine1+hal.LED(i)] = s
	}
	if in.autoAnswer {
		out[hal.LEDAutoAnswer] = red
	}
	if in.ringSpeaker {
		out[hal.LEDHold] = red
	}
	if inUse {
		out[hal.LEDHeadset] = red
	}
	return out
}

// updateLEDs sets the LEDs that changed since the last call.
func (p *Phone) updateLEDs() {
	in := ledInputs{autoAnswer: p.set.AutoAnswer, ringSpeaker: p.set.RingSpeaker}
	for i := range p.calls {
		in.lines[i] = p.calls[i].lineActivity()
	}
	want := ledsFor(in)
	for i, s := range want {
		if p.ledsSet && p.leds[i] == s {
			continue
		}
		if err := p.opts.LEDs.SetLED(hal.LED(i), s); err != nil {
			p.log.Warn("set led", "led", hal.LED(i), "err", err)
			continue
		}
		p.leds[i] = s
	}
	p.ledsSet = true
}
