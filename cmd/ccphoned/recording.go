package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"ccphone/hal"
	"ccphone/media"
	"ccphone/media/prompt"
	"ccphone/media/record"
	"ccphone/media/upload"
	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/ui"
)

// destination is the upload queue's name for the storage the policy
// names; it is replaced whenever the configuration changes.
const destination = "policy"

// recordings records calls under the provisioned policy and delivers
// them through the persistent upload queue. It is ui.Recording and
// ui.Recordings for the phone. It is safe for concurrent use.
type recordings struct {
	dir    string
	queue  *upload.Queue
	engine *media.Engine
	tel    *telephony
	config func() *provisioning.Config
	log    *slog.Logger
	phone  func() *ui.Phone

	// moveMu orders the hand-overs of a recording between media legs
	// (follow transfer) and its end, which wait for the engine's tick.
	moveMu sync.Mutex

	mu     sync.Mutex
	clips  map[string]*prompt.Clip // announcements by URL
	calls  map[sip.CallID]*callInfo
	active map[sip.CallID]*activeRecording
	// playing is the recording the Recordings menu plays, if any.
	playing *record.Player
	wg      sync.WaitGroup // recordings being closed and queued
}

var (
	_ ui.Recording  = (*recordings)(nil)
	_ ui.Recordings = (*recordings)(nil)
)

// callInfo is what the policy needs to know of a call.
type callInfo struct {
	line      int
	dir       sip.Direction
	remote    string
	connected time.Time
	state     sip.CallState
	decided   bool
	server    *bool // the PBX asked for (or against) recording in the INVITE
}

// activeRecording is a call's recording. With the policy's follow
// transfer it follows the agent into a consultation: while the recorded
// call is held, the agent's outgoing call and then whichever of the two
// the agent talks to feed it, each stretch a new segment, until both
// calls have ended (the transfer joins the customer and the target and
// ends both on the phone).
type activeRecording struct {
	rec      *record.Recorder
	decision provisioning.Decision
	paused   bool
	on       sip.CallID // the call whose media leg feeds it
	consult  sip.CallID // the consultation it follows, 0 for none
	// ownerGone: the recorded call ended (transferred) while the
	// recording was on the consultation.
	ownerGone bool
}

// openRecordings repairs what a power cut left, opens the upload queue
// and queues every finished recording not yet uploaded.
func openRecordings(stateDir string, cfg *provisioning.Config, log *slog.Logger) (*recordings, error) {
	dir := filepath.Join(stateDir, "recordings")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	repaired, err := record.RepairDir(dir)
	if err != nil {
		log.Warn("recordings: repair", "err", err)
	}
	for _, m := range repaired {
		log.Warn("recording repaired after a power cut", "id", m.ID)
	}
	opts := cfg.RecordingOptions()
	q, err := upload.Open(filepath.Join(stateDir, "uploads"), upload.Options{
		Destinations:      destinations(cfg),
		DeleteAfterUpload: opts.DeleteAfterUpload,
		MaxBytes:          opts.QuotaBytes,
		Logger:            log.With("part", "upload"),
	})
	if err != nil {
		return nil, err
	}
	r := &recordings{dir: dir, queue: q, log: log, calls: map[sip.CallID]*callInfo{}, active: map[sip.CallID]*activeRecording{}}
	metas, err := record.List(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		log.Warn("recordings: list", "err", err)
	}
	for _, m := range metas {
		if err := q.Enqueue(itemOf(m)); err != nil {
			log.Warn("recordings: queue", "id", m.ID, "err", err)
		}
	}
	return r, nil
}

// destinations maps the policy's storage onto the upload queue's.
func destinations(cfg *provisioning.Config) map[string]upload.Destination {
	d := cfg.RecordingDecision(provisioning.CallInfo{Line: 1, Direction: provisioning.Inbound, UserRequested: true})
	url, method := d.URL, d.Method
	if url == "" {
		url, method = cfg.String("recording.url"), cfg.String("recording.method")
	}
	if url == "" {
		return map[string]upload.Destination{}
	}
	dst := upload.Destination{URL: url}
	switch method {
	case "post":
		dst.Kind = upload.POST
	case "s3":
		// Path-style: the URL is the endpoint and the bucket, with an
		// optional key prefix: http://s3.example.net:9000/bucket/prefix.
		u, err := neturl.Parse(url)
		if err != nil {
			return map[string]upload.Destination{}
		}
		bucket, prefix, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
		s3 := cfg.RecordingOptions().S3
		dst.Kind = upload.S3
		dst.URL = u.Scheme + "://" + u.Host
		dst.Bucket = bucket
		if prefix != "" {
			dst.Key = prefix + "/{id}/{file}"
		}
		dst.Region, dst.AccessKey, dst.SecretKey = s3.Region, s3.AccessKey, s3.SecretKey.Reveal()
	default:
		dst.Kind = upload.PUT
	}
	return map[string]upload.Destination{destination: dst}
}

