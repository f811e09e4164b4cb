package main

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccphone/provisioning/nginxtest"
	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// storageState is what the storage tests read of /api/state beyond
// apiState: the upload queue, the LCD's notice and the monitor port.
type storageState struct {
	Recording *struct {
		Pending          int   `json:"pending"`
		Failed           int   `json:"failed"`
		UnconfirmedBytes int64 `json:"unconfirmed_bytes"`
		QuotaBytes       int64 `json:"quota_bytes"`
		StorageFull      bool  `json:"storage_full"`
	} `json:"recording"`
	Notice  string `json:"notice"`
	Monitor string `json:"monitor"`
	Calls   []struct {
		State     string `json:"state"`
		Recording bool   `json:"recording"`
	} `json:"calls"`
}

func (p *phone) storageState() storageState {
	p.t.Helper()
	var s storageState
	resp, err := http.Get(p.url + "api/state")
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		p.t.Fatal(err)
	}
	if s.Recording == nil {
		p.t.Fatal("/api/state has no recording object")
	}
	return s
}

// waitStorage polls /api/state until cond holds, for at most limit
// (uploads wait out their retry backoff).
func (p *phone) waitStorage(what string, limit time.Duration, cond func(storageState) bool) storageState {
	p.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := p.storageState()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for %s; state %+v %+v", what, s, *s.Recording)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// storagePhone starts Kamailio, nginx with its /upload/ refusing with
// 503, and a baresip that answers with 700 Hz; it returns the phone's
// config, recording every outbound call as mono WAV to nginx, plus
// extra settings.
func storageSetup(t *testing.T, extra string) (cfg string, store *nginxtest.Server, bs *baresiptest.Phone, kam *kamailiotest.Server) {
	t.Helper()
	baresiptest.Require(t)
	kam = kamailiotest.Start(t, "registrar")
	store = nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	store.SetUploadStatus(t, http.StatusServiceUnavailable)
	cfg = registrarConfig(t, kam)
	appendConfig(t, cfg, "recording.account.outbound.onnet.enabled = 1\n"+
		"recording.account.outbound.offnet.enabled = 1\n"+
		"recording.format = wav\n"+
		"recording.url = "+store.URL+"/upload/{file}\n"+
		"recording.method = put\n"+
		"recording.delete_after_upload = 1\n"+extra)
	bs = baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)
	return cfg, store, bs, kam
}

// callBaresip dials 1002, waits for the call to connect with recording
// as wantRec says (and, for a refused recording, the LCD's notice),
// talks for a moment and hangs up.
func callBaresip(t *testing.T, p *phone, bs *baresiptest.Phone, wantRec bool, notice string) {
	t.Helper()
	p.press("1", "0", "0", "2", "ok")
	if wantRec {
		p.waitState("a recorded call", func(s apiState) bool {
			m, _ := callMap(s)
			return m["state"] == "connected" && m["recording"] == true
		})
	} else {
		p.waitStorage("the notice "+notice, 10*time.Second, func(s storageState) bool {
			return len(s.Calls) == 1 && s.Calls[0].State == "connected" && s.Notice == notice
		})
	}
	time.Sleep(2 * time.Second)
	if s := p.storageState(); len(s.Calls) != 1 || s.Calls[0].Recording != wantRec {
		t.Errorf("call %+v, want recording %v", s.Calls, wantRec)
	}
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
}

// localRecordings returns the SHA-256 of every finished recording file
// (segments and metadata) in the phone's state directory, by base name.
func localRecordings(t *testing.T, state string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	files, _ := filepath.Glob(filepath.Join(state, "recordings", "*"))
	for _, f := range files {
		if !strings.HasSuffix(f, ".wav") && !strings.HasSuffix(f, ".json") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = sha256.Sum256(b)
	}
	return out
}

// uploadCounts counts nginx's answers to PUTs: those that stored the
// file per URI and status (201 new, 204 overwritten), the others per URI.
func uploadCounts(lines []string) (stored, refused map[string]int) {
	stored, refused = map[string]int{}, map[string]int{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "PUT" {
			continue
		}
		if f[2] == "201" || f[2] == "204" {
			stored[f[1]+" "+f[2]]++
		} else {
			refused[f[1]]++
		}
	}
	return stored, refused
}

