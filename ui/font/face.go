package font

import (
	"image"
	"slices"
	"strings"

	"ccphone/hal"
)

// ellipsis is what Truncate puts where it cut text short.
const ellipsis = "…"

// Face is a bitmap font for the LCD: fixed line height, per-glyph advance.
// Faces are created only by the generated tables (Regular, Small); a Face
// is immutable and safe for concurrent use.
type Face struct {
	name        string
	height      int // line height in pixels; at most 16
	ascent      int // pixels from the top of the line to the baseline
	columnBytes int // bytes per glyph column in bits: 1 up to 8 rows, else 2

	// direct counts how many code points from runes[0] on are consecutive,
	// so that ASCII finds its glyph by subtraction, not by search.
	direct int
	// runes holds the code points in ascending order; glyph i draws
	// runes[i], and glyph len(runes) is the box drawn for missing runes.
	runes []uint16
	// offsets[i] is the first column of glyph i in bits; the glyph's
	// advance is offsets[i+1]-offsets[i].
	offsets []uint16
	// bits holds every glyph's columns, left to right, columnBytes each,
	// little-endian; bit r is row r counted from the top of the line. A
	// column maps straight onto the frame's vertical page bytes.
	bits string
}

// String returns the face's name, such as "Regular". It is safe for
// concurrent use.
func (f *Face) String() string { return f.name }

// Height returns the line height in pixels: the distance between the tops
// of two lines set one under the other. It is safe for concurrent use.
func (f *Face) Height() int { return f.height }

// Ascent returns how many pixels of a line lie above its baseline. It is
// safe for concurrent use.
func (f *Face) Ascent() int { return f.ascent }

// Has reports whether the face has a glyph of its own for r; runes it lacks
// draw as a box. It is safe for concurrent use.
func (f *Face) Has(r rune) bool { return f.glyph(r) != len(f.runes) }

// Width returns the advance of s in pixels: how far Draw moves x. It
// allocates nothing and is safe for concurrent use.
func (f *Face) Width(s string) int {
	w := 0
	for _, r := range s {
		w += f.advance(f.glyph(r))
	}
	return w
}

// Truncate returns s if it fits in maxWidth pixels, without copying it.
// Otherwise it returns the longest prefix of s (less trailing spaces)
// followed by "…" that fits, or "" if not even "…" fits. It is safe for
// concurrent use.
func (f *Face) Truncate(s string, maxWidth int) string {
	if f.Width(s) <= maxWidth {
		return s
	}
	budget := maxWidth - f.Width(ellipsis)
	if budget < 0 {
		return ""
	}
	w := 0
	for i, r := range s {
		w += f.advance(f.glyph(r))
		if w > budget {
			return strings.TrimRight(s[:i], " ") + ellipsis
		}
	}
	return s // not reached: s is wider than maxWidth
}

// Draw draws s with the top of the line at y, starting at x, and returns
// the x after the text (x + Width(s), whether or not the text was clipped).
// It only sets pixels, clips at the frame's edges, accepts any x and y, and
// allocates nothing. It is safe for concurrent use on different frames.
func (f *Face) Draw(dst *hal.Frame, x, y int, s string) int {
	return f.DrawClipped(dst, dst.Bounds(), x, y, s)
}

// DrawClipped is Draw that also leaves every pixel outside clip untouched.
// It is safe for concurrent use on different frames.
func (f *Face) DrawClipped(dst *hal.Frame, clip image.Rectangle, x, y int, s string) int {
	clip = clip.Intersect(dst.Bounds())
	rows, visible := rowsOf(clip, y, f.height)
	for _, r := range s {
		g := f.glyph(r)
		first, end := int(f.offsets[g]), int(f.offsets[g+1])
		if visible && x < clip.Max.X && x+(end-first) > clip.Min.X {
			drawColumns(dst, clip, rows, x, f.bits[first*f.columnBytes:end*f.columnBytes], f.columnBytes)
		}
		x += end - first
	}
	return x
}

// glyph returns the index of r's glyph, or len(f.runes) (the box) if the
// face lacks r.
func (f *Face) glyph(r rune) int {
	if d := uint32(r) - uint32(f.runes[0]); d < uint32(f.direct) {
		return int(d)
	}
	if uint32(r) > 0xFFFF {
		return len(f.runes)
	}
	if i, ok := slices.BinarySearch(f.runes, uint16(r)); ok {
		return i
	}
	return len(f.runes)
}

func (f *Face) advance(g int) int { return int(f.offsets[g+1] - f.offsets[g]) }
