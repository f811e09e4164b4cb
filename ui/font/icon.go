package font

import (
	"image"

	"ccphone/hal"
)

// Icon is a small one-bit picture for the LCD, such as IconDND. Icons are
// created only by the generated table (zicons.go); an Icon is an immutable
// value, safe to copy and for concurrent use. The zero Icon draws nothing.
type Icon struct {
	name          string
	width, height int
	bits          string // columns, (height+7)/8 bytes each; bit r is row r
}

// Name returns the icon's name without the Icon prefix, such as "DND". It
// is safe for concurrent use.
func (i Icon) Name() string { return i.name }

// Width returns the icon's width in pixels. It is safe for concurrent use.
func (i Icon) Width() int { return i.width }

// Height returns the icon's height in pixels. It is safe for concurrent
// use.
func (i Icon) Height() int { return i.height }

// Draw draws the icon with its top-left corner at (x, y). Like Face.Draw it
// only sets pixels, clips at the frame's edges and allocates nothing. It is
// safe for concurrent use on different frames.
func (i Icon) Draw(dst *hal.Frame, x, y int) {
	i.DrawClipped(dst, dst.Bounds(), x, y)
}

// DrawClipped is Draw that also leaves every pixel outside clip untouched.
// It is safe for concurrent use on different frames.
func (i Icon) DrawClipped(dst *hal.Frame, clip image.Rectangle, x, y int) {
	clip = clip.Intersect(dst.Bounds())
	rows, visible := rowsOf(clip, y, i.height)
	if !visible || x >= clip.Max.X || x+i.width <= clip.Min.X {
		return
	}
	drawColumns(dst, clip, rows, x, i.bits, (i.height+7)/8)
}
