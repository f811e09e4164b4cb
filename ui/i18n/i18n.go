package i18n

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

//go:embed catalogs/*.cat
var embedded embed.FS

// Errors returned when loading catalogs.
var (
	ErrSyntax   = errors.New("i18n: syntax error")
	ErrNoName   = errors.New("i18n: catalog has no language.name")
	ErrLanguage = errors.New("i18n: unknown language")
)

// Fallback is the language every other falls back to.
const Fallback = "en"

// Catalog is one language's texts. It is immutable and safe for concurrent
// use.
type Catalog struct {
	Code string // ISO 639-1 code, from the file name
	Name string // the language's own name, e.g. "Русский"
	text map[string]string
	fall *Catalog
}

// T returns the text for key, falling back to English and then to the key
// itself, so a missing text shows up on screen rather than a blank.
func (c *Catalog) T(key string) string {
	for cat := c; cat != nil; cat = cat.fall {
		if s, ok := cat.text[key]; ok {
			return s
		}
	}
	return key
}

// Has reports whether the catalog itself (not its fallback) has key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.text[key]
	return ok
}

// Keys returns the catalog's own keys, sorted.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.text))
	for k := range c.text {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Texts returns every text of the catalog (for checking font coverage).
func (c *Catalog) Texts() []string {
	out := make([]string, 0, len(c.text))
	for _, k := range c.Keys() {
		out = append(out, c.text[k])
	}
	return out
}

// Set is the catalogs available to the phone, keyed by language code. It
// is immutable once built and safe for concurrent use.
type Set struct {
	byCode map[string]*Catalog
	codes  []string
}

// Builtin returns the catalogs compiled into the binary.
func Builtin() (*Set, error) {
	sub, err := fs.Sub(embedded, "catalogs")
	if err != nil {
		return nil, err
	}
	return load(sub, nil)
}

// LoadDir returns the built-in catalogs plus every *.cat file in dir; a
// file in dir replaces the built-in catalog of the same language.
func LoadDir(dir string) (*Set, error) {
	base, err := Builtin()
	if err != nil {
		return nil, err
	}
	return load(os.DirFS(dir), base)
}

func load(fsys fs.FS, base *Set) (*Set, error) {
	names, err := fs.Glob(fsys, "*.cat")
	if err != nil {
		return nil, err
	}
	s := &Set{byCode: map[string]*Catalog{}}
	if base != nil {
		for code, c := range base.byCode {
			s.byCode[code] = c
		}
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		c, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		s.byCode[c.Code] = c
	}
	en, ok := s.byCode[Fallback]
	if !ok {
		return nil, fmt.Errorf("%w: no %s catalog", ErrLanguage, Fallback)
	}
	for code, c := range s.byCode {
		if code != Fallback {
			c.fall = en
		}
		s.codes = append(s.codes, code)
	}
	sort.Strings(s.codes)
	return s, nil
}

// Parse reads one catalog; name is its file name (the language code plus
// ".cat"). Lines are `key = text`; blank lines and lines starting with #
// are ignored; `\n` in a text is a line break.
func Parse(name string, data []byte) (*Catalog, error) {
	code := strings.TrimSuffix(filepath.Base(name), ".cat")
	c := &Catalog{Code: code, text: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%w: %s:%d: invalid UTF-8", ErrSyntax, name, n)
		}
		key, text, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("%w: %s:%d: want key = text", ErrSyntax, name, n)
		}
		if _, dup := c.text[key]; dup {
			return nil, fmt.Errorf("%w: %s:%d: %s: duplicate key", ErrSyntax, name, n, key)
		}
		c.text[key] = strings.ReplaceAll(strings.TrimSpace(text), `\n`, "\n")
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", name, err)
	}
	c.Name = c.text["language.name"]
	if c.Name == "" {
		return nil, fmt.Errorf("%w: %s", ErrNoName, name)
	}
	return c, nil
}

// Codes returns the language codes available, sorted.
func (s *Set) Codes() []string { return append([]string(nil), s.codes...) }

// Get returns the catalog for code.
func (s *Set) Get(code string) (*Catalog, error) {
	c, ok := s.byCode[code]
	if !ok {
		return nil, fmt.Errorf("%w: %q (have %s)", ErrLanguage, code, strings.Join(s.codes, ", "))
	}
	return c, nil
}

// Lookup returns the catalog for code, or English when there is none.
func (s *Set) Lookup(code string) *Catalog {
	if c, ok := s.byCode[code]; ok {
		return c
	}
	return s.byCode[Fallback]
}
