package record

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RepairDir finishes every recording in dir that a crash or power cut
// interrupted, and returns their metadata (state "repaired"), oldest
// first. Run it at start-up, before any Recorder opens in dir.
//
// The recorder's files are laid out so that a crash at any point leaves
// either a finished recording or one RepairDir can finish:
//
//   - a segment being written is named ID-NN.wav.part; RepairDir fixes
//     its header from its length (Repair) and renames it to ID-NN.wav.
//     A .part file too short to hold any audio is removed.
//   - a metadata file still in state "recording" gets its segments'
//     durations and sizes from the files, drops segments whose file was
//     never created, and becomes "repaired"; one left with no segment is
//     removed (nothing was recorded).
//   - a segment file no metadata file names gets a metadata file of its
//     own, so nothing recorded is ever left out of the upload.
//
// Every step can be repeated, so a crash during RepairDir is repaired by
// the next one. RepairDir is not safe for concurrent use on one folder.
func RepairDir(dir string) ([]Meta, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("record: repair %s: %w", dir, err)
	}
	var errs []error
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".wav"+partSuffix) {
			continue
		}
		if err := finishPart(filepath.Join(dir, name)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 && len(ents) > 0 {
		if err := syncDir(dir); err != nil {
			errs = append(errs, err)
		}
	}

	metas, err := readMetas(dir)
	if err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	named := map[string]bool{}
	var out []Meta
	for _, m := range metas {
		for _, s := range m.Segments {
			named[s.File] = true
		}
		if m.State != StateRecording {
			continue
		}
		m, keep, err := repairMeta(m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if keep {
			out = append(out, m)
		}
	}

	// Orphan segments: finished WAV files no metadata names.
	ents, err = os.ReadDir(dir)
	if err != nil {
		return out, errors.Join(append(errs, err)...)
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".wav") || named[name] {
			continue
		}
		m, err := adoptOrphan(dir, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, m)
	}
	return out, errors.Join(errs...)
}

// finishPart repairs a segment that was being written and gives it its
// finished name.
func finishPart(part string) error {
	if _, err := Repair(part); err != nil {
		if !errors.Is(err, ErrNotWAV) {
			return err
		}
		// The header itself was cut short: no audio can follow it.
		if st, serr := os.Stat(part); serr == nil && st.Size() <= int64(maxG711Header) {
			if err := os.Remove(part); err != nil {
				return fmt.Errorf("record: repair: %w", err)
			}
			return nil
		}
		return err
	}
	if err := os.Rename(part, strings.TrimSuffix(part, partSuffix)); err != nil {
		return fmt.Errorf("record: repair: %w", err)
	}
	return nil
}

// maxG711Header is the longest header this package writes.
var maxG711Header = len(newWAVLayout(Ulaw, 2, 8000).header)

// repairMeta brings an unfinished recording's metadata in line with its
// files. keep is false when nothing was recorded and the metadata was
// removed.
func repairMeta(m Meta) (Meta, bool, error) {
	segs := m.Segments[:0]
	m.DurationMS = 0
	for _, s := range m.Segments {
		info, err := Repair(filepath.Join(m.Dir, s.File))
		if errors.Is(err, os.ErrNotExist) {
			continue // listed before its file was created
		}
		if err != nil {
			return m, false, err
		}
		s.DurationMS = info.Duration().Milliseconds()
		s.Bytes = info.DataOffset + info.DataBytes + info.DataBytes&1
		m.DurationMS += s.DurationMS
		segs = append(segs, s)
	}
	m.Segments = segs
	if len(segs) == 0 {
		if err := os.Remove(m.MetaPath()); err != nil {
			return m, false, fmt.Errorf("record: repair: %w", err)
		}
		return m, false, nil
	}
	m.State = StateRepaired
	if err := writeMeta(&m); err != nil {
		return m, false, err
	}
	return m, true, nil
}

// adoptOrphan writes metadata for a WAV file no metadata names.
func adoptOrphan(dir, name string) (Meta, error) {
	path := filepath.Join(dir, name)
	info, err := Repair(path)
	if err != nil {
		return Meta{}, err
	}
	id := []byte(strings.TrimSuffix(name, ".wav"))
	for i, c := range id {
		if !safeByte(c) || i == 0 && c == '.' {
			id[i] = '_'
		}
	}
	start := time.Time{}
	if st, err := os.Stat(path); err == nil {
		start = st.ModTime().Add(-info.Duration())
	}
	format := map[int]string{tagPCM: PCM16.String(), tagUlaw: Ulaw.String(), tagAlaw: Alaw.String()}[info.FormatTag]
	layout := Mono.String()
	if info.Channels == 2 {
		layout = Stereo.String()
	}
	m := Meta{
		ID: string(id), Start: start, DurationMS: info.Duration().Milliseconds(),
		Segments: []Segment{{File: name, Start: start, DurationMS: info.Duration().Milliseconds(),
			Bytes: info.DataOffset + info.DataBytes + info.DataBytes&1}},
		Format: format, Layout: layout, Channels: info.Channels, SampleRate: info.SampleRate,
		State: StateRepaired, Dir: dir,
	}
	if _, err := os.Stat(m.MetaPath()); err == nil {
		return Meta{}, fmt.Errorf("%w: %s is not listed in %s", ErrMeta, name, m.MetaPath())
	}
	if err := writeMeta(&m); err != nil {
		return Meta{}, err
	}
	return m, nil
}
