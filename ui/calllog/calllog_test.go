package calllog

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestAddKeepsNewestFirstAndPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calllog")
	l, err := Open(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		e := Entry{Time: base.Add(time.Duration(i) * time.Minute), Kind: Kind(i % 3), Line: 1 + i%2,
			Number: strconv.Itoa(2000 + i), Name: "Name\twith tab", Duration: time.Duration(i) * time.Second}
		if err := l.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if l.Len() != 3 {
		t.Fatalf("len %d, want 3", l.Len())
	}
	if e, _ := l.At(0); e.Number != "2004" {
		t.Errorf("newest %q, want 2004", e.Number)
	}
	again, err := Open(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	got, want := again.Entries(), l.Entries()
	for i := range want {
		w := want[i]
		w.Name = "Name with tab"
		if !got[i].Time.Equal(w.Time) || got[i].Kind != w.Kind || got[i].Line != w.Line ||
			got[i].Number != w.Number || got[i].Name != w.Name || got[i].Duration != w.Duration {
			t.Errorf("entry %d after reopening: %+v, want %+v", i, got[i], w)
		}
	}
}

func TestDamagedFileKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calllog")
	data := "1700000000000\tmissed\t1\t0\t2000\tAnna\n" +
		"garbage line\n" +
		"1700000060000\tteleported\t1\t0\t2001\t\n" +
		"1700000120000\tdialed\t2\t5000\t2002\t\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Open(path, DefaultSize)
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("err = %v, want ErrCorrupt", err)
	}
	if l.Len() != 2 {
		t.Fatalf("kept %d entries, want 2", l.Len())
	}
	if e, _ := l.At(0); e.Number != "2002" || e.Kind != Dialed || e.Duration != 5*time.Second {
		t.Errorf("latest %+v", e)
	}
}

func TestMissingFileIsEmpty(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "none"), 0)
	if err != nil || l.Len() != 0 {
		t.Fatalf("len %d err %v", l.Len(), err)
	}
	if _, ok := l.At(0); ok {
		t.Error("At(0) of an empty log")
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add("1700000000000\tmissed\t1\t0\t2000\tAnna")
	f.Add("0\tdialed\t2\t1\t\t")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseLine(s)
		if err != nil {
			return
		}
		back, err := parseLine(formatLine(e))
		if err != nil {
			t.Fatalf("formatted entry does not parse: %v", err)
		}
		if !back.Time.Equal(e.Time) || back.Kind != e.Kind || back.Line != e.Line || back.Duration != e.Duration {
			t.Fatalf("round trip %+v -> %+v", e, back)
		}
	})
}