func itemOf(m record.Meta) upload.Item {
	return upload.Item{ID: m.ID, Files: m.Files(), Destination: destination, CallID: m.CallID,
		Line: m.Line, Direction: m.Direction, From: m.From, To: m.To, Start: m.Start}
}

// Run uploads until ctx ends, then waits for recordings being closed.
func (r *recordings) Run(ctx context.Context) error {
	err := r.queue.Run(ctx)
	r.stopPlaying()
	r.wg.Wait()
	return err
}

// Reconfigure takes a new configuration's storage and quota.
func (r *recordings) Reconfigure(cfg *provisioning.Config) {
	r.queue.SetQuota(cfg.RecordingOptions().QuotaBytes)
	r.queue.SetDestinations(destinations(cfg))
}

// recordingStatus is the recordings' part of the panel's /api/state.
type recordingStatus struct {
	// Pending counts the recordings on the phone that the storage
	// server has not confirmed yet (queued, uploading, retrying or
	// failed); Failed those of them waiting for Retry.
	Pending int `json:"pending"`
	Failed  int `json:"failed"`
	// UnconfirmedBytes is what the quota counts; QuotaBytes the quota.
	UnconfirmedBytes int64 `json:"unconfirmed_bytes"`
	QuotaBytes       int64 `json:"quota_bytes"`
	// StorageFull is true while new recordings are refused for the quota.
	StorageFull bool `json:"storage_full"`
}

// status reports the upload queue for the panel. Safe from any goroutine.
func (r *recordings) status() recordingStatus {
	var s recordingStatus
	for _, j := range r.queue.Jobs() {
		if j.State != upload.Done {
			s.Pending++
		}
		if j.State == upload.Failed {
			s.Failed++
		}
	}
	s.UnconfirmedBytes, s.QuotaBytes = r.queue.Unconfirmed(), r.queue.Quota()
	s.StorageFull = !r.queue.CanRecord()
	return s
}

// panelState is /api/state: the phone's status and, when the phone
// records, its recordings.
type panelState struct {
	*ui.Status
	Recording *recordingStatus `json:"recording,omitempty"`
}

func panelStatus(st *ui.Status, r *recordings) any {
	if r == nil || st == nil {
		return st
	}
	rs := r.status()
	return panelState{Status: st, Recording: &rs}
}

// callEvent follows a call: the policy is asked when it is answered, and
// its recording ends with it.
func (r *recordings) callEvent(e sip.CallEvent) {
	r.mu.Lock()
	c := r.calls[e.ID]
	if c == nil {
		c = &callInfo{line: e.Line, dir: e.Direction}
		r.calls[e.ID] = c
	}
	if e.Remote != "" {
		c.remote = e.Remote
	}
	if e.RecordRequested != nil {
		c.server = e.RecordRequested
	}
	c.state = e.State
	decide := e.State == sip.CallConnected && !c.decided
	if decide {
		c.decided, c.connected = true, time.Now()
	}
	r.mu.Unlock()
	switch {
	case decide:
		if r.followInto(e.ID) {
			return // the consultation is part of the held call's recording
		}
		r.mu.Lock()
		server := c.server
		r.mu.Unlock()
		d := r.decide(e.ID, server, false)
		if d.Record {
			if err := r.start(e.ID, d); err != nil {
				r.log.Warn("recording not started", "call", e.ID, "err", err)
			}
		}
	case e.State == sip.CallConnected:
		r.followBack(e.ID)
	case e.State == sip.CallEnded:
		r.stop(e.ID, true)
		r.mu.Lock()
		delete(r.calls, e.ID)
		r.mu.Unlock()
	}
}

// serverRequest follows a PBX's SIP INFO Record: on/off.
func (r *recordings) serverRequest(id sip.CallID, on bool) {
	if !on {
		r.stop(id, false)
		return
	}
	if d := r.decide(id, &on, false); d.Record {
		r.start(id, d)
	}
}

