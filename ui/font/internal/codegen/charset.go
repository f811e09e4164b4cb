package codegen

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"ccphone/ui/font/internal/bdf"
)

// charset is a set of code points read from a charset file: one range
// (U+0020..U+007E) or single code point (U+2026) per line, the rest of the
// line and lines starting with # being comments.
type charset []runeRange

type runeRange struct{ lo, hi rune }

func (cs charset) contains(r rune) bool {
	for _, rr := range cs {
		if rr.lo <= r && r <= rr.hi {
			return true
		}
	}
	return false
}

func readCharset(path string) (charset, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("charset: %w", err)
	}
	var cs charset
	for n, line := range strings.Split(string(src), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		loText, hiText, isRange := strings.Cut(f[0], "..")
		lo, err := parseCodePoint(loText)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		hi := lo
		if isRange {
			if hi, err = parseCodePoint(hiText); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
			}
		}
		if hi < lo {
			return nil, fmt.Errorf("%s:%d: %w: range %s is backwards", path, n+1, ErrUsage, f[0])
		}
		cs = append(cs, runeRange{lo, hi})
	}
	return cs, nil
}

func parseCodePoint(s string) (rune, error) {
	hex, ok := strings.CutPrefix(s, "U+")
	if !ok {
		return 0, fmt.Errorf("%w: code point %q does not start with U+", ErrUsage, s)
	}
	v, err := strconv.ParseUint(hex, 16, 21)
	if err != nil {
		return 0, fmt.Errorf("%w: bad code point %q", ErrUsage, s)
	}
	return rune(v), nil
}

func writeSubset(src []byte, cs charset, in, out string) error {
	note := fmt.Sprintf("ccphone subset of %s: the code points in charset.txt; made by fontgen subset.", filepath.Base(in))
	// A blank glyph for a letter is a placeholder: leave it out, so the
	// supplement font can draw the letter and Has tells the truth.
	keep := func(r rune, blank bool) bool {
		return cs.contains(r) && (!blank || unicode.IsSpace(r))
	}
	sub, kept, err := bdf.Subset(src, keep, note)
	if err != nil {
		return fmt.Errorf("subset %s: %w", in, err)
	}
	if kept == 0 {
		return fmt.Errorf("subset %s: no glyph matches the charset", in)
	}
	return writeFile(out, sub)
}
