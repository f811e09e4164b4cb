package record

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// wavBytes returns a header of layout l claiming claimed data bytes,
// followed by audio bytes.
func wavBytes(l wavLayout, claimed int64, audio []byte) []byte {
	h := append([]byte(nil), l.header...)
	l.putSizes(h, claimed)
	return append(h, audio...)
}

func TestRepair(t *testing.T) {
	pcm := newWAVLayout(PCM16, 2, 8000)
	ulawMono := newWAVLayout(Ulaw, 1, 8000)
	audio := bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 100) // 700 bytes
	for _, c := range []struct {
		name     string
		file     []byte
		wantData int64
		repaired bool
	}{
		{"consistent", wavBytes(pcm, 400, audio[:400]), 400, false},
		{"zero sizes after crash", wavBytes(pcm, 0, audio[:640]), 640, true},
		{"partial last sample frame", wavBytes(pcm, 0, audio[:643]), 640, true},
		{"sizes ahead of data", wavBytes(pcm, 1000, audio[:400]), 400, true},
		{"header only", wavBytes(pcm, 0, nil), 0, false},
		{"ulaw odd bytes get a pad byte", wavBytes(ulawMono, 0, audio[:301]), 301, true},
		{"ulaw odd finished file", append(wavBytes(ulawMono, 301, audio[:301]), 0), 301, false},
		{"ulaw fact wrong", func() []byte {
			b := wavBytes(ulawMono, 300, audio[:300])
			binary.LittleEndian.PutUint32(b[ulawMono.factOff:], 7)
			return b
		}(), 300, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.wav")
			if err := os.WriteFile(path, c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			info, err := Repair(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.DataBytes != c.wantData || info.Repaired != c.repaired {
				t.Fatalf("data %d repaired %v, want %d %v", info.DataBytes, info.Repaired, c.wantData, c.repaired)
			}
			w := readTestWAV(t, path)
			if !bytes.Equal(w.data, audio[:c.wantData]) {
				t.Fatal("audio changed")
			}
			if info, err := Repair(path); err != nil || info.Repaired {
				t.Fatalf("second Repair: %+v, %v", info, err)
			}
		})
	}
	for name, b := range map[string][]byte{
		"empty":        nil,
		"not riff":     []byte("RIFX\x00\x00\x00\x00WAVEfmt "),
		"cut in fmt":   pcm.header[:30],
		"data first":   []byte("RIFF\x00\x00\x00\x00WAVEdata\x00\x00\x00\x00"),
		"zero block":   func() []byte { b := wavBytes(pcm, 0, nil); b[32] = 0; return b }(),
		"no data 4 KB": append([]byte("RIFF\x00\x00\x00\x00WAVE"), make([]byte, 5000)...),
	} {
		path := filepath.Join(t.TempDir(), "x.wav")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Repair(path); err == nil {
			t.Errorf("%s: Repair succeeded", name)
		}
	}
}

// TestRepairDirEveryCrashPoint lays out the files a crash leaves at each
// step of a recording's life and checks what RepairDir makes of them.
func TestRepairDirEveryCrashPoint(t *testing.T) {
	dir := t.TempDir()
	pcm := newWAVLayout(PCM16, 2, 8000)
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	meta := func(id string, state string, segs ...string) {
		m := Meta{ID: id, State: state, Dir: dir, Format: "pcm16", Channels: 2, SampleRate: 8000}
		for _, s := range segs {
			m.Segments = append(m.Segments, Segment{File: s})
		}
		if err := writeMeta(&m); err != nil {
			t.Fatal(err)
		}
	}
	// a: metadata written, segment file not yet created.
	meta("a", StateRecording, "a-01.wav")
	// b: segment created, header cut short.
	meta("b", StateRecording, "b-01.wav")
	write("b-01.wav.part", pcm.header[:20])
	// c: recording in its second segment, the first finished.
	meta("c", StateRecording, "c-01.wav", "c-02.wav")
	write("c-01.wav", wavBytes(pcm, 640, make([]byte, 640)))
	write("c-02.wav.part", wavBytes(pcm, 0, make([]byte, 6401)))
	// d: segment renamed at Close, final metadata not yet written.
	meta("d", StateRecording, "d-01.wav")
	write("d-01.wav", wavBytes(pcm, 640, make([]byte, 640)))
	// e: finished: left alone.
	meta("e", StateFinished, "e-01.wav")
	write("e-01.wav", wavBytes(pcm, 640, make([]byte, 640)))
	// f: a segment no metadata names.
	write("f-01.wav.part", wavBytes(pcm, 0, make([]byte, 1280)))

	got, err := RepairDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Meta{}
	for _, m := range got {
		byID[m.ID] = m
	}
	if len(got) != 3 {
		t.Errorf("repaired %d recordings, want c, d and f-01: %+v", len(got), got)
	}
	if m := byID["c"]; len(m.Segments) != 2 || m.DurationMS != 20+200 || m.State != StateRepaired {
		t.Errorf("c: %+v", m)
	}
	if m := byID["d"]; len(m.Segments) != 1 || m.DurationMS != 20 {
		t.Errorf("d: %+v", m)
	}
	if m := byID["f-01"]; len(m.Segments) != 1 || m.DurationMS != 40 || m.Segments[0].File != "f-01.wav" {
		t.Errorf("f-01: %+v", m)
	}
	var names []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{"c-01.wav", "c-02.wav", "c.json", "d-01.wav", "d.json", "e-01.wav", "e.json", "f-01.json", "f-01.wav"}
	if !equalStrings(names, want) {
		t.Errorf("folder holds %q, want %q", names, want)
	}
	list, err := List(dir)
	if err != nil || len(list) != 4 {
		t.Errorf("List = %d recordings, %v; want 4", len(list), err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzRepair checks Repair's properties on any bytes: it never fails on
// a header this package writes, the repaired file parses strictly, the
// audio is an unchanged prefix of what followed the header, and a second
// Repair changes nothing.
func FuzzRepair(f *testing.F) {
	for _, fm := range []Format{PCM16, Ulaw} {
		l := newWAVLayout(fm, 2, 8000)
		f.Add(wavBytes(l, 0, make([]byte, 333)))
		f.Add(wavBytes(l, 640, make([]byte, 640)))
		f.Add(l.header[:17])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "x.wav")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		info, err := Repair(path)
		if err != nil {
			return
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := parseHeader(after[:min(len(after), maxHeader)], int64(len(after)))
		if err != nil {
			t.Fatalf("repaired file does not parse: %v", err)
		}
		off := p.info.DataOffset
		if int64(p.data) != info.DataBytes || int64(p.riff) != int64(len(after))-8 ||
			int64(len(after)) != off+info.DataBytes+info.DataBytes&1 || info.DataBytes%int64(info.BlockAlign) != 0 {
			t.Fatalf("sizes: riff %d data %d file %d info %+v", p.riff, p.data, len(after), info)
		}
		if int64(len(b)) >= off+info.DataBytes && !bytes.Equal(after[off:off+info.DataBytes], b[off:off+info.DataBytes]) {
			t.Fatal("audio changed")
		}
		if again, err := Repair(path); err != nil || again.Repaired {
			t.Fatalf("second Repair: %+v, %v", again, err)
		}
	})
}
