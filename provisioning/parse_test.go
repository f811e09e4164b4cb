package provisioning

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		version string
		want    []Entry
	}{
		{"empty file", "", "", nil},
		{"only comments and blanks", "# a\n\n   # b\n\t\n", "", nil},
		{"one entry", "a.b = c\n", "", []Entry{{1, "a.b", "c"}}},
		{"no newline at end", "a.b = c", "", []Entry{{1, "a.b", "c"}}},
		{"surrounding whitespace", "  \ta.b\t =  c d \t\n", "", []Entry{{1, "a.b", "c d"}}},
		{"no spaces", "a.b=c", "", []Entry{{1, "a.b", "c"}}},
		{"empty value", "a.b =\nc.d =   \n", "", []Entry{{1, "a.b", ""}, {2, "c.d", ""}}},
		{"trailing comment after space", "a.b = Sales 10 # shown on LCD\n", "", []Entry{{1, "a.b", "Sales 10"}}},
		{"trailing comment after tab", "a.b = x\t#note\n", "", []Entry{{1, "a.b", "x"}}},
		{"hash inside value", "account.1.password = a#b#c\n", "", []Entry{{1, "account.1.password", "a#b#c"}}},
		{"hash right after equals", "account.1.password =#abc\n", "", []Entry{{1, "account.1.password", "#abc"}}},
		{"hash after equals then comment", "p =#abc # note\n", "", []Entry{{1, "p", "#abc"}}},
		{"comment after equals is empty value", "p = # note\n", "", []Entry{{1, "p", ""}}},
		{"comment after tab is empty value", "p =\t#abc\n", "", []Entry{{1, "p", ""}}},
		{"equals in value", "a = b=c\n", "", []Entry{{1, "a", "b=c"}}},
		{"version line", "#!version:1.0.0.1\na = 1\n", "1.0.0.1", []Entry{{2, "a", "1"}}},
		{"version line later is a comment", "a = 1\n#!version:1.0.0.1\n", "", []Entry{{1, "a", "1"}}},
		{"CRLF", "a = 1\r\nb = 2\r\n", "", []Entry{{1, "a", "1"}, {2, "b", "2"}}},
		{"byte order mark", "\uFEFFa = 1\n", "", []Entry{{1, "a", "1"}}},
		{"UTF-8 value", "l = Müller ☎\n", "", []Entry{{1, "l", "Müller ☎"}}},
		{"line numbers count blanks", "\n\n# c\na = 1\n\nb = 2", "", []Entry{{4, "a", "1"}, {6, "b", "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("t.cfg", strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if f.Version != tt.version {
				t.Errorf("Version = %q, want %q", f.Version, tt.version)
			}
			if !reflect.DeepEqual(f.Entries, tt.want) {
				t.Errorf("Entries = %+v, want %+v", f.Entries, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string
		sentinel error
	}{
		{"no equals", "a = 1\naccount.1.label Sales\n",
			`t.cfg:2: account.1.label: line has no "="; allowed key = value`, ErrSyntax},
		{"no equals at end of file", "a = 1\naccount.1.pass",
			`t.cfg:2: account.1.pass: line has no "=" (file truncated?); allowed key = value`, ErrSyntax},
		{"no equals never quotes the rest", "account.1.password: hunter2\n",
			`t.cfg:1: account.1.password: line has no "="; allowed key = value`, ErrSyntax},
		{"empty key", " = 1\n",
			`t.cfg:1: line has no key before "="; allowed keys of letters, digits, ".", "_" and "-"`, ErrSyntax},
		{"space in key", "acc ount = 1\n",
			`t.cfg:1: key "acc ount" has ' '; allowed keys of letters, digits, ".", "_" and "-"`, ErrSyntax},
		{"duplicate names both lines", "a = 1\nb = 2\na = 3\n",
			`t.cfg:3: a: duplicate key, first set on line 1; allowed each key once per file`, ErrDuplicate},
		{"invalid UTF-8", "a = ok\nlabel = M\xfcller\n",
			`t.cfg:2: label: invalid UTF-8 at column 10; allowed UTF-8 text`, ErrEncoding},
		{"control character", "a = x\x1by\n",
			`t.cfg:1: a: control character U+001B at column 6; allowed UTF-8 text`, ErrEncoding},
		{"NUL byte reported once", "a = 1\nb\x00\x00\x00\nc\x00\n",
			`t.cfg:2: binary data (NUL byte at column 2); allowed UTF-8 text`, ErrEncoding},
		{"every error listed", "x\ny\n",
			"t.cfg:1: x: line has no \"=\"; allowed key = value\nt.cfg:2: y: line has no \"=\"; allowed key = value", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.cfg", strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(err, %v) = false", tt.sentinel)
			}
		})
	}
}

func TestParseTooManyErrorsStops(t *testing.T) {
	in := strings.Repeat("garbage\n", 1000)
	_, err := Parse("t.cfg", strings.NewReader(in))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v is not an ErrorList", err)
	}
	if len(list) != maxIssues+1 {
		t.Errorf("got %d issues, want %d", len(list), maxIssues+1)
	}
	if last := list[len(list)-1].Error(); last != "t.cfg: too many errors; stopped" {
		t.Errorf("last issue = %q", last)
	}
}

func TestParseTooLarge(t *testing.T) {
	in := strings.Repeat("# padding\n", MaxFileSize/10+1)
	_, err := Parse("big.cfg", strings.NewReader(in))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestFileFormatRoundTrip(t *testing.T) {
	in := "#!version:1.0.0.1\n# c\na = 1 # x\np =#a#b\ne = # unset\nl = Müller\n"
	f, err := Parse("t.cfg", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := f.Format(&b); err != nil {
		t.Fatal(err)
	}
	want := "#!version:1.0.0.1\na = 1\np =#a#b\ne =\nl = Müller\n"
	if b.String() != want {
		t.Errorf("Format:\n%s\nwant\n%s", b.String(), want)
	}
}
