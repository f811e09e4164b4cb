package provisioning

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// generatedFile builds a realistic 2,000-line provisioning file: every
// setting of the schema, each under a comment, then Yealink keys the
// phone does not know (warnings with a typo check each), comments and
// blank lines until the file has lines lines.
func generatedFile(s *Schema, lines int) []byte {
	var b bytes.Buffer
	b.WriteString("#!version:1.0.0.1\n")
	n := 1
	for _, st := range s.Settings() {
		value := st.Default
		switch st.Type {
		case TypeString:
			value = "value " + st.Key
			if len(value) > st.MaxLen {
				value = value[:st.MaxLen]
			}
		case TypeHost:
			value = "pbx.example.net"
		case TypeBool:
			value = "1"
		}
		if st.Key == "account.1.enable" || st.Key == "account.2.enable" {
			value = "1"
		}
		fmt.Fprintf(&b, "# %s\n%s = %s # %s\n", st.Help, st.Key, value, st.Type)
		n += 2
	}
	for i := 0; n < lines; i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "features.key_%d.enable = 1\n", i)
		case 1:
			fmt.Fprintf(&b, "linekey.%d.label = Key %d\n", i, i)
		case 2:
			b.WriteString("# -------------------------------------------------------\n")
		case 3:
			b.WriteString("\n")
		}
		n++
	}
	return b.Bytes()
}

func TestGeneratedFileIsValid(t *testing.T) {
	s := DefaultSchema()
	data := generatedFile(s, 2000)
	if got := bytes.Count(data, []byte("\n")); got != 2000 {
		t.Fatalf("generated %d lines, want 2000", got)
	}
	f, err := Parse("gen.cfg", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Merge([]*File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings()) == 0 {
		t.Error("the unknown keys gave no warnings")
	}
}

// BenchmarkParseValidate2000 parses, validates and merges a 2,000-line
// file. The budget is 5 ms per file.
func BenchmarkParseValidate2000(b *testing.B) {
	s := DefaultSchema()
	data := generatedFile(s, 2000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse("gen.cfg", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Merge([]*File{f}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseValidateKnownKeys is the same size of file with only
// known keys and comments: the cost without typo checks.
func BenchmarkParseValidateKnownKeys(b *testing.B) {
	s := DefaultSchema()
	data := generatedFile(s, 0)
	data = append(data, strings.Repeat("# comment line of a well documented file\n", 2000-bytes.Count(data, []byte("\n")))...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse("gen.cfg", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Merge([]*File{f}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWithLocal(b *testing.B) {
	s := DefaultSchema()
	cfg, err := s.Load("examples/sim.cfg")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cfg.WithLocal("ringer.volume", "7"); err != nil {
			b.Fatal(err)
		}
	}
}
