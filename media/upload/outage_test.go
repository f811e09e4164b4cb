package upload_test

import (
	"fmt"
	"testing"
	"time"

	"ccphone/media/upload"
	"ccphone/provisioning/nginxtest"
)

// TestBacklogGoesOnceStorageIsBack: jobs that failed during an outage
// wait out a long backoff each; the first upload the server confirms
// after the outage sends the rest at once, each delivered once.
func TestBacklogGoesOnceStorageIsBack(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	proxy := newFaultProxy(t, srv.URL)
	proxy.status.Store(503)
	recs := t.TempDir()
	q := open(t, t.TempDir(), upload.Options{MinBackoff: time.Hour, MaxBackoff: time.Hour,
		Destinations: map[string]upload.Destination{"d": {Kind: upload.PUT, URL: proxy.URL + "/upload/{file}"}}})
	for i := range 3 {
		if err := q.Enqueue(recording(t, recs, fmt.Sprintf("r%d", i), 5_000, "d")); err != nil {
			t.Fatal(err)
		}
	}
	run(t, q)
	jobs := waitStates(t, q, 3, upload.Retrying)
	for _, j := range jobs {
		if j.NextAttempt.Before(time.Now().Add(20 * time.Minute)) {
			t.Fatalf("backoff not taken: %+v", j)
		}
	}
	proxy.status.Store(0)
	// The agent retries one from the menu; the others follow by themselves.
	if err := q.Retry("r1"); err != nil {
		t.Fatal(err)
	}
	waitStates(t, q, 3, upload.Done)
	counts := puts(srv.WaitRequests(t, 6))
	if len(counts) != 6 {
		t.Errorf("delivered %v, want 6 files", counts)
	}
	for uri, n := range counts {
		if n != 1 {
			t.Errorf("%s delivered %d times", uri, n)
		}
	}
}

// TestSetQuota: a smaller quota refuses new recordings without deleting
// anything; a larger one allows them again.
func TestSetQuota(t *testing.T) {
	recs := t.TempDir()
	q := open(t, t.TempDir(), upload.Options{MaxBytes: 1 << 20,
		Destinations: map[string]upload.Destination{"d": {Kind: upload.PUT, URL: "http://127.0.0.1:1/{file}"}}})
	it := recording(t, recs, "a", 10_000, "d")
	if err := q.Enqueue(it); err != nil {
		t.Fatal(err)
	}
	if !q.CanRecord() || q.Quota() != 1<<20 {
		t.Fatalf("CanRecord %v quota %d", q.CanRecord(), q.Quota())
	}
	q.SetQuota(5_000)
	if q.CanRecord() || q.Quota() != 5_000 {
		t.Errorf("after SetQuota(5000) with 10 KB unconfirmed: CanRecord %v quota %d", q.CanRecord(), q.Quota())
	}
	if err := q.Reserve("b", 1); err == nil {
		t.Error("Reserve fits under a full quota")
	}
	if len(q.Jobs()) != 1 {
		t.Errorf("jobs %+v", q.Jobs())
	}
	q.SetQuota(0)
	if !q.CanRecord() {
		t.Error("no quota, yet CanRecord is false")
	}
}
