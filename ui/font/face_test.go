package font

import (
	"image"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"ccphone/hal"
)

// requiredRanges are the code points every face must draw with a glyph of
// its own: what English, Russian and the next catalog languages need.
var requiredRanges = []struct {
	name   string
	lo, hi rune
}{
	{"Basic Latin", 0x0020, 0x007E},
	{"Latin-1 Supplement", 0x00A0, 0x00FF},
	{"Latin Extended-A", 0x0100, 0x017F},
	{"Cyrillic", 0x0400, 0x045F},
	{"UI symbols", '→', '→'},
	{"UI symbols", '←', '←'},
	{"UI symbols", '↑', '↑'},
	{"UI symbols", '↓', '↓'},
	{"UI symbols", '•', '•'},
	{"UI symbols", '…', '…'},
	{"UI symbols", '«', '«'},
	{"UI symbols", '»', '»'},
	{"UI symbols", '—', '—'},
	{"UI symbols", '°', '°'},
	{"UI symbols", '✓', '✓'},
	{"UI symbols", '№', '№'},
	{"UI symbols", '€', '€'},
}

var faces = []*Face{Regular, Small}

func TestFacesCoverRequiredRanges(t *testing.T) {
	for _, f := range faces {
		for _, rr := range requiredRanges {
			t.Run(f.String()+"/"+rr.name, func(t *testing.T) {
				for r := rr.lo; r <= rr.hi; r++ {
					if !f.Has(r) {
						t.Errorf("%s lacks U+%04X %q", f, r, r)
					}
				}
			})
		}
	}
}

// TestRequiredGlyphsHaveInk catches placeholder glyphs: some misc-fixed
// sizes hold blank cells for letters they never drew.
func TestRequiredGlyphsHaveInk(t *testing.T) {
	for _, f := range faces {
		for _, rr := range requiredRanges {
			for r := rr.lo; r <= rr.hi; r++ {
				var fr hal.Frame
				f.Draw(&fr, 0, 0, string(r))
				if blank := fr == (hal.Frame{}); blank != unicode.IsSpace(r) {
					t.Errorf("%s: U+%04X %q blank = %v", f, r, r, blank)
				}
			}
		}
	}
}

func TestFaceMetrics(t *testing.T) {
	tests := []struct {
		face                 *Face
		height, ascent, cell int
	}{
		{Regular, 10, 8, 6},
		{Small, 8, 7, 5},
	}
	for _, tt := range tests {
		t.Run(tt.face.String(), func(t *testing.T) {
			if got := tt.face.Height(); got != tt.height {
				t.Errorf("Height() = %d, want %d", got, tt.height)
			}
			if got := tt.face.Ascent(); got != tt.ascent {
				t.Errorf("Ascent() = %d, want %d", got, tt.ascent)
			}
			for _, s := range []string{"Hello", "Привет", "Ёлка №5", "\u00a0", "", "\uFFFD\U0001F600"} {
				want := tt.cell * utf8.RuneCountInString(s)
				if got := tt.face.Width(s); got != want {
					t.Errorf("Width(%q) = %d, want %d", s, got, want)
				}
			}
		})
	}
}

func TestWidthOfGreetings(t *testing.T) {
	tests := []struct {
		face *Face
		s    string
		want int
	}{
		{Regular, "Hello", 30},
		{Regular, "Привет", 36},
		{Small, "Hello", 25},
		{Small, "Привет", 30},
		{Regular, strings.Repeat("W", 21), hal.LCDWidth - 2},
		{Small, strings.Repeat("Ж", 25), hal.LCDWidth - 3},
	}
	for _, tt := range tests {
		if got := tt.face.Width(tt.s); got != tt.want {
			t.Errorf("%s.Width(%q) = %d, want %d", tt.face, tt.s, got, tt.want)
		}
	}
}

func TestHasReportsMissingRunes(t *testing.T) {
	for _, f := range faces {
		for _, r := range []rune{0x1F600, 0x4E2D, -1, utf8.MaxRune + 1, 0x0000, 0x0085, 0xFFFD} {
			if f.Has(r) {
				t.Errorf("%s.Has(%U) = true, want false", f, r)
			}
		}
	}
}

