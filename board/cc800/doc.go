// Package cc800 is the board definition of the Escene CC800-class desk
// phone: which pins, bus and audio devices the LCD, LEDs, keys and jacks
// use, kept as a text file an engineer edits for each board revision.
//
// The common path:
//
//	def, err := cc800.Default()            // or cc800.ParseFile("rev-b.board")
//	if err := def.Validate(); err != nil { // every problem, with file and line
//		...
//	}
//	b, err := cc800.Open(def, nil)         // periph host init, pins, drivers
//	...
//	defer b.Close()
//	go b.Run(ctx, events)                  // keys and switches
//	b.Display().Show(&frame)
//
// The file format is the project's "key = value", "#" for comments; the
// embedded cc800-rev-a.board is the reference and documents every setting.
// Parse keeps every content problem for Validate, which returns them
// joined, each a *Problem naming file, line and setting and wrapping one of
// the Err… values: an unknown setting, a bad value, a missing LCD section
// or audio device, a pin or key used twice, an unknown key name.
//
// Open resolves pins with periph's gpioreg and the LCD's port with spireg,
// after registering periph's Linux GPIO (character device) and spidev
// drivers, and wires hal/st7565, hal/gpioled and hal/gpiokeys. Audio
// opens the definition's devices through hal/portaudio (a cgo build; a
// pure-Go build reports hal.ErrUnsupported).
package cc800
