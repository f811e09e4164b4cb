package provisioning

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxFileSize is the largest provisioning file Parse accepts, in bytes.
// Real files are a few kilobytes; anything near this size is garbage.
const MaxFileSize = 1 << 20

// maxIssues caps the issues reported for one file, so a file of garbage
// yields a readable list.
const maxIssues = 50

// versionPrefix starts the optional first line that Yealink files carry.
const versionPrefix = "#!version:"

// Entry is one "key = value" line of a File.
type Entry struct {
	Line  int    // 1-based line number in the file; 0 when not from a file
	Key   string // the key, trimmed
	Value string // the value, trimmed, trailing comment removed; may be ""
}

// File is a parsed provisioning file: its entries in file order, before
// any schema is applied. A File is not modified by this package after
// Parse returns it; it is safe for concurrent reads.
type File struct {
	Name    string  // the name errors use, usually the path or URL
	Version string  // from a leading "#!version:..." line, or ""
	Entries []Entry // in line order; each key at most once
}

// Parse reads a provisioning file from r. The name is used in error
// messages only.
//
// The format, one setting per line:
//
//	#!version:1.0.0.1          optional, first line only
//	# a comment                a line starting with '#' (after spaces)
//	key = value                spaces around key and value are dropped
//	key = value # note         '#' after a space or tab starts a comment
//	account.1.password = a#b   any other '#' is part of the value, so
//	account.1.password =#ab    a value starting with '#' follows '=' directly
//	key =                      empty value (see the package doc)
//	key = # note               also empty: the '#' follows a space
//
// Lines may end in LF or CRLF; the last line needs no newline; a leading
// UTF-8 byte order mark is skipped. A value cannot hold a '#' that follows
// whitespace, nor leading or trailing spaces.
//
// Parse reports every problem it finds as an ErrorList: lines without
// '=', bad keys, duplicate keys (naming both lines), invalid UTF-8 and
// control characters. A file holding a NUL byte is binary data and is
// reported once. On error Parse still returns the entries it could read,
// for tools that show them; such a File must not be applied. Parse never
// puts a value into an error message, so secrets cannot leak from here.
func Parse(name string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("provisioning: read %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return &File{Name: name}, ErrorList{{
			File:    name,
			Problem: "file is larger than " + strconv.Itoa(MaxFileSize) + " bytes",
			Allowed: "up to " + strconv.Itoa(MaxFileSize) + " bytes",
			Err:     ErrTooLarge,
		}}
	}
	return parseText(name, string(data))
}

// ReadFile opens and parses the file at path; errors name it by path.
func ReadFile(path string) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("provisioning: %w", err)
	}
	f, err := Parse(path, fd)
	if cerr := fd.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("provisioning: close %s: %w", path, cerr)
	}
	return f, err
}

func parseText(name, text string) (*File, error) {
	f := &File{Name: name}
	text = strings.TrimPrefix(text, "\uFEFF")
	if i := strings.IndexByte(text, 0); i >= 0 {
		line := 1 + strings.Count(text[:i], "\n")
		col := i - strings.LastIndexByte(text[:i], '\n')
		return f, ErrorList{{
			File:    name,
			Line:    line,
			Problem: "binary data (NUL byte at column " + strconv.Itoa(col) + ")",
			Allowed: "UTF-8 text",
			Err:     ErrEncoding,
		}}
	}

	var issues ErrorList
	report := func(i *Issue) bool {
		if len(issues) == maxIssues {
			issues = append(issues, &Issue{File: name, Problem: "too many errors; stopped", Err: i.Err})
			return false
		}
		issues = append(issues, i)
		return true
	}

	seen := make(map[string]int, 64)
	for lineNo := 1; text != ""; lineNo++ {
		line, rest, newline := strings.Cut(text, "\n")
		text = rest
		line = strings.TrimSuffix(line, "\r")

		if col, problem := checkText(line); problem != "" {
			if !report(&Issue{File: name, Line: lineNo, Key: keyPrefix(line),
				Problem: problem + " at column " + strconv.Itoa(col), Allowed: "UTF-8 text", Err: ErrEncoding}) {
				break
			}
			continue
		}

		line = trimSpace(line)
		if line == "" {
			continue
		}
		if line[0] == '#' {
			if lineNo == 1 && strings.HasPrefix(line, versionPrefix) {
				f.Version = trimSpace(line[len(versionPrefix):])
			}
			continue
		}

		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			problem := `line has no "="`
			if !newline {
				problem += " (file truncated?)"
			}
			if !report(&Issue{File: name, Line: lineNo, Key: keyPrefix(line),
				Problem: problem, Allowed: "key = value", Err: ErrSyntax}) {
				break
			}
			continue
		}
		key := trimSpace(line[:eq])
		if problem := checkKey(key); problem != "" {
			if !report(&Issue{File: name, Line: lineNo, Problem: problem,
				Allowed: `keys of letters, digits, ".", "_" and "-"`, Err: ErrSyntax}) {
				break
			}
			continue
		}
		value := trimSpace(stripComment(line[eq+1:]))

		if first, dup := seen[key]; dup {
			if !report(&Issue{File: name, Line: lineNo, Key: key,
				Problem: "duplicate key, first set on line " + strconv.Itoa(first),
				Allowed: "each key once per file", Err: ErrDuplicate}) {
				break
			}
			continue
		}
		seen[key] = lineNo
		f.Entries = append(f.Entries, Entry{Line: lineNo, Key: key, Value: value})
	}
	return f, issues.Err()
}

