package hal

import "fmt"

// LED names one indicator on the phone.
type LED uint8

// The CC800's LEDs. The line LEDs have two colours (red and green; both
// lit read as orange); the others are red only.
const (
	LEDLine1      LED = iota // line key 1
	LEDLine2                 // line key 2
	LEDAutoAnswer            // lit while auto answer is on
	LEDHold                  // Hold / Mute ringing: lit while ringing goes to the speaker
	LEDHeadset               // lit while a line is in use
	NumLEDs       = iota
)

var ledNames = [NumLEDs]string{"line1", "line2", "autoanswer", "hold", "headset"}

// String returns the LED's name as the sim panel API spells it.
func (l LED) String() string {
	if int(l) < len(ledNames) {
		return ledNames[l]
	}
	return fmt.Sprintf("LED(%d)", uint8(l))
}

// ParseLED returns the LED with the given name.
func ParseLED(name string) (LED, bool) {
	for i, n := range ledNames {
		if n == name {
			return LED(i), true
		}
	}
	return 0, false
}

// Color is the colour an LED shows.
type Color uint8

// LED colours. Orange is red and green lit together.
const (
	ColorOff Color = iota
	ColorGreen
	ColorRed
	ColorOrange
)

var colorNames = [...]string{"off", "green", "red", "orange"}

func (c Color) String() string {
	if int(c) < len(colorNames) {
		return colorNames[c]
	}
	return fmt.Sprintf("Color(%d)", uint8(c))
}

// Pattern is how an LED blinks.
type Pattern uint8

// Blink patterns. Slow blinks at 1 Hz (500 ms on, 500 ms off) and fast at
// 4 Hz (125 ms on, 125 ms off); see SlowHalfPeriod and FastHalfPeriod.
const (
	PatternOff Pattern = iota
	PatternSteady
	PatternSlow
	PatternFast
)

var patternNames = [...]string{"off", "steady", "slow", "fast"}

func (p Pattern) String() string {
	if int(p) < len(patternNames) {
		return patternNames[p]
	}
	return fmt.Sprintf("Pattern(%d)", uint8(p))
}

// Blink half periods, in milliseconds, shared by every LED driver and the
// sim panel so that the phone looks the same everywhere.
const (
	SlowHalfPeriodMs = 500
	FastHalfPeriodMs = 125
)

// LEDState is what one LED shows. The zero value is off.
type LEDState struct {
	Color   Color
	Pattern Pattern
}

// Lit reports whether the LED shows anything at all.
func (s LEDState) Lit() bool { return s.Color != ColorOff && s.Pattern != PatternOff }

// Normalize returns s with an unlit state spelt as the zero value, so
// states compare equal when they look the same.
func (s LEDState) Normalize() LEDState {
	if !s.Lit() {
		return LEDState{}
	}
	return s
}

// PhaseOn reports whether a LED in state s is lit at elapsed ms since the
// blink clock started. Every driver uses it so that all LEDs blink in step.
func (s LEDState) PhaseOn(elapsedMs int64) bool {
	switch {
	case !s.Lit():
		return false
	case s.Pattern == PatternSlow:
		return (elapsedMs/SlowHalfPeriodMs)%2 == 0
	case s.Pattern == PatternFast:
		return (elapsedMs/FastHalfPeriodMs)%2 == 0
	}
	return true
}

// LEDs drives the phone's indicators. Implementations blink the LED
// themselves; the caller only says what it should show.
type LEDs interface {
	SetLED(l LED, s LEDState) error
}
