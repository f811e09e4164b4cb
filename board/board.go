// Package board defines what a board gives the phone. Each board lives in
// its own subpackage: cc800 for the real hardware, sim for the simulated
// one with a web front panel. Only cmd/ccphoned chooses between them.
package board

import (
	"context"

	"ccphone/hal"
)

// Board is the hardware the phone runs on.
type Board interface {
	// Display returns the LCD. It may also implement hal.Contrast and
	// hal.Backlight.
	Display() hal.Display
	// LEDs returns the indicators.
	LEDs() hal.LEDs
	// Audio returns the audio ports.
	Audio() hal.AudioOpener
	// Run delivers key and switch events to events until ctx is done, then
	// returns ctx's error; any other error means the inputs failed.
	// Switches that are closed at start (a plugged monitor headset) are
	// reported first.
	Run(ctx context.Context, events chan<- hal.KeyEvent) error
	// Close turns the LEDs off and releases the hardware.
	Close() error
}
