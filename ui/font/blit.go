package font

import (
	"image"

	"ccphone/hal"
)

// lineRows says where a line of glyph columns lands in the frame's pages.
// A column is a bit mask, bit r for row r from the top of the line; the
// frame stores 8 rows per byte, bit b of page p for row p*8+b, so a column
// lands in at most three page bytes after one shift.
type lineRows struct {
	mask  uint32 // rows of the line inside the clip rectangle
	skip  uint   // rows above the frame's top edge, shifted out first
	shift uint   // then the row of the line's top within its page
	page  int    // the page holding the line's first visible row
}

// rowsOf computes lineRows for a line height rows high whose top is at y,
// clipped to clip (already inside the frame). It reports false when no row
// is visible. It never overflows, whatever y is.
func rowsOf(clip image.Rectangle, y, height int) (lineRows, bool) {
	if y >= clip.Max.Y || y <= clip.Min.Y-height {
		return lineRows{}, false
	}
	// Here clip.Min.Y-height < y < clip.Max.Y: y is small.
	lo := max(clip.Min.Y-y, 0)
	hi := min(clip.Max.Y-y, height)
	lr := lineRows{mask: (1<<hi - 1) &^ (1<<lo - 1)}
	if y < 0 {
		lr.skip, y = uint(-y), 0
	}
	lr.page, lr.shift = y>>3, uint(y&7)
	return lr, true
}

// drawColumns ORs the glyph columns in bits (columnBytes bytes each) into
// dst with the first column at x, leaving columns outside clip alone.
func drawColumns(dst *hal.Frame, clip image.Rectangle, rows lineRows, x int, bits string, columnBytes int) {
	for c := 0; c*columnBytes < len(bits); c++ {
		px := x + c
		if px < clip.Min.X {
			continue
		}
		if px >= clip.Max.X {
			return
		}
		col := uint32(bits[c*columnBytes])
		if columnBytes == 2 {
			col |= uint32(bits[c*columnBytes+1]) << 8
		}
		v := (col & rows.mask) >> rows.skip << rows.shift
		for i := rows.page*hal.LCDWidth + px; v != 0 && i < len(dst.Pix); i += hal.LCDWidth {
			dst.Pix[i] |= byte(v)
			v >>= 8
		}
	}
}
