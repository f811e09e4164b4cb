// Package bdf reads X11 Glyph Bitmap Distribution Format (BDF 2.1) fonts,
// the text form of the misc-fixed fonts the phone's LCD faces come from,
// and subsets them to a chosen set of code points.
//
// Parse understands the keywords a bitmap face needs: STARTFONT, FONT,
// FONTBOUNDINGBOX, the FONT_ASCENT and FONT_DESCENT properties, and per
// glyph STARTCHAR, ENCODING, DWIDTH, BBX, BITMAP and ENDCHAR. Everything
// else (SWIDTH, other properties, comments) is skipped. Subset filters the
// text of a font line by line, so what it keeps is byte-for-byte the
// original.
//
// The package is used only by the font generator; it is not safe to share
// a Font between goroutines that modify it.
package bdf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by every error Parse reports about malformed input.
var ErrSyntax = errors.New("bdf: syntax error")

// Box is a bounding box in BDF terms: W×H pixels whose lower-left corner
// is XOff, YOff from the glyph origin (Y grows upwards, baseline at 0).
type Box struct {
	W, H, XOff, YOff int
}

// Glyph is one character of a font. Rows holds H rows of the bounding box,
// top row first; each row is ceil(W/8) bytes, most significant bit
// leftmost, as BDF writes them.
type Glyph struct {
	Name     string // STARTCHAR name
	Encoding int    // code point; -1 for an unencoded glyph
	DWidth   int    // advance in pixels
	BBX      Box
	Rows     [][]byte
}

// Pixel reports whether the pixel at column x, row y of the glyph's
// bounding box (row 0 at the top) is set. Outside the box it is clear.
func (g *Glyph) Pixel(x, y int) bool {
	if x < 0 || y < 0 || x >= g.BBX.W || y >= len(g.Rows) {
		return false
	}
	row := g.Rows[y]
	if x/8 >= len(row) {
		return false
	}
	return row[x/8]&(0x80>>(x%8)) != 0
}

// Font is a parsed BDF font.
type Font struct {
	Name        string // FONT
	BoundingBox Box    // FONTBOUNDINGBOX
	Ascent      int    // FONT_ASCENT: pixels above the baseline
	Descent     int    // FONT_DESCENT: pixels below the baseline
	Copyright   string // COPYRIGHT property, if any
	Glyphs      []Glyph
}

// Parse reads a BDF font. name is used in error messages only.
func Parse(name string, src []byte) (*Font, error) {
	p := parser{name: name, sc: bufio.NewScanner(bytes.NewReader(src))}
	return p.font()
}

type parser struct {
	name string
	sc   *bufio.Scanner
	line int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %w: %s", p.name, p.line, ErrSyntax, fmt.Sprintf(format, args...))
}

// next returns the next non-empty line split into keyword and fields.
func (p *parser) next() (string, []string, bool) {
	for p.sc.Scan() {
		p.line++
		f := strings.Fields(p.sc.Text())
		if len(f) == 0 {
			continue
		}
		return f[0], f[1:], true
	}
	return "", nil, false
}

func (p *parser) ints(fields []string, n int) ([]int, error) {
	if len(fields) < n {
		return nil, p.errorf("want %d numbers, have %d", n, len(fields))
	}
	out := make([]int, n)
	for i := range out {
		v, err := strconv.Atoi(fields[i])
		if err != nil {
			return nil, p.errorf("bad number %q", fields[i])
		}
		out[i] = v
	}
	return out, nil
}