func (r *recordings) decide(id sip.CallID, server *bool, user bool) provisioning.Decision {
	r.mu.Lock()
	c := r.calls[id]
	r.mu.Unlock()
	if c == nil {
		return provisioning.Decision{}
	}
	dir := provisioning.Outbound
	if c.dir == sip.Incoming {
		dir = provisioning.Inbound
	}
	d := r.config().RecordingDecision(provisioning.CallInfo{Line: c.line, Direction: dir, Remote: c.remote,
		ServerRequires: server, UserRequested: user})
	r.log.Info("recording policy", "call", id, "record", d.Record, "rule", d.Rule)
	return d
}

// Record implements ui.Recording: the agent asks to start or stop.
func (r *recordings) Record(id ui.CallID, on bool) error {
	sid := sip.CallID(id)
	if !on {
		r.stop(sid, false)
		return nil
	}
	d := r.decide(sid, nil, true)
	if !d.Record {
		return errors.New("recording: the policy does not allow recording this call")
	}
	return r.start(sid, d)
}

// start begins (or resumes, as a new segment) the call's recording.
func (r *recordings) start(id sip.CallID, d provisioning.Decision) error {
	leg := r.tel.leg(id)
	if leg == nil {
		return fmt.Errorf("recording: call %d has no media", id)
	}
	r.mu.Lock()
	a := r.active[id]
	c := r.calls[id]
	paused := a != nil && a.paused
	r.mu.Unlock()
	switch {
	case a != nil && !paused:
		return nil
	case a != nil:
		if err := a.rec.Start(); err != nil {
			return err
		}
		r.mu.Lock()
		a.paused, a.on = false, id
		r.mu.Unlock()
	default:
		if !r.queue.CanRecord() {
			r.notice("notice.storage_full")
			return errors.New("recording: storage full")
		}
		rec, err := record.Open(r.dir, record.Options{
			ID:         "rec-" + time.Now().UTC().Format("20060102T150405.000") + "-" + strconv.FormatUint(uint64(id), 10),
			Call:       r.callInfo(id, c, d),
			Format:     recordFormat(d.Format),
			Layout:     recordLayout(d.Format),
			SampleRate: r.engine.SampleRate(),
			TimeLimit:  d.TimeLimit,
			MinLength:  d.MinLength,
			Logger:     r.log,
		})
		if err != nil {
			return err
		}
		a = &activeRecording{rec: rec, decision: d, on: id}
		r.mu.Lock()
		r.active[id] = a
		r.mu.Unlock()
	}
	if err := leg.StartRecording(a.rec); err != nil {
		return err
	}
	if url := r.config().RecordingOptions().Announcement; url != "" && !paused {
		r.wg.Go(func() { r.announce(id, leg, url) })
	}
	if p := r.phone(); p != nil {
		p.SetCallRecording(context.Background(), ui.CallID(id), true, time.Now())
	}
	return nil
}

// announce plays the recording announcement to both parties: the far end
// (mixed with the agent's voice) and the agent's headset.
func (r *recordings) announce(id sip.CallID, leg *media.Leg, url string) {
	r.mu.Lock()
	clip := r.clips[url]
	r.mu.Unlock()
	if clip == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		fetcher := provisioning.NewFetcher(provisioning.FetchOptions{MaxSize: prompt.MaxFileSize})
		defer fetcher.Close()
		var err error
		clip, err = prompt.Load(ctx, func(ctx context.Context, u string) ([]byte, error) {
			f, err := fetcher.Fetch(ctx, u, provisioning.Validators{})
			if err != nil {
				return nil, err
			}
			return f.Data, nil
		}, url, r.engine.SampleRate())
		if err != nil {
			r.log.Warn("recording announcement: not played", "err", err)
			return
		}
		r.mu.Lock()
		if r.clips == nil {
			r.clips = map[string]*prompt.Clip{}
		}
		r.clips[url] = clip
		r.mu.Unlock()
	}
	err := errors.Join(leg.PlayClip(prompt.NewPlayer(clip, false, 0)),
		r.engine.PlayClip(hal.PortHeadset, prompt.NewPlayer(clip, false, 0)))
	if err != nil {
		r.log.Warn("recording announcement", "call", id, "err", err)
	}
}

// stop pauses the call's recording (a later start makes a new segment),
// or ends it at the end of the call: then the recording is closed and
// queued for upload off the media tick.
func (r *recordings) stop(id sip.CallID, end bool) {
	r.stopLeg(id, r.tel.leg(id), end)
}

