package provisioning

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse checks the round-trip property: whatever Parse accepts,
// File.Format writes back so that Parse reads the same version and
// entries. Validation and merging of what parsed must not panic either.
func FuzzParse(f *testing.F) {
	f.Add([]byte("#!version:1.0.0.1\naccount.1.enable = 1\naccount.1.password = a#b # c\n"))
	f.Add([]byte("a = #x\r\nb =\n\n# c\n  d\t=\te f\t#g"))
	f.Add([]byte("lcd.contrast = 99\nrtp.port_min = 12000\nrtp.port_max = 11000\n"))
	f.Add([]byte("provisioning.override_local = *, lcd.contrast\n"))
	f.Add([]byte("\uFEFFl = Müller\nl = x\nno equals"))
	f.Add([]byte("a\x00b"))
	examples, _ := filepath.Glob(filepath.Join("examples", "*.cfg"))
	bad, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.cfg"))
	for _, p := range append(examples, bad...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	s := DefaultSchema()
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, err := Parse("fuzz.cfg", bytes.NewReader(data))
		if parsed == nil {
			t.Fatalf("Parse returned no File (err %v)", err)
		}
		s.Check(parsed)
		if cfg, merr := s.Merge([]*File{parsed}, parsed); merr == nil {
			var dump bytes.Buffer
			if err := cfg.Format(&dump, true); err != nil {
				t.Fatal(err)
			}
			if _, err := Parse("dump.cfg", &dump); err != nil {
				t.Fatalf("Config.Format wrote what Parse rejects: %v", err)
			}
		}
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := parsed.Format(&out); err != nil {
			t.Fatal(err)
		}
		again, err := Parse("again.cfg", bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("Format wrote what Parse rejects: %v\n%q", err, out.Bytes())
		}
		if again.Version != parsed.Version {
			t.Errorf("version %q became %q", parsed.Version, again.Version)
		}
		if !reflect.DeepEqual(keyValues(again), keyValues(parsed)) {
			t.Errorf("entries changed:\n%q\nbecame\n%q", keyValues(parsed), keyValues(again))
		}
	})
}

func keyValues(f *File) [][2]string {
	var out [][2]string
	for _, e := range f.Entries {
		out = append(out, [2]string{e.Key, e.Value})
	}
	return out
}
