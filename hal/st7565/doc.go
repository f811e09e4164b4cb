// Package st7565 drives ST7565-family 128×64 one-bit LCD controllers
// (ST7565R, ST7565P, NT7534 and their clones) over SPI, with a
// data/command GPIO and an optional reset GPIO.
//
// The common path:
//
//	dev, err := st7565.New(port, dcPin, resetPin, &st7565.DefaultOpts)
//	...
//	var f hal.Frame
//	f.Fill(image.Rect(0, 0, 10, 10), true)
//	err = dev.Show(&f)
//
// New pulses reset and runs the datasheet's initialisation sequence (bias,
// segment and common directions, regulator ratio, electronic volume,
// power control, start line, display on). Show keeps a copy of what the
// glass shows and sends only the pages that changed, and within a page only
// the span of columns that changed; it allocates nothing. Dev implements
// hal.Display and hal.Contrast; Halt turns the glass off and Close does the
// same and refuses further use.
//
// How the glass is mounted is a matter of Opts: FlipX and FlipY reverse
// the segment (ADC) and common scan directions, and ColumnOffset skips the
// first display-RAM columns on glasses that start at column 4 (common when
// FlipX is set, because the controller has 132 columns).
//
// Package st7565test holds a model of the controller that decodes the SPI
// stream back into pixels, for tests here and in packages that draw.
package st7565
