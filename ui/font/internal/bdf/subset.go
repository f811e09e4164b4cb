package bdf

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Subset returns src with only the glyphs whose encoding keep accepts, and
// the CHARS count rewritten to match; comment lines are inserted after
// STARTFONT. keep also learns whether the glyph's bitmap is blank, since
// some fonts hold empty placeholders for letters they do not draw. Every other line is copied unchanged, so the result is still
// the original font, only smaller. It also returns how many glyphs it kept.
func Subset(src []byte, keep func(r rune, blank bool) bool, comments ...string) ([]byte, int, error) {
	type block struct {
		lines    []string
		encoding int
		inBitmap bool
		blank    bool
	}
	var (
		header []string
		glyphs []block
		footer []string
		cur    *block
	)
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		kw := ""
		if len(fields) > 0 {
			kw = fields[0]
		}
		switch {
		case kw == "STARTCHAR":
			glyphs = append(glyphs, block{encoding: -1, blank: true})
			cur = &glyphs[len(glyphs)-1]
			cur.lines = append(cur.lines, line)
		case cur != nil:
			cur.lines = append(cur.lines, line)
			if kw == "ENCODING" {
				enc := -1
				var err error
				if len(fields) > 1 {
					enc, err = strconv.Atoi(fields[1])
				}
				if err != nil {
					return nil, 0, fmt.Errorf("%w: bad ENCODING %q", ErrSyntax, line)
				}
				cur.encoding = enc
			}
			switch {
			case kw == "BITMAP":
				cur.inBitmap = true
			case kw == "ENDCHAR":
				cur = nil
			case cur.inBitmap && strings.Trim(kw, "0") != "":
				cur.blank = false
			}
		case len(glyphs) == 0:
			header = append(header, line)
		default:
			footer = append(footer, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, err
	}
	kept := 0
	keepGlyph := make([]bool, len(glyphs))
	for i, g := range glyphs {
		keepGlyph[i] = g.encoding >= 0 && keep(rune(g.encoding), g.blank)
		if keepGlyph[i] {
			kept++
		}
	}
	var out bytes.Buffer
	for _, line := range header {
		switch kw, _, _ := strings.Cut(strings.TrimSpace(line), " "); kw {
		case "CHARS":
			fmt.Fprintf(&out, "CHARS %d\n", kept)
			continue
		case "STARTFONT":
			out.WriteString(line + "\n")
			for _, c := range comments {
				out.WriteString("COMMENT " + c + "\n")
			}
			continue
		}
		out.WriteString(line + "\n")
	}
	for i, g := range glyphs {
		if keepGlyph[i] {
			for _, line := range g.lines {
				out.WriteString(line + "\n")
			}
		}
	}
	for _, line := range footer {
		out.WriteString(line + "\n")
	}
	return out.Bytes(), kept, nil
}
