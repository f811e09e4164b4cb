package upload

import (
	"ccphone/media/internal/atomicfile"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Item is one recording to upload: its files, in upload order (the
// audio, then its metadata file), the call's details for URL templates
// and the menu, and the destination's name.
type Item struct {
	// ID is unique and file-safe (letters, digits, '.', '_', '-'); it
	// names the job. The recording's ID is the natural choice.
	ID          string    `json:"id"`
	Files       []string  `json:"files"`
	Destination string    `json:"destination"`
	CallID      string    `json:"call_id"`
	Line        int       `json:"line"`
	Direction   string    `json:"direction"` // "in" or "out"
	From        string    `json:"from"`
	To          string    `json:"to"`
	Start       time.Time `json:"start"`
}

// State is where a job stands.
//
//	Pending --Run picks it--> Uploading --all files confirmed--> Done
//	Uploading --transient error--> Retrying --backoff passed--> Uploading
//	Uploading --4xx or MaxTries--> Failed --Retry or SetDestinations--> Pending
type State uint8

// The states of a job.
const (
	Pending   State = iota // waiting for its first try
	Uploading              // a try is under way
	Retrying               // a try failed; the next comes after a backoff
	Failed                 // given up until Retry: the server refused it
	Done                   // the server confirmed every file
)

var stateNames = [...]string{"pending", "uploading", "retrying", "failed", "done"}

// String returns the state's lower-case name.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("%w: state %q", ErrState, b)
}

// Status is a job as a "Recordings" menu shows it. It is a plain value.
type Status struct {
	ID        string
	Start     time.Time
	Direction string
	// Number is the other party: From for an inbound call, To otherwise.
	Number      string
	State       State
	Tries       int    // failed tries since enqueue or the last Retry
	LastError   string // the last failure, kept after success for the log
	NextAttempt time.Time
	Bytes       int64 // size of the files
	Files       int
	Confirmed   int // files the server confirmed
}

// job is one Item's progress, persisted as <state dir>/<id>.json.
type job struct {
	Item        Item      `json:"item"`
	State       State     `json:"state"`
	Tries       int       `json:"tries"`
	LastError   string    `json:"last_error,omitempty"`
	NextAttempt time.Time `json:"next_attempt"`
	Confirmed   []bool    `json:"confirmed"`
	Bytes       int64     `json:"bytes"`
	Enqueued    time.Time `json:"enqueued"`
	DoneAt      time.Time `json:"done_at"`
}

// Queue uploads recordings to storage servers and remembers, in its
// state folder, every job until the server confirmed it, across restarts.
// All methods are safe for concurrent use; one Run at a time does the
// uploads.
type Queue struct {
	dir  string
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	jobs     map[string]*job
	busy     map[string]bool // jobs with a try under way
	reserved map[string]int64
	dests    map[string]Destination
	maxBytes int64 // Options.MaxBytes, changed by SetQuota

	wake    chan struct{}
	running atomic.Bool
}

// Open opens (creating it if needed) the queue's state folder dir and
// loads its jobs: pending ones resume when Run starts. A job whose files
// were confirmed but not yet deleted (a crash in between) has them
// deleted now if DeleteAfterUpload is set. Open does file I/O.
func Open(dir string, opts Options) (*Queue, error) {
	opts.fill()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("upload: open %s: %w", dir, err)
	}
	q := &Queue{
		dir: dir, opts: opts, log: opts.Logger,
		jobs: map[string]*job{}, busy: map[string]bool{}, reserved: map[string]int64{},
		dests: copyDests(opts.Destinations), maxBytes: opts.MaxBytes, wake: make(chan struct{}, 1),
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("upload: open %s: %w", dir, err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-") {
			_ = os.Remove(filepath.Join(dir, name)) // an interrupted atomic write; the old file stands
			continue
		}
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("upload: open %s: %w", dir, err)
		}
		j := new(job)
		if err := json.Unmarshal(data, j); err != nil || j.Item.ID+".json" != name || len(j.Confirmed) != len(j.Item.Files) {
			return nil, fmt.Errorf("%w: %s: %v", ErrState, name, err)
		}
		if j.State == Uploading {
			j.State = Retrying // never stored, but be safe
		}
		q.jobs[j.Item.ID] = j
		if j.State == Done && opts.DeleteAfterUpload {
			q.deleteFiles(j)
		}
	}
	return q, nil
}