// TestStorageDownThenBack records three calls while the storage server
// refuses uploads (503), two before and one after a restart of ccphoned
// with the queue pending; once the storage is back every file arrives
// exactly once (one 201 per file, no overwrite), byte for byte, and only
// then leaves the phone.
func TestStorageDownThenBack(t *testing.T) {
	cfg, store, bs, _ := storageSetup(t, "")
	state := t.TempDir()
	p := startPhone(t, "--config", cfg, "--state", state)
	p.waitState("registered", bothRegistered)
	for range 2 {
		callBaresip(t, p, bs, true, "")
	}
	p.waitStorage("two recordings pending", 10*time.Second, func(s storageState) bool { return s.Recording.Pending == 2 })
	if code := p.stop(); code != exitOK {
		t.Fatalf("exit code %d", code)
	}

	p = startPhone(t, "--config", cfg, "--state", state)
	if s := p.storageState(); s.Recording.Pending != 2 {
		t.Fatalf("after the restart %d recordings pending, want 2", s.Recording.Pending)
	}
	p.waitState("registered again", bothRegistered)
	callBaresip(t, p, bs, true, "")
	p.waitStorage("three recordings pending", 10*time.Second, func(s storageState) bool { return s.Recording.Pending == 3 })
	want := localRecordings(t, state)
	if len(want) != 6 {
		t.Fatalf("the phone keeps %d files, want 3 recordings of one WAV and one metadata file each: %v", len(want), want)
	}
	if stored, _ := uploadCounts(store.Requests(t)); len(stored) != 0 {
		t.Fatalf("stored while the storage was down: %v", stored)
	}

	store.SetUploadStatus(t, 0)
	p.waitStorage("every recording confirmed", 90*time.Second, func(s storageState) bool { return s.Recording.Pending == 0 })
	stored, refused := uploadCounts(store.WaitRequests(t, len(store.Requests(t))))
	if len(stored) != len(want) {
		t.Errorf("stored %v, want each of the %d files once", stored, len(want))
	}
	for name, sum := range want {
		uri := "/upload/" + name
		if stored[uri+" 201"] != 1 || stored[uri+" 204"] != 0 {
			t.Errorf("%s: stored %d times new, %d overwritten; want once", name, stored[uri+" 201"], stored[uri+" 204"])
		}
		if strings.HasSuffix(name, ".wav") && refused[uri] == 0 {
			t.Errorf("%s was never refused: the outage did not reach it", name)
		}
		got, err := os.ReadFile(filepath.Join(store.UploadDir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if sha256.Sum256(got) != sum {
			t.Errorf("%s: the stored copy differs from the phone's", name)
		}
	}
	if left := localRecordings(t, state); len(left) != 0 {
		t.Errorf("confirmed recordings left on the phone (delete_after_upload = 1): %v", left)
	}
}

// TestRecordingQuotaWhileStorageDown fills a small quota
// (recording.quota_kb) with a recording the storage server refuses: the
// next call is not recorded, the LCD says why, /api/state says the
// storage is full, and the first recording stays. Once the storage is
// back the queue drains and calls are recorded again.
func TestRecordingQuotaWhileStorageDown(t *testing.T) {
	cfg, store, bs, _ := storageSetup(t, "recording.quota_kb = 24\n")
	state := t.TempDir()
	p := startPhone(t, "--config", cfg, "--state", state)
	p.waitState("registered", bothRegistered)
	if s := p.storageState(); s.Recording.QuotaBytes != 24<<10 || s.Recording.StorageFull {
		t.Fatalf("at start: %+v", *s.Recording)
	}
	callBaresip(t, p, bs, true, "") // two seconds of 8 kHz 16-bit mono: about 32 KB
	s := p.waitStorage("the storage full", 10*time.Second, func(s storageState) bool { return s.Recording.StorageFull })
	if s.Recording.Pending != 1 || s.Recording.UnconfirmedBytes <= 24<<10 {
		t.Errorf("full storage: %+v", *s.Recording)
	}
	kept := localRecordings(t, state)
	if len(kept) != 2 {
		t.Fatalf("the phone keeps %v, want one recording", kept)
	}

	callBaresip(t, p, bs, false, "Storage full: not recording")
	if got := localRecordings(t, state); len(got) != 2 {
		t.Errorf("after the refused recording the phone keeps %v, want only the first recording", got)
	}
	for name, sum := range kept {
		if localRecordings(t, state)[name] != sum {
			t.Errorf("%s changed or was deleted while unconfirmed", name)
		}
	}
	if stored, _ := uploadCounts(store.Requests(t)); len(stored) != 0 {
		t.Fatalf("stored while the storage was down: %v", stored)
	}

	store.SetUploadStatus(t, 0)
	p.waitStorage("the queue drained", 90*time.Second, func(s storageState) bool {
		return s.Recording.Pending == 0 && !s.Recording.StorageFull
	})
	callBaresip(t, p, bs, true, "")
	p.waitStorage("the new recording uploaded", 30*time.Second, func(s storageState) bool { return s.Recording.Pending == 0 })
	stored, _ := uploadCounts(store.Requests(t))
	wavs := 0
	for k, n := range stored {
		if strings.HasSuffix(k, ".wav 201") {
			wavs += n
		}
	}
	if wavs != 2 {
		t.Errorf("stored WAVs %v, want the two recordings once each", stored)
	}
}
