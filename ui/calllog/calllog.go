// Package calllog keeps the phone's call history: missed, received and
// dialled calls, newest first, bounded in size, kept across restarts in
// the state directory.
//
// The common path:
//
//	log, err := calllog.Open(filepath.Join(stateDir, "calllog"), calllog.DefaultSize)
//	log.Add(calllog.Entry{Kind: calllog.Missed, Number: "2000", ...})
//	for _, e := range log.Entries() { ... }
//
// The file holds one entry per line, tab-separated, oldest first; each Add
// rewrites it atomically (temp file, fsync, rename), so a power cut leaves
// the old history or the new one. A damaged line is skipped on Open and
// reported, never fatal: a broken history must not stop the phone.
package calllog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"ccphone/provisioning"
)

// DefaultSize is how many entries the phone keeps.
const DefaultSize = 600

// ErrCorrupt reports lines of a history file that could not be read; the
// rest of the history is kept.
var ErrCorrupt = errors.New("calllog: damaged entries skipped")

// Kind is what happened to a call.
type Kind uint8

// Kinds of entries.
const (
	Missed Kind = iota
	Received
	Dialed
)

var kindNames = [...]string{"missed", "received", "dialed"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Entry is one call in the history.
type Entry struct {
	Time     time.Time     // when the call started
	Kind     Kind          //
	Line     int           // 1-based account
	Number   string        // the far end's number or URI user
	Name     string        // the far end's display name, if known
	Duration time.Duration // talk time; zero for missed calls
}

// Log is the history. It is safe for concurrent use.
type Log struct {
	path string
	size int

	mu      sync.Mutex
	entries []Entry // oldest first
}

// Open loads the history at path (a missing file is an empty history) and
// keeps at most size entries. On damaged lines it returns the log with
// what could be read and an error wrapping ErrCorrupt.
func Open(path string, size int) (*Log, error) {
	if size <= 0 {
		size = DefaultSize
	}
	l := &Log{path: path, size: size}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("calllog: %w", err)
	}
	var bad []int
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		if sc.Text() == "" {
			continue
		}
		e, err := parseLine(sc.Text())
		if err != nil {
			bad = append(bad, n)
			continue
		}
		l.entries = append(l.entries, e)
	}
	if len(l.entries) > size {
		l.entries = l.entries[len(l.entries)-size:]
	}
	if len(bad) > 0 {
		return l, fmt.Errorf("%w: %s lines %v", ErrCorrupt, path, bad)
	}
	return l, nil
}

// Add records a call and saves the history. The entry is kept in memory
// even when saving fails.
func (l *Log) Add(e Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	if len(l.entries) > l.size {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-l.size:]...)
	}
	return l.save()
}

// Clear empties the history.
func (l *Log) Clear() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
	return l.save()
}

// Len returns the number of entries.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// At returns entry i, newest first (0 is the latest call).
func (l *Log) At(i int) (Entry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i < 0 || i >= len(l.entries) {
		return Entry{}, false
	}
	return l.entries[len(l.entries)-1-i], true
}

// Entries returns a copy of the history, newest first.
func (l *Log) Entries() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Entry, len(l.entries))
	for i, e := range l.entries {
		out[len(out)-1-i] = e
	}
	return out
}

func (l *Log) save() error {
	if l.path == "" {
		return nil
	}
	var b bytes.Buffer
	for _, e := range l.entries {
		b.WriteString(formatLine(e))
		b.WriteByte('\n')
	}
	if err := provisioning.WriteFileAtomic(l.path, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("calllog: save: %w", err)
	}
	return nil
}

// formatLine writes an entry as: unix-ms, kind, line, duration-ms,
// number, name — tab-separated, with tabs and newlines in the text
// replaced by spaces.
func formatLine(e Entry) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, s)
	}
	return strings.Join([]string{
		strconv.FormatInt(e.Time.UnixMilli(), 10),
		e.Kind.String(),
		strconv.Itoa(e.Line),
		strconv.FormatInt(e.Duration.Milliseconds(), 10),
		clean(e.Number),
		clean(e.Name),
	}, "\t")
}

func parseLine(s string) (Entry, error) {
	f := strings.Split(s, "\t")
	if len(f) != 6 {
		return Entry{}, errors.New("want 6 fields")
	}
	ms, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return Entry{}, err
	}
	kind := -1
	for i, n := range kindNames {
		if n == f[1] {
			kind = i
		}
	}
	if kind < 0 {
		return Entry{}, fmt.Errorf("kind %q", f[1])
	}
	line, err := strconv.Atoi(f[2])
	if err != nil {
		return Entry{}, err
	}
	dur, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil || dur < 0 {
		return Entry{}, fmt.Errorf("duration %q", f[3])
	}
	return Entry{Time: time.UnixMilli(ms), Kind: Kind(kind), Line: line,
		Duration: time.Duration(dur) * time.Millisecond, Number: f[4], Name: f[5]}, nil
}
