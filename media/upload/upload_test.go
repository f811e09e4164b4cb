package upload_test

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ccphone/media/upload"
	"ccphone/media/upload/s3test"
	"ccphone/provisioning/nginxtest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// recording writes a fake recording (audio of size bytes and a small
// metadata file) into dir and returns its Item.
func recording(t *testing.T, dir, id string, size int, dest string) upload.Item {
	t.Helper()
	audio := make([]byte, size)
	if _, err := rand.Read(audio); err != nil {
		t.Fatal(err)
	}
	wav := filepath.Join(dir, id+"-01.wav")
	meta := filepath.Join(dir, id+".json")
	if err := os.WriteFile(wav, audio, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(meta, []byte(`{"id":"`+id+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return upload.Item{ID: id, Files: []string{wav, meta}, Destination: dest, CallID: id + "@pbx.example.net",
		Line: 1, Direction: "in", From: "+4930123", To: "1001", Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// run starts q.Run and stops it when the test ends.
func run(t *testing.T, q *upload.Queue) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitStates waits until every job is in state want.
func waitStates(t *testing.T, q *upload.Queue, n int, want upload.State) []upload.Status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		jobs := q.Jobs()
		ok := len(jobs) == n
		for _, j := range jobs {
			ok = ok && j.State == want
		}
		if ok {
			return jobs
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs did not all become %v: %+v", want, jobs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func open(t *testing.T, dir string, o upload.Options) *upload.Queue {
	t.Helper()
	o.Logger = quiet()
	if o.MinBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 40*time.Millisecond
	}
	q, err := upload.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// faultProxy stands in front of a server: it answers with status (503,
// 403, ...) while status is non-zero, and passes requests through
// otherwise. It counts the requests it failed.
type faultProxy struct {
	*httptest.Server
	status atomic.Int32
	failed atomic.Int32
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := p.status.Load(); s != 0 {
			_, _ = io.Copy(io.Discard, r.Body)
			p.failed.Add(1)
			http.Error(w, "injected fault", int(s))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// puts counts nginx's confirmed PUTs per URI.
func puts(lines []string) map[string]int {
	out := map[string]int{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "PUT" && (f[2] == "201" || f[2] == "204") {
			out[f[1]]++
		}
	}
	return out
}

// TestPutToNginx uploads to nginx's WebDAV: every file lands with the
// same SHA-256, once, and the local copies go only after confirmation.
func TestPutToNginx(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	recs := t.TempDir()
	q := open(t, t.TempDir(), upload.Options{DeleteAfterUpload: true, Destinations: map[string]upload.Destination{
		"nginx": {Kind: upload.PUT, URL: srv.URL + "/upload/{line}/{call_id}/{file}"},
	}})
	items := []upload.Item{recording(t, recs, "rec1", 100_000, "nginx"), recording(t, recs, "rec2", 3_000, "nginx")}
	want := map[string][32]byte{}
	for _, it := range items {
		for _, f := range it.Files {
			want[filepath.Join(srv.UploadDir, "1", it.CallID, filepath.Base(f))] = sum(t, f)
		}
		if err := q.Enqueue(it); err != nil {
			t.Fatal(err)
		}
	}
	run(t, q)
	waitStates(t, q, 2, upload.Done)
	for path, s := range want {
		if got := sum(t, path); got != s {
			t.Errorf("%s: SHA-256 differs from the recording", path)
		}
	}
	counts := puts(srv.WaitRequests(t, 4))
	if len(counts) != 4 {
		t.Errorf("PUTs %v, want 4 distinct files", counts)
	}
	for uri, n := range counts {
		if n != 1 {
			t.Errorf("%s stored %d times", uri, n)
		}
	}
	if ents, _ := os.ReadDir(recs); len(ents) != 0 {
		t.Errorf("local copies left after confirmed upload with DeleteAfterUpload: %v", ents)
	}
}

// TestOutageThenRecovery: the storage answers 503 to the first tries,
// then comes back; every recording is delivered exactly once, none lost.
func TestOutageThenRecovery(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	proxy := newFaultProxy(t, srv.URL)
	proxy.status.Store(503)
	recs := t.TempDir()
	q := open(t, t.TempDir(), upload.Options{Concurrency: 2, Destinations: map[string]upload.Destination{
		"d": {Kind: upload.PUT, URL: proxy.URL + "/upload/{id}/{file}"},
	}})
	for i := range 5 {
		if err := q.Enqueue(recording(t, recs, fmt.Sprintf("r%d", i), 20_000, "d")); err != nil {
			t.Fatal(err)
		}
	}
	run(t, q)
	for proxy.failed.Load() < 12 {
		time.Sleep(2 * time.Millisecond)
	}
	for _, j := range q.Jobs() {
		if j.State == upload.Done || j.State == upload.Failed {
			t.Fatalf("during the outage: %+v", j)
		}
	}
	proxy.status.Store(0)
	jobs := waitStates(t, q, 5, upload.Done)
	retried := 0
	for _, j := range jobs {
		if j.Tries > 0 {
			retried++
		}
		if j.Tries > 0 && !strings.Contains(j.LastError, "503") {
			t.Errorf("%s: last error %q", j.ID, j.LastError)
		}
	}
	if retried == 0 {
		t.Error("no job recorded a failed try")
	}
	counts := puts(srv.WaitRequests(t, 10))
	if len(counts) != 10 {
		t.Errorf("delivered %d files, want 10: %v", len(counts), counts)
	}
	for uri, n := range counts {
		if n != 1 {
			t.Errorf("%s delivered %d times", uri, n)
		}
	}
	if ents, _ := os.ReadDir(recs); len(ents) != 10 {
		t.Errorf("local copies: %d, want all 10 kept (DeleteAfterUpload off)", len(ents))
	}
}

// TestRestartResumes closes the queue while the storage is down and
// opens it again: the jobs are still there and are delivered once.
func TestRestartResumes(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	proxy := newFaultProxy(t, srv.URL)
	proxy.status.Store(503)
	recs, state := t.TempDir(), t.TempDir()
	dests := map[string]upload.Destination{"d": {Kind: upload.PUT, URL: proxy.URL + "/upload/{id}/{file}"}}
	q := open(t, state, upload.Options{Destinations: dests, DeleteAfterUpload: true})
	for i := range 3 {
		if err := q.Enqueue(recording(t, recs, fmt.Sprintf("r%d", i), 10_000, "d")); err != nil {
			t.Fatal(err)
		}
	}
	stop := run(t, q)
	for proxy.failed.Load() < 3 {
		time.Sleep(2 * time.Millisecond)
	}
	stop()

	q2 := open(t, state, upload.Options{Destinations: dests, DeleteAfterUpload: true})
	if jobs := q2.Jobs(); len(jobs) != 3 {
		t.Fatalf("after reopening: %+v", jobs)
	}
	if err := q2.Enqueue(recording(t, t.TempDir(), "r0", 10, "d")); err != nil { // already queued: no-op
		t.Fatal(err)
	}
	proxy.status.Store(0)
	run(t, q2)
	waitStates(t, q2, 3, upload.Done)
	counts := puts(srv.WaitRequests(t, 6))
	if len(counts) != 6 {
		t.Errorf("delivered %v, want 6 files", counts)
	}
	for uri, n := range counts {
		if n != 1 {
			t.Errorf("%s delivered %d times", uri, n)
		}
	}
	if ents, _ := os.ReadDir(recs); len(ents) != 0 {
		t.Errorf("left after upload: %v", ents)
	}
}

// TestForbiddenFailsAndKeepsFile: a 403 will not pass by retrying; the
// job fails with the error, the file stays, and Retry delivers it once
// the server accepts.
func TestForbiddenFailsAndKeepsFile(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	proxy := newFaultProxy(t, srv.URL)
	proxy.status.Store(403)
	recs := t.TempDir()
	q := open(t, t.TempDir(), upload.Options{DeleteAfterUpload: true, Destinations: map[string]upload.Destination{
		"d": {Kind: upload.PUT, URL: proxy.URL + "/upload/{file}"},
	}})
	it := recording(t, recs, "r1", 5_000, "d")
	if err := q.Enqueue(it); err != nil {
		t.Fatal(err)
	}
	run(t, q)
	jobs := waitStates(t, q, 1, upload.Failed)
	if j := jobs[0]; j.Tries != 1 || !strings.Contains(j.LastError, "403") || j.Number != "+4930123" {
		t.Errorf("failed job: %+v", j)
	}
	time.Sleep(100 * time.Millisecond) // no automatic retry of a 403
	if n := proxy.failed.Load(); n != 1 {
		t.Errorf("%d tries after a 403, want 1", n)
	}
	for _, f := range it.Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("file gone after a failed upload: %v", err)
		}
	}
	if err := q.Retry("nope"); !errors.Is(err, upload.ErrUnknownJob) {
		t.Errorf("Retry(unknown) = %v", err)
	}
	proxy.status.Store(0)
	if err := q.Retry("r1"); err != nil {
		t.Fatal(err)
	}
	waitStates(t, q, 1, upload.Done)
	if got := puts(srv.WaitRequests(t, 2)); len(got) != 2 {
		t.Errorf("PUTs after Retry: %v", got)
	}
}

// TestQuota: unconfirmed recordings fill the quota; CanRecord turns false
// and nothing is deleted to make room; confirmation frees it.
func TestQuota(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	recs := t.TempDir()
	q := open(t, t.TempDir(), upload.Options{MaxBytes: 25_000, DeleteAfterUpload: true,
		Destinations: map[string]upload.Destination{"d": {Kind: upload.PUT, URL: srv.URL + "/upload/{file}"}}})
	if err := q.Reserve("live", 10_000); err != nil {
		t.Fatal(err)
	}
	a := recording(t, recs, "a", 10_000, "d")
	if err := q.Enqueue(a); err != nil {
		t.Fatal(err)
	}
	if err := q.Reserve("b", 10_000); !errors.Is(err, upload.ErrQuota) {
		t.Fatalf("Reserve past the quota: %v", err)
	}
	if !q.CanRecord() {
		t.Fatal("CanRecord false at ~20 KB of 25 KB")
	}
	live := recording(t, recs, "live", 10_000, "d") // the reserved recording ends
	if err := q.Enqueue(live); err != nil {
		t.Fatal(err)
	}
	c := recording(t, recs, "c", 10_000, "d") // Enqueue never refuses
	if err := q.Enqueue(c); err != nil {
		t.Fatal(err)
	}
	if q.CanRecord() {
		t.Fatalf("CanRecord true with %d of 25000 bytes unconfirmed", q.Unconfirmed())
	}
	for _, it := range []upload.Item{a, live, c} {
		for _, f := range it.Files {
			if _, err := os.Stat(f); err != nil {
				t.Fatalf("quota deleted an unconfirmed file: %v", err)
			}
		}
	}
	run(t, q)
	waitStates(t, q, 3, upload.Done)
	if !q.CanRecord() || q.Unconfirmed() != 0 {
		t.Errorf("after upload: CanRecord %v, unconfirmed %d", q.CanRecord(), q.Unconfirmed())
	}
}

// TestPostRawAndMultipart posts KAZOO style, the call's details in the
// query, to a Go HTTP server that checks what arrives.
func TestPostRawAndMultipart(t *testing.T) {
	type got struct {
		query url.Values
		field map[string]string
		sum   [32]byte
		name  string
	}
	var mu sync.Mutex
	var received []got
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := got{query: r.URL.Query(), field: map[string]string{}}
		body := r.Body
		if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			mr := multipart.NewReader(r.Body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				if p.FileName() != "" {
					b, _ := io.ReadAll(p)
					g.sum, g.name = sha256.Sum256(b), p.FileName()
					continue
				}
				b, _ := io.ReadAll(p)
				g.field[p.FormName()] = string(b)
			}
		} else {
			b, _ := io.ReadAll(body)
			g.sum = sha256.Sum256(b)
		}
		mu.Lock()
		received = append(received, g)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	recs := t.TempDir()
	q := open(t, t.TempDir(), upload.Options{Destinations: map[string]upload.Destination{
		"raw":  {Kind: upload.POST, URL: srv.URL + "/rec?call_id={call_id}&from={from}&to={to}&file={file}"},
		"form": {Kind: upload.POST, Multipart: true, URL: srv.URL + "/form?id={id}"},
	}})
	raw := recording(t, recs, "raw1", 7_000, "raw")
	form := recording(t, recs, "form1", 9_000, "form")
	for _, it := range []upload.Item{raw, form} {
		if err := q.Enqueue(it); err != nil {
			t.Fatal(err)
		}
	}
	run(t, q)
	waitStates(t, q, 2, upload.Done)
	mu.Lock()
	defer mu.Unlock()
	if len(received) != 4 {
		t.Fatalf("server got %d posts, want 4", len(received))
	}
	seen := 0
	for _, g := range received {
		switch {
		case g.query.Get("call_id") == raw.CallID:
			if g.query.Get("from") != "+4930123" || g.query.Get("to") != "1001" {
				t.Errorf("raw query %v", g.query)
			}
			if f := filepath.Join(recs, g.query.Get("file")); g.sum != sum(t, f) {
				t.Errorf("raw %s: body differs", f)
			}
			seen++
		case g.query.Get("id") == "form1":
			if g.field["call_id"] != form.CallID || g.field["direction"] != "in" || g.field["line"] != "1" {
				t.Errorf("form fields %v", g.field)
			}
			if g.sum != sum(t, filepath.Join(recs, g.name)) {
				t.Errorf("form %s: file differs", g.name)
			}
			seen++
		}
	}
	if seen != 4 {
		t.Errorf("recognised %d of 4 posts: %+v", seen, received)
	}
}

// TestS3Versitygw uploads to a real S3-compatible server with SigV4 and
// Content-MD5, and reads the stored objects from its backend; a wrong
// secret is refused (403) and fails the job without losing the files.
func TestS3Versitygw(t *testing.T) {
	srv := s3test.Start(t)
	recs := t.TempDir()
	dest := upload.Destination{Kind: upload.S3, URL: srv.URL, Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Key: "calls/{start}/{call_id}/{file}"}
	bad := dest
	bad.SecretKey = "wrong"
	q := open(t, t.TempDir(), upload.Options{DeleteAfterUpload: true,
		Destinations: map[string]upload.Destination{"s3": dest, "bad": bad}})
	it := recording(t, recs, "s3rec", 200_000, "s3")
	want := map[string][32]byte{}
	for _, f := range it.Files {
		want["calls/20260102T030405Z/s3rec@pbx.example.net/"+filepath.Base(f)] = sum(t, f)
	}
	if err := q.Enqueue(it); err != nil {
		t.Fatal(err)
	}
	denied := recording(t, t.TempDir(), "denied", 1_000, "bad")
	if err := q.Enqueue(denied); err != nil {
		t.Fatal(err)
	}
	run(t, q)
	deadline := time.Now().Add(20 * time.Second)
	for {
		states := map[string]upload.Status{}
		for _, j := range q.Jobs() {
			states[j.ID] = j
		}
		if states["s3rec"].State == upload.Done && states["denied"].State == upload.Failed {
			if e := states["denied"].LastError; !strings.Contains(e, "403") {
				t.Errorf("wrong secret: last error %q", e)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs: %+v", states)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for key, s := range want {
		if got := sum(t, srv.ObjectPath(key)); got != s {
			t.Errorf("object %s differs from the recording", key)
		}
	}
	for _, f := range denied.Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("refused upload lost its file: %v", err)
		}
	}
}

// TestS3ChecksPayload shows what the uploader relies on: versitygw
// refuses a body that does not match the signed SHA-256 or the
// Content-MD5.
func TestS3ChecksPayload(t *testing.T) {
	srv := s3test.Start(t)
	body := []byte("the recording")
	other := []byte("the recordinG")
	put := func(key string, sha, md5b64 string) int {
		u, err := upload.ObjectURL(srv.URL, srv.Bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPut, u.String(), strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-MD5", md5b64)
		upload.SignV4(req, sha, srv.Credentials(), time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	shaOf := func(b []byte) string { s := sha256.Sum256(b); return fmt.Sprintf("%x", s) }
	md5Of := func(b []byte) string { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }
	if code := put("ok", shaOf(body), md5Of(body)); code != 200 {
		t.Fatalf("matching checksums: HTTP %d", code)
	}
	if code := put("badsha", shaOf(other), md5Of(body)); code/100 != 4 {
		t.Errorf("wrong SHA-256 accepted: HTTP %d", code)
	}
	if code := put("badmd5", shaOf(body), md5Of(other)); code/100 != 4 {
		t.Errorf("wrong Content-MD5 accepted: HTTP %d", code)
	}
	for _, k := range []string{"badsha", "badmd5"} {
		if _, err := os.Stat(srv.ObjectPath(k)); err == nil {
			t.Errorf("object %s stored despite a bad checksum", k)
		}
	}
}
