package codegen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// icon is one picture of the icon file.
type icon struct {
	name string   // Go name without the Icon prefix
	doc  string   // continues "IconNAME …"
	rows []string // '#' set, '.' clear
}

// parseIcons reads the icon file format:
//
//	# comment
//	Name: what it shows, continuing the sentence "IconName …".
//	.#.
//	###
//
// A header line, then rows of '#' and '.', all the same width; a blank
// line or the next header ends the picture.
func parseIcons(path string) ([]icon, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("icons: %w", err)
	}
	var (
		icons []icon
		names = map[string]bool{}
	)
	for n, line := range strings.Split(string(src), "\n") {
		line = strings.TrimRight(line, " \t\r")
		where := fmt.Sprintf("%s:%d", filepath.ToSlash(path), n+1)
		switch {
		case line == "" || strings.HasPrefix(line, "#") && strings.Trim(line, "#.") != "":
			continue
		case strings.Trim(line, "#.") == "":
			if len(icons) == 0 {
				return nil, fmt.Errorf("%s: %w: picture row before any icon header", where, ErrUsage)
			}
			ic := &icons[len(icons)-1]
			if len(ic.rows) > 0 && len(line) != len(ic.rows[0]) {
				return nil, fmt.Errorf("%s: %w: icon %s: row is %d wide, first row %d", where, ErrUsage, ic.name, len(line), len(ic.rows[0]))
			}
			ic.rows = append(ic.rows, line)
		default:
			name, doc, ok := strings.Cut(line, ":")
			if !ok || !isGoName(name) {
				return nil, fmt.Errorf("%s: %w: want \"Name: description\", have %q", where, ErrUsage, line)
			}
			if names[name] {
				return nil, fmt.Errorf("%s: %w: icon %s defined twice", where, ErrUsage, name)
			}
			names[name] = true
			icons = append(icons, icon{name: name, doc: strings.TrimSpace(doc)})
		}
	}
	for _, ic := range icons {
		if len(ic.rows) == 0 || len(ic.rows) > 16 {
			return nil, fmt.Errorf("%s: %w: icon %s is %d rows high, want 1..16", path, ErrUsage, ic.name, len(ic.rows))
		}
	}
	if len(icons) == 0 {
		return nil, fmt.Errorf("%s: %w: no icons", path, ErrUsage)
	}
	return icons, nil
}

func isGoName(s string) bool {
	if s == "" || !unicode.IsUpper(rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func generateIcons(path string) ([]byte, error) {
	icons, err := parseIcons(path)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(generatedHeader)
	fmt.Fprintf(&b, "//\n// Source: %s\n\npackage font\n\n", filepath.ToSlash(path))
	for _, ic := range icons {
		height, width := len(ic.rows), len(ic.rows[0])
		columnBytes := (height + 7) / 8
		bits := make([]byte, 0, width*columnBytes)
		for x := range width {
			var col uint32
			for y, row := range ic.rows {
				if row[x] == '#' {
					col |= 1 << y
				}
			}
			for k := range columnBytes {
				bits = append(bits, byte(col>>(8*k)))
			}
		}
		fmt.Fprintf(&b, "// Icon%s %s\n// It is %d×%d pixels:\n//\n", ic.name, ic.doc, width, height)
		for _, row := range ic.rows {
			fmt.Fprintf(&b, "//\t%s\n", row)
		}
		fmt.Fprintf(&b, "var Icon%s = Icon{name: %q, width: %d, height: %d, bits: %s}\n\n", ic.name, ic.name, width, height, quoteBytes(bits))
	}
	b.WriteString("// Icons returns every icon in the order of the icon source file, in a new\n")
	b.WriteString("// slice the caller owns. It is safe for concurrent use.\n")
	b.WriteString("func Icons() []Icon {\nreturn []Icon{\n")
	for _, ic := range icons {
		fmt.Fprintf(&b, "Icon%s,\n", ic.name)
	}
	b.WriteString("}\n}\n")
	return gofmt(b.Bytes())
}
