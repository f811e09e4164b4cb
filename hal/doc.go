// Package hal declares the phone's hardware as small interfaces and value
// types: the 128×64 one-bit display, the LEDs, the keys and switches, the
// monitor-jack detect and the audio ports.
//
// The common path: a board (see package board) hands the phone a Display,
// a set of LEDs, a source of KeyEvents and an AudioOpener. The UI draws
// into a Frame, which is a standard draw.Image laid out the way ST7565-class
// controllers store pixels, and calls Display.Show; it sets LEDs with
// LEDs.SetLED and reads key presses from the board's Inputs.
//
// Nothing here opens a device. Concrete drivers live in subpackages
// (st7565, gpioled, gpiokeys) and take periph.io interfaces, never /dev
// paths; only package board and cmd know which hardware exists.
// Fakes for tests live in hal/haltest.
package hal