func TestMissingRuneDrawsReplacementBox(t *testing.T) {
	for _, f := range faces {
		var box, bad, invalid hal.Frame
		f.Draw(&box, 0, 0, "中")
		f.Draw(&bad, 0, 0, "😀")
		f.Draw(&invalid, 0, 0, "\xff")
		if box == (hal.Frame{}) {
			t.Errorf("%s: a missing rune drew nothing", f)
		}
		if bad != box || invalid != box {
			t.Errorf("%s: missing runes and invalid UTF-8 draw different boxes", f)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name     string
		face     *Face
		s        string
		maxWidth int
		want     string
	}{
		{"fits", Regular, "Hello", 30, "Hello"},
		{"fits exactly", Regular, "Привет", 36, "Привет"},
		{"one too wide", Regular, "Привет", 35, "Прив…"},
		{"cyrillic", Small, "Входящий вызов", 50, "Входящий…"},
		{"trailing space dropped", Regular, "Sales 10 line", 42, "Sales…"},
		{"only ellipsis", Regular, "Hello", 6, "…"},
		{"nothing fits", Regular, "Hello", 5, ""},
		{"negative width", Regular, "Hello", -1, ""},
		{"empty", Regular, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.face.Truncate(tt.s, tt.maxWidth)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.maxWidth, got, tt.want)
			}
			if w := tt.face.Width(got); w > max(tt.maxWidth, 0) {
				t.Errorf("Truncate(%q, %d) is %d wide", tt.s, tt.maxWidth, w)
			}
		})
	}
}

func TestTruncateReturnsSameStringWhenItFits(t *testing.T) {
	s := strings.Repeat("x", 10)
	allocs := testing.AllocsPerRun(100, func() {
		if got := Regular.Truncate(s, hal.LCDWidth); got != s {
			t.Fatalf("Truncate changed %q to %q", s, got)
		}
	})
	if allocs != 0 {
		t.Errorf("Truncate of fitting text allocates %v times, want 0", allocs)
	}
}

func TestDrawReturnsAdvance(t *testing.T) {
	for _, f := range faces {
		for _, x := range []int{-500, -3, 0, 40, 127, 128, 1000} {
			var fr hal.Frame
			s := "Привет, world"
			if got, want := f.Draw(&fr, x, 5, s), x+f.Width(s); got != want {
				t.Errorf("%s.Draw at x=%d returned %d, want %d", f, x, got, want)
			}
		}
	}
}

// TestDrawPixels checks a glyph lands where the page layout says: the
// misc-fixed '|' of Regular is a stroke in column 2, rows 1..7 of the
// line, and drawn at y = 3 it must cross a page boundary intact.
func TestDrawPixels(t *testing.T) {
	var f hal.Frame
	Regular.Draw(&f, 10, 3, "|")
	for y := range hal.LCDHeight {
		for x := range hal.LCDWidth {
			want := x == 12 && y >= 3+1 && y <= 3+7
			if f.Bit(x, y) != want {
				t.Errorf("pixel (%d,%d) = %v, want %v", x, y, f.Bit(x, y), want)
			}
		}
	}
}

func TestDrawOnlySetsPixels(t *testing.T) {
	var f hal.Frame
	f.Fill(f.Bounds(), true)
	full := f
	Regular.Draw(&f, 3, 3, "Привет")
	IconDND.Draw(&f, 50, 20)
	if f != full {
		t.Error("drawing on a full frame cleared pixels")
	}
}

// TestDrawClipsToRectangle draws at many positions around the edges of
// the frame and of a clip rectangle, and checks the result equals the
// unclipped drawing masked by the rectangle.
func TestDrawClipsToRectangle(t *testing.T) {
	clips := []image.Rectangle{
		image.Rect(0, 0, hal.LCDWidth, hal.LCDHeight),
		image.Rect(10, 5, 70, 30),
		image.Rect(-20, -20, 40, 9),
		image.Rect(100, 50, 300, 300),
		image.Rect(5, 5, 5, 20), // empty
		image.Rect(60, 40, 20, 10),
	}
	s := "Жёлтый W ✓ 中"
	for _, f := range faces {
		for _, clip := range clips {
			for y := -12; y <= hal.LCDHeight+2; y += 3 {
				for x := -70; x <= hal.LCDWidth+2; x += 13 {
					var full, clipped hal.Frame
					f.Draw(&full, x, y, s)
					f.DrawClipped(&clipped, clip, x, y, s)
					if want := masked(&full, clip); clipped != want {
						t.Fatalf("%s at (%d,%d) clipped to %v differs from the masked drawing", f, x, y, clip)
					}
				}
			}
		}
	}
}

