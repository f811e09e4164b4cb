package i18n

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestBuiltinHasEnglishAndRussian(t *testing.T) {
	s, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"en", "ru"} {
		c, err := s.Get(code)
		if err != nil {
			t.Fatal(err)
		}
		if c.Code != code || c.Name == "" {
			t.Errorf("%s: code %q name %q", code, c.Code, c.Name)
		}
	}
	if got := s.Lookup("ru").T("menu.title"); got != "Меню" {
		t.Errorf("ru menu.title = %q", got)
	}
}

// TestCatalogsComplete checks that every catalog has every English text,
// so no screen falls back to English halfway.
func TestCatalogsComplete(t *testing.T) {
	s, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	en := s.Lookup(Fallback)
	for _, code := range s.Codes() {
		c := s.Lookup(code)
		for _, k := range en.Keys() {
			if !c.Has(k) {
				t.Errorf("%s.cat lacks %s", code, k)
			}
		}
		for _, k := range c.Keys() {
			if !en.Has(k) {
				t.Errorf("%s.cat has %s, which en.cat does not", code, k)
			}
		}
	}
}

func TestFallback(t *testing.T) {
	c, err := Parse("xx.cat", []byte("language.name = Test\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("menu.title"); got != "menu.title" {
		t.Errorf("unlinked catalog: T = %q, want the key", got)
	}
	s, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Lookup("zz").Code; got != "en" {
		t.Errorf("Lookup of an unknown language = %q, want en", got)
	}
	if _, err := s.Get("zz"); !errors.Is(err, ErrLanguage) {
		t.Errorf("Get(zz) err = %v", err)
	}
}

// TestThirdLanguageIsAFile shows that a language is added by a file.
func TestThirdLanguageIsAFile(t *testing.T) {
	dir := t.TempDir()
	data := "language.name = Deutsch\nmenu.title = Menü\n"
	if err := os.WriteFile(filepath.Join(dir, "de.cat"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	de, err := s.Get("de")
	if err != nil {
		t.Fatal(err)
	}
	if de.T("menu.title") != "Menü" || de.T("settings.title") != "Settings" {
		t.Errorf("de: menu %q settings %q", de.T("menu.title"), de.T("settings.title"))
	}
	if got := s.Codes(); len(got) != 3 {
		t.Errorf("codes = %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       error
	}{
		{"no name", "menu.title = Menu\n", ErrNoName},
		{"no equals", "language.name = X\nmenu.title\n", ErrSyntax},
		{"duplicate", "language.name = X\nlanguage.name = Y\n", ErrSyntax},
		{"bad utf8", "language.name = \xff\n", ErrSyntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse("xx.cat", []byte(tc.data)); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
