// Package gpioled drives the phone's LEDs and the LCD backlight on GPIO
// pins.
//
// The common path:
//
//	leds, err := gpioled.New(map[hal.LED]gpioled.Pins{
//		hal.LEDLine1:      {Red: gpio5, Green: gpio6},
//		hal.LEDAutoAnswer: {Red: gpio13},
//	}, &gpioled.DefaultOpts)
//	...
//	leds.SetLED(hal.LEDLine1, hal.LEDState{Color: hal.ColorGreen, Pattern: hal.PatternFast})
//	...
//	leds.Close() // every LED off
//
// A two-colour line LED is two pins, red and green; orange lights both.
// A single-colour LED is one pin, lit for any colour. Pins may be
// active-low.
//
// One timer drives every blinking LED, from one blink clock, so that all
// LEDs blink in step (hal.LEDState.PhaseOn). It is armed only while at
// least one LED blinks and wakes only at the phase boundaries that matter:
// every 125 ms while something blinks fast, every 500 ms otherwise. While
// nothing blinks there are no wakeups at all. The clock is injected
// (Opts.Clock) so that tests step time themselves.
//
// Backlight switches, or dims with PWM where the pin can, the LCD
// backlight.
package gpioled