// legClosed ends the call's recording as its media leg closes, while the
// engine can still hand the recorder back.
func (r *recordings) legClosed(id sip.CallID, leg *media.Leg) {
	r.stopLeg(id, leg, true)
}

func (r *recordings) stopLeg(id sip.CallID, leg *media.Leg, end bool) {
	r.moveMu.Lock()
	defer r.moveMu.Unlock()
	r.mu.Lock()
	owner, a := id, r.active[id]
	if end {
		// The call whose leg feeds a recording ends: the recorded call,
		// or the consultation a recording follows.
		owner, a = r.fedBy(id)
		if a == nil {
			if b := r.active[id]; b != nil {
				// The recorded call was transferred while its recording
				// is on the consultation: that goes on.
				b.ownerGone = true
			}
			r.mu.Unlock()
			return
		}
		if owner != id && !a.ownerGone && r.tel.leg(owner) != nil {
			// The consultation ended first: back to the held call.
			r.mu.Unlock()
			r.moveLocked(a, owner, leg)
			return
		}
		delete(r.active, owner)
	} else if a != nil && a.on != id {
		leg = r.tel.leg(a.on)
	}
	paused := a != nil && a.paused
	r.mu.Unlock()
	if a == nil {
		return
	}
	var back <-chan media.Recorder
	if !paused {
		if leg == nil {
			// Cannot happen: a leg's recording ends in legClosed before
			// the leg goes. Leave the file for the repair at start-up
			// rather than close it under the engine's feet.
			r.log.Error("recording: no media leg to stop it on; left for repair", "call", id)
			return
		}
		back, _ = leg.StopRecording()
	}
	if p := r.phone(); p != nil && !end {
		p.SetCallRecording(context.Background(), ui.CallID(id), false, time.Time{})
	}
	r.wg.Go(func() {
		if back != nil {
			<-back // the engine no longer writes to it
		}
		if !end {
			if err := a.rec.Stop(); err != nil {
				r.log.Warn("recording: pause", "call", id, "err", err)
			}
			r.mu.Lock()
			a.paused = true
			r.mu.Unlock()
			return
		}
		m, err := a.rec.Close()
		if err != nil {
			r.log.Error("recording: close", "call", id, "err", err)
		}
		if m.Discarded {
			r.log.Info("recording discarded: shorter than the minimum", "id", m.ID)
			return
		}
		if err := r.queue.Enqueue(itemOf(m)); err != nil {
			r.log.Error("recording: queue", "id", m.ID, "err", err)
			return
		}
		r.log.Info("recording queued for upload", "id", m.ID, "files", len(m.Files()))
	})
}

// fedBy returns the recording call id's media leg feeds, and the call
// it records. The caller holds r.mu.
func (r *recordings) fedBy(id sip.CallID) (sip.CallID, *activeRecording) {
	for owner, a := range r.active {
		if a.on == id {
			return owner, a
		}
	}
	return 0, nil
}

// followInto makes the recording of a held call follow the agent into
// the consultation x (an outgoing call just connected), when the
// policy's follow transfer says so: the held call's segment ends and x
// feeds the next one. It reports whether x is now recorded that way.
func (r *recordings) followInto(x sip.CallID) bool {
	r.moveMu.Lock()
	defer r.moveMu.Unlock()
	r.mu.Lock()
	var a *activeRecording
	owner := sip.CallID(0)
	if c := r.calls[x]; c != nil && c.dir == sip.Outgoing {
		for id, b := range r.active {
			held := r.calls[id]
			if id != x && b.on == id && b.consult == 0 && !b.paused && b.decision.FollowTransfer &&
				held != nil && held.state == sip.CallHeld {
				owner, a = id, b
			}
		}
	}
	r.mu.Unlock()
	if a == nil {
		return false
	}
	r.log.Info("recording follows the agent into the consultation", "call", owner, "consultation", x)
	r.mu.Lock()
	a.consult = x
	r.mu.Unlock()
	if err := r.moveLocked(a, x, r.tel.leg(owner)); err != nil {
		return false
	}
	if p := r.phone(); p != nil {
		p.SetCallRecording(context.Background(), ui.CallID(x), true, time.Now())
	}
	return true
}

