package font

import (
	"image"
	"testing"

	"ccphone/hal"
)

// FuzzDraw draws arbitrary strings at arbitrary positions with an arbitrary
// clip rectangle and checks the clipping property: no pixel outside the
// clip is set, and inside it the drawing equals the unclipped one.
func FuzzDraw(f *testing.F) {
	f.Add("Привет", 0, 0, 0, 0, 128, 64, false)
	f.Add("Hello, world", -7, 60, 10, 10, 50, 62, true)
	f.Add("\xff\xfe中😀…", 125, -5, -10, -10, 300, 3, false)
	f.Add("WWWWWWWWWWWWWWWWWWWWWW", -1<<30, 1<<30, 64, 32, 0, 0, true)
	f.Fuzz(func(t *testing.T, s string, x, y, x0, y0, x1, y1 int, small bool) {
		face := Regular
		if small {
			face = Small
		}
		clip := image.Rect(x0, y0, x1, y1)
		var full, clipped hal.Frame
		got := face.DrawClipped(&clipped, clip, x, y, s)
		face.Draw(&full, x, y, s)
		if want := x + face.Width(s); got != want {
			t.Errorf("DrawClipped returned %d, want x+Width = %d", got, want)
		}
		for py := range hal.LCDHeight {
			for px := range hal.LCDWidth {
				in := image.Pt(px, py).In(clip)
				if clipped.Bit(px, py) && !in {
					t.Fatalf("pixel (%d,%d) set outside clip %v", px, py, clip)
				}
				if in && clipped.Bit(px, py) != full.Bit(px, py) {
					t.Fatalf("pixel (%d,%d) inside clip %v differs from the unclipped drawing", px, py, clip)
				}
			}
		}
	})
}
