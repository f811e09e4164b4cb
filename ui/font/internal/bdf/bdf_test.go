package bdf

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const tiny = `STARTFONT 2.1
FONT -test-Tiny-Medium-R-Normal--4-40-75-75-C-30-ISO10646-1
SIZE 4 75 75
FONTBOUNDINGBOX 3 4 0 -1
STARTPROPERTIES 3
FONT_ASCENT 3
FONT_DESCENT 1
COPYRIGHT "Public domain font.  Share and enjoy."
ENDPROPERTIES
CHARS 3
STARTCHAR A
ENCODING 65
SWIDTH 640 0
DWIDTH 3 0
BBX 3 3 0 0
BITMAP
40
E0
A0
ENDCHAR
STARTCHAR uni0416
ENCODING 1046
DWIDTH 3 0
BBX 3 4 0 -1
BITMAP
A0
40
A0
00
ENDCHAR
STARTCHAR box
ENCODING -1
DWIDTH 3 0
BBX 2 2 1 1
BITMAP
C0
C0
ENDCHAR
ENDFONT
`

func TestParse(t *testing.T) {
	f, err := Parse("tiny.bdf", []byte(tiny))
	if err != nil {
		t.Fatal(err)
	}
	want := &Font{
		Name:        "-test-Tiny-Medium-R-Normal--4-40-75-75-C-30-ISO10646-1",
		BoundingBox: Box{3, 4, 0, -1},
		Ascent:      3,
		Descent:     1,
		Copyright:   "Public domain font.  Share and enjoy.",
		Glyphs: []Glyph{
			{Name: "A", Encoding: 65, DWidth: 3, BBX: Box{3, 3, 0, 0}, Rows: [][]byte{{0x40}, {0xE0}, {0xA0}}},
			{Name: "uni0416", Encoding: 1046, DWidth: 3, BBX: Box{3, 4, 0, -1}, Rows: [][]byte{{0xA0}, {0x40}, {0xA0}, {0x00}}},
			{Name: "box", Encoding: -1, DWidth: 3, BBX: Box{2, 2, 1, 1}, Rows: [][]byte{{0xC0}, {0xC0}}},
		},
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", f, want)
	}
	g := f.Glyphs[0]
	pixels := []struct {
		x, y int
		want bool
	}{{1, 0, true}, {0, 0, false}, {0, 1, true}, {2, 2, true}, {1, 2, false}, {-1, 0, false}, {3, 0, false}, {0, 3, false}}
	for _, p := range pixels {
		if got := g.Pixel(p.x, p.y); got != p.want {
			t.Errorf("A.Pixel(%d,%d) = %v, want %v", p.x, p.y, got, p.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, from, to, wantText string
	}{
		{"no STARTFONT", "STARTFONT 2.1", "FONT_X 1", "missing STARTFONT"},
		{"no ENDFONT", "ENDFONT", "", "missing ENDFONT"},
		{"no ascent", "FONT_ASCENT 3", "", "FONT_ASCENT"},
		{"bad bounding box", "FONTBOUNDINGBOX 3 4 0 -1", "FONTBOUNDINGBOX 3 x 0 -1", "bad number"},
		{"short bounding box", "FONTBOUNDINGBOX 3 4 0 -1", "FONTBOUNDINGBOX 3 4", "want 4 numbers"},
		{"bad hex", "E0\nA0\nENDCHAR\nSTARTCHAR uni", "E0\nZ0\nENDCHAR\nSTARTCHAR uni", "bad bitmap row"},
		{"too few rows", "40\nE0\nA0\n", "40\nE0\n", "2 bitmap rows, BBX says 3"},
		{"too many rows", "40\nE0\nA0\n", "40\nE0\nA0\nA0\n", "4 bitmap rows, BBX says 3"},
		{"no bitmap", "BITMAP\n40\nE0\nA0\n", "", "ENDCHAR without BITMAP"},
		{"negative size", "BBX 3 3 0 0", "BBX 3 -3 0 0", "negative BBX size"},
		{"bitmap before encoding", "ENCODING 65\n", "", "BITMAP before ENCODING"},
		{"odd hex", "40\nE0\nA0\n", "4\nE0\nA0\n", "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(tiny, tt.from, tt.to, 1)
			if src == tiny {
				t.Fatalf("test does not change the font: %q not found", tt.from)
			}
			_, err := Parse("tiny.bdf", []byte(src))
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse error = %v, want ErrSyntax", err)
			}
			if !strings.Contains(err.Error(), tt.wantText) || !strings.HasPrefix(err.Error(), "tiny.bdf:") {
				t.Errorf("Parse error = %q, want file:line and %q", err, tt.wantText)
			}
		})
	}
}

func TestSubset(t *testing.T) {
	sub, kept, err := Subset([]byte(tiny), func(r rune, blank bool) bool { return r == 0x416 }, "made by a test")
	if err != nil {
		t.Fatal(err)
	}
	if kept != 1 {
		t.Errorf("kept %d glyphs, want 1", kept)
	}
	for _, want := range []string{"STARTFONT 2.1\nCOMMENT made by a test\n", "\nCHARS 1\n", "STARTCHAR uni0416\n", "\nENDFONT\n"} {
		if !strings.Contains(string(sub), want) {
			t.Errorf("subset lacks %q:\n%s", want, sub)
		}
	}
	f, err := Parse("sub.bdf", sub)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Glyphs) != 1 || f.Glyphs[0].Encoding != 0x416 {
		t.Errorf("subset glyphs = %+v, want only U+0416", f.Glyphs)
	}
}

func TestSubsetSeesBlankGlyphs(t *testing.T) {
	src := strings.Replace(tiny, "A0\n40\nA0\n00\n", "00\n00\n00\n00\n", 1)
	blanks := map[rune]bool{}
	if _, _, err := Subset([]byte(src), func(r rune, blank bool) bool { blanks[r] = blank; return true }); err != nil {
		t.Fatal(err)
	}
	if want := map[rune]bool{'A': false, 0x416: true}; !reflect.DeepEqual(blanks, want) {
		t.Errorf("blank = %v, want %v", blanks, want)
	}
}

// FuzzParse checks the round trip: a font that parses still parses to the
// same font after a Subset that keeps every encoded glyph.
func FuzzParse(f *testing.F) {
	f.Add([]byte(tiny))
	f.Add([]byte(strings.Replace(tiny, "BBX 3 3 0 0", "BBX 12 3 0 0", 1)))
	f.Add([]byte("STARTFONT 2.1\nFONTBOUNDINGBOX 1 1 0 0\nFONT_ASCENT 1\nFONT_DESCENT 0\nENDFONT\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		font, err := Parse("fuzz.bdf", src)
		if err != nil {
			return
		}
		sub, _, err := Subset(src, func(rune, bool) bool { return true })
		if err != nil {
			t.Fatalf("Subset of a parsed font: %v", err)
		}
		again, err := Parse("sub.bdf", sub)
		if err != nil {
			t.Fatalf("subset does not parse: %v\n%s", err, sub)
		}
		var encoded []Glyph
		for _, g := range font.Glyphs {
			if g.Encoding >= 0 {
				encoded = append(encoded, g)
			}
		}
		if len(again.Glyphs) != len(encoded) {
			t.Fatalf("subset has %d glyphs, want %d", len(again.Glyphs), len(encoded))
		}
		for i := range encoded {
			if !reflect.DeepEqual(again.Glyphs[i], encoded[i]) {
				t.Fatalf("glyph %d changed: %+v, was %+v", i, again.Glyphs[i], encoded[i])
			}
		}
	})
}