// followBack moves a following recording to call y when the agent talks
// to y again (y resumed): the recorded call or its consultation.
func (r *recordings) followBack(y sip.CallID) {
	r.moveMu.Lock()
	defer r.moveMu.Unlock()
	r.mu.Lock()
	var a *activeRecording
	for owner, b := range r.active {
		if b.consult != 0 && b.on != y && !b.paused && (owner == y && !b.ownerGone || b.consult == y) {
			a = b
		}
	}
	var from *media.Leg
	if a != nil {
		from = r.tel.leg(a.on)
	}
	r.mu.Unlock()
	if a != nil {
		r.moveLocked(a, y, from)
	}
}

// moveLocked hands a's recorder from the leg from (nil if gone) to call
// to's leg, as a new segment. It waits for the engine's next tick. The
// caller holds r.moveMu; a stays in r.active.
func (r *recordings) moveLocked(a *activeRecording, to sip.CallID, from *media.Leg) error {
	if from != nil {
		back, _ := from.StopRecording()
		<-back
	}
	err := a.rec.Stop()
	leg := r.tel.leg(to)
	if err == nil && leg == nil {
		err = fmt.Errorf("recording: call %d has no media", to)
	}
	if err == nil {
		err = a.rec.Start()
	}
	if err == nil {
		err = leg.StartRecording(a.rec)
	}
	r.mu.Lock()
	if err != nil {
		a.paused = true // a later start or the call's end picks it up
	} else {
		a.on = to
	}
	r.mu.Unlock()
	if err != nil {
		r.log.Warn("recording: follow", "to", to, "err", err)
	}
	return err
}

func (r *recordings) callInfo(id sip.CallID, c *callInfo, d provisioning.Decision) record.CallInfo {
	info := record.CallInfo{CallID: strconv.FormatUint(uint64(id), 10), Network: d.Network.String(), Rule: d.Rule}
	if c != nil {
		info.Line = c.line
		info.Direction = c.dir.String()
		if c.dir == sip.Incoming {
			info.From = c.remote
		} else {
			info.To = c.remote
		}
	}
	return info
}

func (r *recordings) notice(key string) {
	if p := r.phone(); p != nil {
		p.Notice(context.Background(), key)
	}
}

func recordFormat(f string) record.Format {
	switch f {
	case "wav_ulaw":
		return record.Ulaw
	case "wav_alaw":
		return record.Alaw
	}
	return record.PCM16
}

func recordLayout(f string) record.Layout {
	if f == "wav" {
		return record.Mono
	}
	return record.Stereo
}

// List implements ui.Recordings.
func (r *recordings) List() []ui.RecordingInfo {
	jobs := r.queue.Jobs()
	out := make([]ui.RecordingInfo, 0, len(jobs))
	for i := len(jobs) - 1; i >= 0; i-- {
		j := jobs[i]
		dir := ui.Outgoing
		if j.Direction == "in" {
			dir = ui.Incoming
		}
		out = append(out, ui.RecordingInfo{ID: j.ID, Start: j.Start, Direction: dir, Number: j.Number,
			Upload: j.State.String(), Tries: j.Tries, LastError: j.LastError})
	}
	return out
}

// Retry implements ui.Recordings.
func (r *recordings) Retry(id string) error { return r.queue.Retry(id) }

// Play implements ui.Recordings: the recording, every segment in
// order, mixed down to mono, plays to the agent's headset. It is read
// from the files as it plays (record.Player), so a recording of any
// length plays whole in little memory; a new Play replaces the one
// playing.
func (r *recordings) Play(id string) error {
	metas, err := record.List(r.dir)
	if err != nil {
		return err
	}
	for _, m := range metas {
		if m.ID != id {
			continue
		}
		player, err := record.Play(m, r.engine.SampleRate())
		if err != nil {
			return fmt.Errorf("recordings: play %s: %w (deleted after upload?)", id, err)
		}
		r.mu.Lock()
		old := r.playing
		r.playing = player
		r.mu.Unlock()
		err = r.engine.PlayClip(hal.PortHeadset, player)
		if old != nil {
			old.Stop()
		}
		if err != nil {
			player.Stop()
			return fmt.Errorf("recordings: play %s: %w", id, err)
		}
		return nil
	}
	return fmt.Errorf("recordings: play %s: no such recording on the phone", id)
}

// stopPlaying ends the playback of a recording, if any.
func (r *recordings) stopPlaying() {
	r.mu.Lock()
	old := r.playing
	r.playing = nil
	r.mu.Unlock()
	if old != nil {
		old.Stop()
	}
}