func copyDests(m map[string]Destination) map[string]Destination {
	out := make(map[string]Destination, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// SetDestinations replaces the destinations (after a provisioning
// change). Failed and Retrying jobs get another chance at once: they
// become Pending.
func (q *Queue) SetDestinations(d map[string]Destination) {
	q.mu.Lock()
	q.dests = copyDests(d)
	for _, j := range q.jobs {
		if j.State == Failed || j.State == Retrying {
			j.State, j.Tries, j.NextAttempt = Pending, 0, time.Time{}
			q.persist(j)
		}
	}
	q.mu.Unlock()
	q.kick()
}

// Enqueue adds a job for item and stores it before returning: from then
// on the upload survives restarts. Enqueueing an ID the queue already
// holds does nothing, so start-up may offer every recording it finds.
// The item's files must exist. Enqueue never refuses for the quota: the
// recording exists already.
func (q *Queue) Enqueue(item Item) error {
	if !validID(item.ID) {
		return fmt.Errorf("%w: id %q", ErrBadItem, item.ID)
	}
	if len(item.Files) == 0 || item.Destination == "" {
		return fmt.Errorf("%w: %s: no files or no destination", ErrBadItem, item.ID)
	}
	var size int64
	for _, f := range item.Files {
		st, err := os.Stat(f)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrBadItem, item.ID, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%w: %s: %s is not a file", ErrBadItem, item.ID, f)
		}
		size += st.Size()
	}
	item.Files = append([]string(nil), item.Files...)
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.jobs[item.ID]; ok {
		delete(q.reserved, item.ID)
		return nil
	}
	j := &job{Item: item, State: Pending, Confirmed: make([]bool, len(item.Files)),
		Bytes: size, Enqueued: q.opts.Clock.Now()}
	if err := q.persist(j); err != nil {
		return err
	}
	q.jobs[item.ID] = j
	delete(q.reserved, item.ID)
	q.log.Info("upload queued", "id", item.ID, "files", len(item.Files), "bytes", size)
	q.kickLocked()
	return nil
}

// Retry makes a Failed or Retrying job Pending now, with its try count
// reset. It returns ErrUnknownJob for an unknown ID; a job that is
// uploading or done is left alone.
func (q *Queue) Retry(id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, ok := q.jobs[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownJob, id)
	}
	if j.State == Failed || j.State == Retrying {
		j.State, j.Tries, j.NextAttempt = Pending, 0, time.Time{}
		if err := q.persist(j); err != nil {
			return err
		}
		q.kickLocked()
	}
	return nil
}

// Jobs returns every job's status, newest recording first.
func (q *Queue) Jobs() []Status {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Status, 0, len(q.jobs))
	for _, j := range q.jobs {
		s := Status{ID: j.Item.ID, Start: j.Item.Start, Direction: j.Item.Direction, Number: j.Item.To,
			State: j.State, Tries: j.Tries, LastError: j.LastError, NextAttempt: j.NextAttempt,
			Bytes: j.Bytes, Files: len(j.Item.Files)}
		if j.Item.Direction == "in" {
			s.Number = j.Item.From
		}
		if q.busy[j.Item.ID] {
			s.State = Uploading
		}
		for _, c := range j.Confirmed {
			if c {
				s.Confirmed++
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].Start.Equal(out[b].Start) {
			return out[a].Start.After(out[b].Start)
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// Unconfirmed returns the bytes of recordings the server has not
// confirmed yet plus the reservations: what the quota counts.
func (q *Queue) Unconfirmed() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.usedLocked()
}

func (q *Queue) usedLocked() int64 {
	var n int64
	for _, j := range q.jobs {
		if j.State != Done {
			n += j.Bytes
		}
	}
	for _, r := range q.reserved {
		n += r
	}
	return n
}

// CanRecord reports whether a new recording may start: the unconfirmed
// recordings and reservations are below Options.MaxBytes. When it is
// false the phone refuses new recordings and says so; nothing is deleted
// to make room.
func (q *Queue) CanRecord() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.maxBytes <= 0 || q.usedLocked() < q.maxBytes
}

// Quota returns the quota in bytes (Options.MaxBytes or the last
// SetQuota); 0 means none.
func (q *Queue) Quota() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.maxBytes
}

// SetQuota replaces Options.MaxBytes (after a provisioning change); 0
// means no quota. Nothing is deleted when the new quota is smaller: new
// recordings are refused until uploads make room.
func (q *Queue) SetQuota(maxBytes int64) {
	q.mu.Lock()
	q.maxBytes = max(maxBytes, 0)
	q.mu.Unlock()
}

// Reserve sets aside n bytes of the quota for the recording id while it
// is being made (record.Options.BytesPerSecond × its time limit), or
// returns ErrQuota if they do not fit. Enqueue of the same ID, or
// Release, ends the reservation.
func (q *Queue) Reserve(id string, n int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.maxBytes > 0 && q.usedLocked()-q.reserved[id]+n > q.maxBytes {
		return fmt.Errorf("%w: %d bytes for %s", ErrQuota, n, id)
	}
	q.reserved[id] = n
	return nil
}

// Release ends the reservation of a recording that was discarded.
func (q *Queue) Release(id string) {
	q.mu.Lock()
	delete(q.reserved, id)
	q.mu.Unlock()
}

func (q *Queue) kick() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *Queue) kickLocked() { q.kick() }

// persist stores j atomically; the caller holds q.mu.
func (q *Queue) persist(j *job) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("upload: store %s: %w", j.Item.ID, err)
	}
	if err := atomicfile.Write(filepath.Join(q.dir, j.Item.ID+".json"), append(data, '\n'), 0o600); err != nil {
		q.log.Error("upload: cannot store job", "id", j.Item.ID, "err", err)
		return fmt.Errorf("upload: store %s: %w", j.Item.ID, err)
	}
	return nil
}