func (p *parser) font() (*Font, error) {
	kw, _, ok := p.next()
	if !ok || kw != "STARTFONT" {
		return nil, p.errorf("missing STARTFONT")
	}
	f := &Font{}
	haveAscent, haveDescent, haveBox := false, false, false
	for {
		kw, fields, ok := p.next()
		if !ok {
			return nil, p.errorf("missing ENDFONT")
		}
		switch kw {
		case "FONT":
			f.Name = strings.Join(fields, " ")
		case "FONTBOUNDINGBOX":
			v, err := p.ints(fields, 4)
			if err != nil {
				return nil, err
			}
			f.BoundingBox = Box{v[0], v[1], v[2], v[3]}
			haveBox = true
		case "FONT_ASCENT", "FONT_DESCENT":
			v, err := p.ints(fields, 1)
			if err != nil {
				return nil, err
			}
			if kw == "FONT_ASCENT" {
				f.Ascent, haveAscent = v[0], true
			} else {
				f.Descent, haveDescent = v[0], true
			}
		case "COPYRIGHT":
			s := strings.TrimSpace(strings.TrimPrefix(p.sc.Text(), "COPYRIGHT"))
			if u, err := strconv.Unquote(s); err == nil {
				s = u
			}
			f.Copyright = s
		case "STARTCHAR":
			g, err := p.glyph(strings.Join(fields, " "), f.BoundingBox)
			if err != nil {
				return nil, err
			}
			f.Glyphs = append(f.Glyphs, g)
		case "ENDFONT":
			if !haveBox {
				return nil, p.errorf("missing FONTBOUNDINGBOX")
			}
			if !haveAscent || !haveDescent {
				return nil, p.errorf("missing FONT_ASCENT or FONT_DESCENT")
			}
			return f, nil
		}
	}
}

func (p *parser) glyph(name string, fontBox Box) (Glyph, error) {
	g := Glyph{Name: name, Encoding: -1, DWidth: fontBox.W, BBX: fontBox}
	haveEncoding := false
	for {
		kw, fields, ok := p.next()
		if !ok {
			return g, p.errorf("glyph %q: missing ENDCHAR", name)
		}
		switch kw {
		case "ENCODING":
			v, err := p.ints(fields, 1)
			if err != nil {
				return g, err
			}
			g.Encoding, haveEncoding = v[0], true
		case "DWIDTH":
			v, err := p.ints(fields, 1)
			if err != nil {
				return g, err
			}
			g.DWidth = v[0]
		case "BBX":
			v, err := p.ints(fields, 4)
			if err != nil {
				return g, err
			}
			if v[0] < 0 || v[1] < 0 {
				return g, p.errorf("glyph %q: negative BBX size", name)
			}
			g.BBX = Box{v[0], v[1], v[2], v[3]}
		case "BITMAP":
			if !haveEncoding {
				return g, p.errorf("glyph %q: BITMAP before ENCODING", name)
			}
			rows, err := p.bitmap(name, g.BBX)
			if err != nil {
				return g, err
			}
			g.Rows = rows
			return g, nil
		case "ENDCHAR":
			return g, p.errorf("glyph %q: ENDCHAR without BITMAP", name)
		case "STARTCHAR", "ENDFONT":
			return g, p.errorf("glyph %q: %s before ENDCHAR", name, kw)
		}
	}
}

// bitmap reads box.H hex rows and the ENDCHAR after them.
func (p *parser) bitmap(name string, box Box) ([][]byte, error) {
	bytesPerRow := (box.W + 7) / 8
	rows := make([][]byte, 0, box.H)
	for {
		kw, _, ok := p.next()
		if !ok {
			return nil, p.errorf("glyph %q: missing ENDCHAR", name)
		}
		if kw == "ENDCHAR" {
			if len(rows) != box.H {
				return nil, p.errorf("glyph %q: %d bitmap rows, BBX says %d", name, len(rows), box.H)
			}
			return rows, nil
		}
		if len(kw) < 2*bytesPerRow || len(kw)%2 != 0 {
			return nil, p.errorf("glyph %q: bitmap row %q too short for width %d", name, kw, box.W)
		}
		row := make([]byte, len(kw)/2)
		for i := range row {
			v, err := strconv.ParseUint(kw[2*i:2*i+2], 16, 8)
			if err != nil {
				return nil, p.errorf("glyph %q: bad bitmap row %q", name, kw)
			}
			row[i] = byte(v)
		}
		rows = append(rows, row[:bytesPerRow])
	}
}
