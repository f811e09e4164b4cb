package record

import (
	"ccphone/media/internal/atomicfile"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// States of a recording, as its metadata file says.
const (
	// StateRecording: the recorder is (or was, when the phone lost power)
	// still writing. RepairDir finishes such recordings.
	StateRecording = "recording"
	// StateFinished: Close wrote the last header and the metadata.
	StateFinished = "finished"
	// StateRepaired: RepairDir finished the recording after a crash; the
	// last second of audio may be missing.
	StateRepaired = "repaired"
)

// partSuffix marks a segment file that is still being written. It is
// renamed away once the segment's header is final.
const partSuffix = ".part"

// Meta is a recording's metadata, kept as ID.json beside its segments
// and written atomically (a power cut leaves the old or the new version).
// It is a plain value.
type Meta struct {
	ID string `json:"id"`
	CallInfo
	Start      time.Time `json:"start"`
	DurationMS int64     `json:"duration_ms"` // audio over all segments
	Segments   []Segment `json:"segments"`
	Format     string    `json:"format"`   // "pcm16", "pcmu" or "pcma"
	Layout     string    `json:"layout"`   // "stereo" (left agent, right far end) or "mono"
	Channels   int       `json:"channels"` // 2 or 1
	SampleRate int       `json:"sample_rate"`
	State      string    `json:"state"` // StateRecording, StateFinished or StateRepaired
	// DroppedFrames counts 20 ms frames lost because the disk was too
	// slow (ErrOverrun).
	DroppedFrames int64 `json:"dropped_frames,omitempty"`

	// Dir is the folder holding the files; not stored.
	Dir string `json:"-"`
	// Discarded is set by Close when the recording was shorter than
	// Options.MinLength and its files were removed; not stored.
	Discarded bool `json:"-"`
}

// Segment is one stretch of recording between Start and Stop, one WAV
// file.
type Segment struct {
	File       string    `json:"file"` // base name, in Meta.Dir
	Start      time.Time `json:"start"`
	DurationMS int64     `json:"duration_ms"`
	Bytes      int64     `json:"bytes"` // file size
}

// Duration returns the recording's audio length.
func (m Meta) Duration() time.Duration { return time.Duration(m.DurationMS) * time.Millisecond }

// MetaPath returns the path of the metadata file.
func (m Meta) MetaPath() string { return filepath.Join(m.Dir, m.ID+".json") }

// Files returns the paths of the finished segments followed by the
// metadata file: what an upload carries.
func (m Meta) Files() []string {
	out := make([]string, 0, len(m.Segments)+1)
	for _, s := range m.Segments {
		out = append(out, filepath.Join(m.Dir, s.File))
	}
	return append(out, m.MetaPath())
}

// Bytes returns the size of the segments.
func (m Meta) Bytes() int64 {
	var n int64
	for _, s := range m.Segments {
		n += s.Bytes
	}
	return n
}

func writeMeta(m *Meta) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("record: metadata %s: %w", m.ID, err)
	}
	if err := atomicfile.Write(m.MetaPath(), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return nil
}

// ReadMeta reads the metadata file at path (ID.json).
func ReadMeta(path string) (Meta, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Meta{}, fmt.Errorf("record: read %s: %w", path, err)
	}
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		return Meta{}, fmt.Errorf("%w: %s: %w", ErrMeta, path, err)
	}
	if !validID(m.ID) || m.ID+".json" != filepath.Base(path) {
		return Meta{}, fmt.Errorf("%w: %s: id %q does not match the file name", ErrMeta, path, m.ID)
	}
	m.Dir = filepath.Dir(path)
	return m, nil
}

// List returns the finished (or repaired) recordings in dir, oldest
// first, so that start-up can hand any of them the upload queue does not
// know yet to it. Recordings still being written are left out. List is
// safe for concurrent use.
func List(dir string) ([]Meta, error) {
	metas, err := readMetas(dir)
	if err != nil {
		return nil, err
	}
	out := metas[:0]
	for _, m := range metas {
		if m.State != StateRecording {
			out = append(out, m)
		}
	}
	return out, nil
}

func readMetas(dir string) ([]Meta, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("record: list %s: %w", dir, err)
	}
	var out []Meta
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		m, err := ReadMeta(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}