// Run uploads jobs until ctx is done, then waits for the tries under way
// (they are cancelled and count as not tried) and returns ctx's error.
// Only one Run may be active; it returns ErrRunning otherwise.
func (q *Queue) Run(ctx context.Context) error {
	if !q.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer q.running.Store(false)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := q.opts.Clock.NewTimer()
	defer timer.Stop()
	finished := make(chan struct{}, q.opts.Concurrency)
	inflight := 0
	for {
		now := q.opts.Clock.Now()
		var next time.Time
		q.mu.Lock()
		for inflight < q.opts.Concurrency {
			j := q.nextDueLocked(now, &next)
			if j == nil {
				break
			}
			q.busy[j.Item.ID] = true
			inflight++
			wg.Add(1)
			go func() {
				defer wg.Done()
				q.try(ctx, j)
				finished <- struct{}{}
			}()
		}
		q.mu.Unlock()
		if !next.IsZero() {
			timer.Reset(next.Sub(now))
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-finished:
			inflight--
		case <-q.wake:
		case <-timer.C():
		}
	}
}

// nextDueLocked returns the oldest job due now, and lowers *next to the
// earliest later due time.
func (q *Queue) nextDueLocked(now time.Time, next *time.Time) *job {
	var best *job
	for _, j := range q.jobs {
		if q.busy[j.Item.ID] || (j.State != Pending && j.State != Retrying) {
			continue
		}
		if j.NextAttempt.After(now) {
			if next.IsZero() || j.NextAttempt.Before(*next) {
				*next = j.NextAttempt
			}
			continue
		}
		if best == nil || j.Enqueued.Before(best.Enqueued) ||
			j.Enqueued.Equal(best.Enqueued) && j.Item.ID < best.Item.ID {
			best = j
		}
	}
	return best
}

// try uploads j's unconfirmed files in order, recording each
// confirmation before the next.
func (q *Queue) try(ctx context.Context, j *job) {
	item := j.Item // immutable after Enqueue
	q.mu.Lock()
	dest, ok := q.dests[item.Destination]
	confirmed := append([]bool(nil), j.Confirmed...)
	q.mu.Unlock()
	var err error
	if !ok {
		err = fmt.Errorf("%w: %q is not configured", ErrDestination, item.Destination)
	}
	for i, f := range item.Files {
		if err != nil {
			break
		}
		if confirmed[i] {
			continue
		}
		actx, cancel := context.WithTimeout(ctx, q.opts.AttemptTimeout)
		err = q.send(actx, dest, item, f)
		cancel()
		if err != nil {
			err = fmt.Errorf("%s: %w", filepath.Base(f), err)
			break
		}
		q.log.Info("uploaded", "id", item.ID, "file", filepath.Base(f), "to", dest.String())
		q.mu.Lock()
		j.Confirmed[i] = true
		perr := q.persist(j)
		q.mu.Unlock()
		if perr != nil {
			err = perr
		}
	}

	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.busy, item.ID)
	defer q.kickLocked()
	switch {
	case err == nil:
		j.State, j.DoneAt, j.NextAttempt = Done, q.opts.Clock.Now(), time.Time{}
		if q.persist(j) == nil && q.opts.DeleteAfterUpload {
			q.deleteFiles(j)
		}
		q.log.Info("upload done", "id", item.ID)
		q.storageBackLocked(j)
	case ctx.Err() != nil:
		// Stopped, not failed: the try does not count.
	default:
		j.Tries++
		j.LastError = err.Error()
		if errors.Is(err, ErrRejected) || errors.Is(err, ErrBadItem) || errors.Is(err, ErrDestination) && ok ||
			q.opts.MaxTries > 0 && j.Tries >= q.opts.MaxTries {
			j.State = Failed
			q.log.Warn("upload failed; waiting for Retry", "id", item.ID, "tries", j.Tries, "err", err)
		} else {
			j.State = Retrying
			j.NextAttempt = q.opts.Clock.Now().Add(q.opts.backoff(j.Tries))
			q.log.Warn("upload failed; will retry", "id", item.ID, "tries", j.Tries, "at", j.NextAttempt, "err", err)
		}
		_ = q.persist(j) // logged; the job stays in memory either way
	}
}

// storageBackLocked makes the jobs waiting out a backoff for done's
// destination due now: the server has just confirmed an upload, so an
// outage is over and the backlog goes at once instead of each job
// waiting out its own (by then long) backoff. Their try counts stay; the
// new due time is not stored, as after a restart the jobs are due anyway
// or soon. The caller holds q.mu.
func (q *Queue) storageBackLocked(done *job) {
	for _, j := range q.jobs {
		if j != done && j.State == Retrying && j.Item.Destination == done.Item.Destination {
			j.NextAttempt = time.Time{}
		}
	}
}

// deleteFiles removes a confirmed job's files in order (the metadata
// file, last, goes last). The caller holds q.mu.
func (q *Queue) deleteFiles(j *job) {
	for i, f := range j.Item.Files {
		if !j.Confirmed[i] {
			return // cannot happen for a Done job; never delete unconfirmed
		}
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			q.log.Error("upload: cannot delete uploaded file", "file", f, "err", err)
		}
	}
}

func validID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