// Format writes f in the file format: the version line when f has one,
// then one "key = value" line per entry. What Parse accepted, Format
// writes so that Parse reads back the same version and entries.
func (f *File) Format(w io.Writer) error {
	var b strings.Builder
	if f.Version != "" {
		b.WriteString(versionPrefix)
		b.WriteString(f.Version)
		b.WriteByte('\n')
	}
	for _, e := range f.Entries {
		writeEntry(&b, e.Key, e.Value)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("provisioning: write %s: %w", f.Name, err)
	}
	return nil
}

// writeEntry writes "key = value", or "key =#value" when the value starts
// with '#', which after a space would start a comment.
func writeEntry(b *strings.Builder, key, value string) {
	b.WriteString(key)
	switch {
	case value == "":
		b.WriteString(" =")
	case value[0] == '#':
		b.WriteString(" =")
		b.WriteString(value)
	default:
		b.WriteString(" = ")
		b.WriteString(value)
	}
	b.WriteByte('\n')
}

// checkText finds the first byte that does not belong in a text line:
// invalid UTF-8 or a control character other than tab. It returns the
// 1-based byte column and a description, or "" when the line is clean.
func checkText(s string) (int, string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t') || c == 0x7f {
				return i + 1, fmt.Sprintf("control character U+%04X", c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i + 1, "invalid UTF-8"
		}
		i += size
	}
	return 0, ""
}

// checkValueText reports why a value cannot be written to a file and read
// back unchanged, or "" when it can.
func checkValueText(v string) string {
	if _, problem := checkText(v); problem != "" {
		return problem
	}
	if trimSpace(v) != v {
		return "value has leading or trailing spaces"
	}
	if stripComment(v) != v {
		return `value has "#" after a space, which the file format reads as a comment`
	}
	return ""
}

// checkKey reports what is wrong with a key, or "" when it is well formed.
func checkKey(key string) string {
	if key == "" {
		return `line has no key before "="`
	}
	for i := 0; i < len(key); i++ {
		if !isKeyByte(key[i]) {
			return "key " + strconv.Quote(shorten(key)) + " has " + strconv.QuoteRune(rune(key[i]))
		}
	}
	return ""
}

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// keyPrefix returns the leading run of key characters of a line, so that
// an error can name the key of a broken line without ever quoting the
// rest of it (which may hold a password).
func keyPrefix(line string) string {
	line = trimSpace(line)
	i := 0
	for i < len(line) && isKeyByte(line[i]) {
		i++
	}
	if i == 0 || i > 100 {
		return ""
	}
	return line[:i]
}

// stripComment cuts the text after '=' at the first '#' that follows a
// space or tab.
func stripComment(v string) string {
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && (v[i-1] == ' ' || v[i-1] == '\t') {
			return v[:i]
		}
	}
	return v
}

func trimSpace(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func shorten(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
