package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ccphone/provisioning"
)

// firmwareConfig returns the configuration of text, as provisioning
// would apply it.
func firmwareConfig(t *testing.T, text string) *provisioning.Config {
	t.Helper()
	f, err := provisioning.Parse("cc800.cfg", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := provisioning.DefaultSchema().Merge([]*provisioning.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestFirmwareWaitsForIdleLines drives the updater with a scripted busy
// function and hand-fed polls: it commits the running firmware once
// healthy, stages the offered version, does not switch while a line has
// a call or before the lines were idle for the whole window, and then
// switches and asks for the restart.
func TestFirmwareWaitsForIdleLines(t *testing.T) {
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	binaries := map[string][]byte{"1.0.0": []byte("build 1.0.0"), "1.1.0": []byte("build 1.1.0")}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := binaries[strings.TrimPrefix(r.URL.Path, "/ccphoned-")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	offer := func(version string) *provisioning.Config {
		sig := provisioning.SignFirmware(key, version, sha256.Sum256(binaries[version]))
		return firmwareConfig(t, "provisioning.signing_key = "+provisioning.FormatPublicKey(pub)+"\n"+
			"firmware.url = "+srv.URL+"/ccphoned-"+version+"\n"+
			"firmware.version = "+version+"\n"+
			"firmware.signature = "+sig+"\n")
	}
	dir := t.TempDir()
	// 1.0.0 was switched to and booted: it is on trial.
	installer := &provisioning.Firmware{Dir: dir, Running: "0.0.1",
		Fetcher: provisioning.NewFetcher(provisioning.FetchOptions{})}
	offered, _, err := provisioning.FirmwareOfferFrom(offer("1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := installer.Stage(t.Context(), offered); err != nil {
		t.Fatal(err)
	}
	if err := installer.Switch(); err != nil {
		t.Fatal(err)
	}
	if _, err := installer.Boot(); err != nil {
		t.Fatal(err)
	}
	trial := filepath.Join(dir, "trial")
	if _, err := os.Stat(trial); err != nil {
		t.Fatalf("1.0.0 is not on trial: %v", err)
	}

	// The script: what the lines say at each poll once 1.1.0 is staged.
	const busy, idle = false, true
	var script []bool
	for range 10 {
		script = append(script, busy)
	}
	for range idlePolls - 1 {
		script = append(script, idle)
	}
	script = append(script, busy) // a call just before the window ends
	for range idlePolls {
		script = append(script, idle)
	}
	polls := 0
	u := newUpdater(dir, "1.0.0", time.Hour, func() bool {
		polls++
		return script[polls-1]
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var notices []string // the updater's goroutine appends; read after it stopped
	u.notify = func(key string) { notices = append(notices, key) }

	healthy := make(chan time.Time)
	ticks := make(chan time.Time)
	restarted := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		u.Run(t.Context(), func(d time.Duration) <-chan time.Time {
			if d != time.Hour {
				t.Errorf("trial of %v, want the one given", d)
			}
			return healthy
		}, ticks, func() { close(restarted) })
	}()
	u.Offer(offer("1.1.0"))
	healthy <- time.Now()
	// poll feeds one idle poll; it fails if the updater already stopped,
	// that is switched too early.
	poll := func(i int) {
		t.Helper()
		select {
		case ticks <- time.Now():
		case <-stopped:
			t.Fatalf("switched before poll %d of %d", i+1, len(script))
		}
	}
	fw := &provisioning.Firmware{Dir: dir}
	for i := range script {
		poll(i) // the first is taken after the commit and the staging
		if i == 0 {
			if _, err := os.Stat(trial); err == nil {
				t.Error("1.0.0 is still on trial after it ran for the trial time")
			}
			if v, _ := fw.Staged(); v != "1.1.0" {
				t.Fatalf("staged %q, want 1.1.0", v)
			}
		}
		if i == 10 {
			if v, _ := fw.Current(); v != "1.0.0" {
				t.Fatalf("switched to %s while a line was busy", v)
			}
		}
	}
	<-stopped
	select {
	case <-restarted:
	default:
		t.Fatal("the updater stopped without asking for a restart")
	}
	want := []string{"notice.firmware_downloading", "notice.firmware_staged", "notice.firmware_restarting"}
	if !slices.Equal(notices, want) {
		t.Errorf("LCD notices %q, want %q", notices, want)
	}
	if polls != len(script) {
		t.Errorf("polled the lines %d times, want %d", polls, len(script))
	}
	if v, _ := fw.Current(); v != "1.1.0" {
		t.Errorf("current = %q after the switch, want 1.1.0", v)
	}
	if _, err := os.Stat(trial); err != nil {
		t.Errorf("1.1.0 is not on trial after the switch: %v", err)
	}
}