func TestIconDrawClipsToRectangle(t *testing.T) {
	clip := image.Rect(3, 2, 9, 6)
	for _, ic := range Icons() {
		for y := -8; y <= 9; y++ {
			for x := -8; x <= 11; x++ {
				var full, clipped hal.Frame
				ic.Draw(&full, x, y)
				ic.DrawClipped(&clipped, clip, x, y)
				if want := masked(&full, clip); clipped != want {
					t.Fatalf("Icon%s at (%d,%d) clipped to %v differs from the masked drawing", ic.Name(), x, y, clip)
				}
			}
		}
	}
}

func TestExtremeCoordinatesDoNotPanic(t *testing.T) {
	const maxInt, minInt = int(^uint(0) >> 1), -int(^uint(0)>>1) - 1
	coords := []int{minInt, minInt + 1, -1 << 20, -17, -1, 0, 63, 64, 127, 128, 1 << 20, maxInt - 1, maxInt}
	for _, f := range faces {
		for _, x := range coords {
			for _, y := range coords {
				var fr hal.Frame
				f.Draw(&fr, x, y, "Щит W")
				IconLock.Draw(&fr, x, y)
				f.DrawClipped(&fr, image.Rect(minInt, minInt, maxInt, maxInt), x, y, "Щит")
			}
		}
	}
}

func TestDrawAndWidthDoNotAllocate(t *testing.T) {
	var fr hal.Frame
	line := "Линия 1: Sales 10 ✓ «"
	clip := image.Rect(5, 5, 100, 40)
	checks := map[string]func(){
		"Draw":        func() { Regular.Draw(&fr, 0, 0, line) },
		"DrawClipped": func() { Small.DrawClipped(&fr, clip, -3, 4, line) },
		"Width":       func() { _ = Regular.Width(line) },
		"Icon.Draw":   func() { IconHeadset.Draw(&fr, 120, 60) },
	}
	for name, fn := range checks {
		if allocs := testing.AllocsPerRun(100, fn); allocs != 0 {
			t.Errorf("%s allocates %v times per run, want 0", name, allocs)
		}
	}
}

func TestIconsAreSmallAndNamed(t *testing.T) {
	icons := Icons()
	if len(icons) < 19 {
		t.Errorf("Icons() has %d icons, want at least 19", len(icons))
	}
	seen := map[string]bool{}
	for _, ic := range icons {
		if ic.Name() == "" || seen[ic.Name()] {
			t.Errorf("icon name %q empty or repeated", ic.Name())
		}
		seen[ic.Name()] = true
		if ic.Width() < 1 || ic.Width() > 8 || ic.Height() != 7 {
			t.Errorf("Icon%s is %d×%d, want up to 8 wide and 7 high", ic.Name(), ic.Width(), ic.Height())
		}
		var fr hal.Frame
		ic.Draw(&fr, 0, 0)
		if fr == (hal.Frame{}) {
			t.Errorf("Icon%s draws nothing", ic.Name())
		}
	}
	var zero Icon
	var fr hal.Frame
	zero.Draw(&fr, 0, 0)
	if fr != (hal.Frame{}) {
		t.Error("the zero Icon drew pixels")
	}
}

// masked returns f with every pixel outside r cleared.
func masked(f *hal.Frame, r image.Rectangle) hal.Frame {
	var out hal.Frame
	for y := range hal.LCDHeight {
		for x := range hal.LCDWidth {
			if image.Pt(x, y).In(r) && f.Bit(x, y) {
				out.SetBit(x, y, true)
			}
		}
	}
	return out
}

func BenchmarkDrawLine(b *testing.B) {
	tests := []struct {
		name string
		face *Face
		line string
	}{
		{"Regular/ASCII", Regular, "Incoming call: 2001 >"},
		{"Regular/Cyrillic", Regular, "Входящий вызов 2001 →"},
		{"Small/ASCII", Small, "Incoming call: 2001 >"},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			var fr hal.Frame
			b.ReportAllocs()
			for b.Loop() {
				tt.face.Draw(&fr, 0, 13, tt.line)
			}
		})
	}
}

func BenchmarkWidth(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Regular.Width("Входящий вызов 2001 →")
	}
}
