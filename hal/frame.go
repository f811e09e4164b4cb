package hal

import (
	"image"
	"image/color"
)

// LCD geometry of the CC800 class display.
const (
	LCDWidth  = 128 // pixels
	LCDHeight = 64  // pixels
	LCDPages  = LCDHeight / 8
)

// Frame is one 128×64 one-bit picture, stored as the display controller
// stores it: LCDPages pages of LCDWidth bytes; bit b of byte x in page p is
// the pixel at (x, p*8+b). A set bit is a dark (lit) pixel.
//
// Frame implements draw.Image with color.Gray: pixels darker than mid-grey
// are set. Frame is a plain value: copying and comparing with == is cheap
// and allocates nothing. It is not safe for concurrent use.
type Frame struct {
	Pix [LCDPages * LCDWidth]byte
}

var (
	frameBounds = image.Rect(0, 0, LCDWidth, LCDHeight)

	// On is the colour of a set (dark) pixel; Off of a clear one.
	On  = color.Gray{Y: 0}
	Off = color.Gray{Y: 0xff}
)

// ColorModel implements image.Image.
func (f *Frame) ColorModel() color.Model { return color.GrayModel }

// Bounds implements image.Image. It is always (0,0)-(128,64).
func (f *Frame) Bounds() image.Rectangle { return frameBounds }

// At implements image.Image.
func (f *Frame) At(x, y int) color.Color {
	if f.Bit(x, y) {
		return On
	}
	return Off
}

// Set implements draw.Image: a colour darker than mid-grey sets the pixel.
func (f *Frame) Set(x, y int, c color.Color) {
	g := color.GrayModel.Convert(c).(color.Gray)
	f.SetBit(x, y, g.Y < 0x80)
}

// Bit reports whether the pixel at (x, y) is set; outside the frame it is
// clear.
func (f *Frame) Bit(x, y int) bool {
	if uint(x) >= LCDWidth || uint(y) >= LCDHeight {
		return false
	}
	return f.Pix[(y>>3)*LCDWidth+x]&(1<<(y&7)) != 0
}

// SetBit sets or clears the pixel at (x, y); outside the frame it does
// nothing.
func (f *Frame) SetBit(x, y int, on bool) {
	if uint(x) >= LCDWidth || uint(y) >= LCDHeight {
		return
	}
	i := (y>>3)*LCDWidth + x
	m := byte(1) << (y & 7)
	if on {
		f.Pix[i] |= m
	} else {
		f.Pix[i] &^= m
	}
}

// Page returns the LCDWidth bytes of page p (rows p*8 to p*8+7), sharing
// the frame's storage.
func (f *Frame) Page(p int) []byte {
	return f.Pix[p*LCDWidth : (p+1)*LCDWidth]
}

// Clear clears every pixel.
func (f *Frame) Clear() { f.Pix = [LCDPages * LCDWidth]byte{} }

// Invert flips every pixel inside r (clipped to the frame). Menus use it
// for the highlighted row.
func (f *Frame) Invert(r image.Rectangle) {
	r = r.Intersect(frameBounds)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			f.Pix[(y>>3)*LCDWidth+x] ^= 1 << (y & 7)
		}
	}
}

// Fill sets (on) or clears every pixel inside r (clipped to the frame).
func (f *Frame) Fill(r image.Rectangle, on bool) {
	r = r.Intersect(frameBounds)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			f.SetBit(x, y, on)
		}
	}
}

// Gray returns the frame as a new greyscale image, dark pixels black.
// Tests and the sim panel use it to write PNGs.
func (f *Frame) Gray() *image.Gray {
	img := image.NewGray(frameBounds)
	for y := 0; y < LCDHeight; y++ {
		for x := 0; x < LCDWidth; x++ {
			if f.Bit(x, y) {
				img.Pix[y*img.Stride+x] = 0
			} else {
				img.Pix[y*img.Stride+x] = 0xff
			}
		}
	}
	return img
}
