package hal

// Display ships frames to a 128×64 one-bit panel.
//
// Show may send only what differs from the previous frame. The display
// keeps no reference to f after Show returns. Implementations need not be
// safe for concurrent use: the phone's event loop is the only caller.
type Display interface {
	Show(f *Frame) error
}

// Contrast is implemented by displays whose contrast can be set.
type Contrast interface {
	// SetContrast sets the contrast, 0 (faintest) to MaxContrast.
	SetContrast(level int) error
}

// MaxContrast is the highest contrast level accepted by Contrast.
const MaxContrast = 63

// Backlight is implemented by displays (or boards) with a switchable
// backlight.
type Backlight interface {
	// SetBacklight sets the backlight level in percent; 0 is off.
	SetBacklight(percent int) error
}
