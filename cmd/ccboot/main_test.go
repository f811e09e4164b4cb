package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ccphone/provisioning"
	"ccphone/provisioning/nginxtest"
	"ccphone/sip/kamailiotest"
)

// syncBuffer is a bytes.Buffer safe for writers and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// goBuild builds the Go program at pkg into out with ldflags.
func goBuild(t *testing.T, out, ldflags, pkg string) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go tool to build the firmware: %v", err)
	}
	cmd := exec.Command(goTool, "build", "-o", out, "-ldflags", ldflags, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

// TestFirmwareUpdateOnSimBoard runs ccboot over real ccphoned builds on
// the sim board, with the firmware and the provisioning files served by
// nginx and signed by the admin's key:
//
//   - 1.0.0 is installed; provisioning offers 1.1.0: it is staged,
//     switched to while the lines are idle, and the phone comes back as
//     1.1.0 and commits it;
//   - a broken 1.2.0 is offered (a check from the phone's menu): it is
//     staged and switched to, exits before it commits, and ccboot rolls
//     back to 1.1.0, which refuses 1.2.0 from then on;
//   - 0.9.0 is refused as a downgrade; 1.0.0 with
//     firmware.allow_downgrade = 1 is installed;
//   - SIGTERM (the end of run's context) stops the phone, status 0.
func TestFirmwareUpdateOnSimBoard(t *testing.T) {
	www := t.TempDir()
	srv := nginxtest.Start(t, nginxtest.Options{Root: www})
	fwDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(fwDir, "slots"), 0o755); err != nil {
		t.Fatal(err)
	}
	installed := filepath.Join(fwDir, "slots", "1.0.0")
	goBuild(t, installed, "-X main.version=1.0.0", "ccphone/cmd/ccphoned")
	goBuild(t, filepath.Join(www, "ccphoned-1.1.0"), "-X main.version=1.1.0", "ccphone/cmd/ccphoned")
	goBuild(t, filepath.Join(www, "ccphoned-1.2.0"), "", "./testdata/broken/main.go")
	if err := os.Link(installed, filepath.Join(www, "ccphoned-1.0.0")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(installed, filepath.Join(fwDir, "current")); err != nil {
		t.Fatal(err)
	}

	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	// nginx's ETag comes from size and mtime in seconds: each version
	// of the file gets a later mtime, as an admin's edit would.
	edited := time.Now().Add(-time.Hour)
	publish := func(name string, data []byte) {
		t.Helper()
		for file, content := range map[string][]byte{name: data, name + provisioning.SignatureSuffix: provisioning.SignFile(key, name, data)} {
			path := filepath.Join(www, file)
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, edited, edited); err != nil {
				t.Fatal(err)
			}
		}
		edited = edited.Add(time.Minute)
	}
	// offer publishes the common file naming the binary served as
	// ccphoned-<binary>, signed as version.
	offer := func(version, binary, extra string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(www, "ccphoned-"+binary))
		if err != nil {
			t.Fatal(err)
		}
		publish("cc800.cfg", []byte("firmware.url = "+srv.URL+"/ccphoned-"+binary+"\n"+
			"firmware.version = "+version+"\n"+
			"firmware.signature = "+provisioning.SignFirmware(key, version, sha256.Sum256(data))+"\n"+extra))
	}
	offer("1.1.0", "1.1.0", "")

	sipPort, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "phone.cfg")
	if err := os.WriteFile(base, []byte("sip.listen_port = "+strconv.Itoa(sipPort)+"\n"+
		"provisioning.server_url = "+srv.URL+"/\n"+
		"provisioning.interval = 0\n"+
		"provisioning.signing_key = "+provisioning.FormatPublicKey(pub)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Each ccphoned started prints its panel's URL on stdout.
	urls := make(chan string, 16)
	pr, pw := io.Pipe()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "front panel at "); ok {
				urls <- u
			}
		}
		io.Copy(io.Discard, pr)
	}()
	logs := &syncBuffer{}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	exited := make(chan int, 1) // ccboot's status, put back by whoever reads it
	go func() {
		code := run(ctx, []string{"--dir", fwDir, "--watchdog", "12s", "--",
			"--board", "sim", "--panel", "127.0.0.1:0", "--config", base, "--state", t.TempDir(),
			"--mac", "00:15:65:aa:bb:cc", "--firmware-dir", fwDir, "--firmware-trial", "1s"}, pw, logs)
		pw.Close()
		exited <- code
	}()
	// stopBoot ends ccboot as SIGTERM would and returns its status.
	stopBoot := func() int {
		stop()
		select {
		case code := <-exited:
			exited <- code
			return code
		case <-time.After(20 * time.Second):
			t.Errorf("ccboot did not stop; log:\n%s", logs)
			return -1
		}
	}
	defer stopBoot()

	fw := &provisioning.Firmware{Dir: fwDir}
	nextPhone := func(want string) string {
		t.Helper()
		select {
		case u := <-urls:
			if got := version(t, u); got != want {
				t.Fatalf("the phone at %s runs %q, want %s; log:\n%s", u, got, want, logs)
			}
			return u
		case code := <-exited:
			exited <- code
			t.Fatalf("ccboot exited with %d waiting for %s; log:\n%s", code, want, logs)
		case <-time.After(30 * time.Second):
			t.Fatalf("no phone running %s; log:\n%s", want, logs)
		}
		return ""
	}
	waitLog := func(what string, parts ...string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !hasLine(logs.String(), parts...); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no log line of %s; log:\n%s", what, logs)
			}
		}
	}

	// 1.0.0 comes up and applies the files: 1.1.0 is staged and
	// switched to; the phone comes back as 1.1.0 and commits it.
	nextPhone("1.0.0")
	phone := nextPhone("1.1.0")
	waitLog("the commit of 1.1.0", `msg="firmware healthy"`, "version=1.1.0")
	if v, _ := fw.Current(); v != "1.1.0" {
		t.Errorf("current = %q, want 1.1.0", v)
	}
	if !hasLine(logs.String(), `msg="firmware switched while idle: restarting"`, "from=1.0.0", "to=1.1.0") ||
		!hasLine(logs.String(), `msg="restarting for a firmware update"`, "version=1.0.0") {
		t.Errorf("the switch to 1.1.0 is not in the log:\n%s", logs)
	}

	// A broken 1.2.0, found by a check from the menu: switched to,
	// fails, rolled back; the phone runs 1.1.0 and does not try again.
	offer("1.2.0", "1.2.0", "")
	checkNow(t, phone)
	phone = nextPhone("1.1.0")
	if !strings.Contains(logs.String(), "broken build: exiting at start") {
		t.Errorf("1.2.0 never ran; log:\n%s", logs)
	}
	if !hasLine(logs.String(), `msg="firmware failed its trial: rolled back"`, "failed=1.2.0", "version=1.1.0") {
		t.Errorf("no rollback in the log:\n%s", logs)
	}
	waitLog("1.1.0 refusing 1.2.0 again", `msg="firmware refused"`, "version=1.2.0", "failed its trial")
	if v, ok := fw.Staged(); ok {
		t.Errorf("%s staged after the rollback", v)
	}

	// A downgrade is refused unless the admin allows it.
	offer("0.9.0", "1.0.0", "")
	checkNow(t, phone)
	waitLog("the refused downgrade", `msg="firmware refused"`, "version=0.9.0", "downgrade not allowed")
	if v, ok := fw.Staged(); ok {
		t.Errorf("%s staged after a refused downgrade", v)
	}
	offer("1.0.0", "1.0.0", "firmware.allow_downgrade = 1\n")
	checkNow(t, phone)
	nextPhone("1.0.0")

	if code := stopBoot(); code != 0 {
		t.Errorf("ccboot exited with %d after SIGTERM, want 0; log:\n%s", code, logs)
	}
	select {
	case u := <-urls:
		t.Errorf("another phone started (%s); log:\n%s", u, logs)
	default:
	}
}

// version returns the version the phone at url reports in /api/state,
// or "" when it does not answer.
func version(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "api/state")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var st struct {
		Version string `json:"version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("%sapi/state: %v", url, err)
	}
	return st.Version
}

// checkNow asks the phone at url for a provisioning check as an admin
// would at the desk: Menu, Status, Provisioning, "check now"; then Menu
// takes it back to the idle screen.
func checkNow(t *testing.T, url string) {
	t.Helper()
	press(t, url, "menu", "ok", "8", "8", "ok", "soft4", "menu")
}

// press presses the named keys on the phone at url.
func press(t *testing.T, url string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		resp, err := http.Post(url+"api/keys/"+k, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("press %s: %s %s", k, resp.Status, body)
		}
	}
}

// hasLine reports whether one line of log holds all of parts.
func hasLine(log string, parts ...string) bool {
	for line := range strings.Lines(log) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

// install makes a firmware directory whose current binary is the shell
// script current (version 1.0.0) and, when trial is not empty, stages
// the script trial as 2.0.0 and switches to it, as ccphoned would.
func install(t *testing.T, current, trial string) string {
	t.Helper()
	dir := t.TempDir()
	src := t.TempDir()
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	fw := &provisioning.Firmware{Dir: dir, Running: "0.0.1", Fetcher: provisioning.NewFetcher(provisioning.FetchOptions{})}
	put := func(version, script string) {
		path := filepath.Join(src, version)
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		offer := provisioning.FirmwareOffer{URL: path, Version: version, SigningKey: pub,
			Signature: provisioning.SignFirmware(key, version, sha256.Sum256([]byte(script)))}
		if _, err := fw.Stage(t.Context(), offer); err != nil {
			t.Fatal(err)
		}
		if err := fw.Switch(); err != nil {
			t.Fatal(err)
		}
		fw.Running = version
	}
	put("1.0.0", current)
	if err := fw.Commit(); err != nil {
		t.Fatal(err)
	}
	if trial != "" {
		put("2.0.0", trial)
	}
	return dir
}

// TestBootStatus covers what ccboot does when the phone exits on its
// own: a committed binary's status is passed on for init to act on, a
// binary on trial that fails, cannot even be started or asks for a
// restart before it committed is rolled back, and the restart status
// starts the phone again.
func TestBootStatus(t *testing.T) {
	runs := filepath.Join(t.TempDir(), "runs")
	// Each script appends its name and arguments to runs.
	script := func(name, then string) string {
		return "#!/bin/sh\necho " + name + " \"$@\" >> " + runs + "\n" + then + "\n"
	}
	// once exits 75 the first time it runs, then code.
	once := func(name string, code int) string {
		return script(name, "[ -e "+runs+".restarted ] && exit "+strconv.Itoa(code)+"\ntouch "+runs+".restarted\nexit 75")
	}
	for _, tc := range []struct {
		name           string
		current, trial string
		want           int
		wantRuns       string
	}{
		{"committed binary fails", script("old", "exit 3"), "", 3, "old -x\n"},
		{"committed binary killed", script("old", "kill -KILL $$"), "", 128 + 9, "old -x\n"},
		{"restart", once("old", 0), "", 0, "old -x\nold -x\n"},
		{"trial fails", script("old", "exit 0"), script("new", "exit 1"), 0, "new -x\nold -x\n"},
		{"trial cannot start", script("old", "exit 4"), "\x7fELF not for this CPU", 4, "old -x\n"},
		{"trial restarts before it commits", script("old", "exit 0"), once("new", 0), 0, "new -x\nold -x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(runs)
			os.Remove(runs + ".restarted")
			dir := install(t, tc.current, tc.trial)
			var logs syncBuffer
			if got := run(t.Context(), []string{"--dir", dir, "--", "-x"}, io.Discard, &logs); got != tc.want {
				t.Errorf("status %d, want %d; log:\n%s", got, tc.want, &logs)
			}
			got, _ := os.ReadFile(runs)
			if string(got) != tc.wantRuns {
				t.Errorf("ran:\n%swant:\n%s", got, tc.wantRuns)
			}
		})
	}
}

// TestBootUsage: bad flags are status 2; a directory without firmware is
// status 1.
func TestBootUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, exitUsage},
		{[]string{"--dir", t.TempDir(), "--log-format", "xml"}, exitUsage},
		{[]string{"--dir", t.TempDir()}, exitNoFirmware},
		{[]string{"--dir", t.TempDir(), "--watchdog", "-1s"}, exitUsage},
	} {
		if got := run(t.Context(), tc.args, io.Discard, io.Discard); got != tc.want {
			t.Errorf("ccboot %q: status %d, want %d", tc.args, got, tc.want)
		}
	}
}

// TestBootWatchdog: with --watchdog, a phone that stops sending
// heartbeats on descriptor 3 is killed; on trial, that rolls it back; a
// phone that keeps beating outlives the period.
func TestBootWatchdog(t *testing.T) {
	runs := filepath.Join(t.TempDir(), "runs")
	script := func(name, then string) string {
		return "#!/bin/sh\necho " + name + " \"$@\" >> " + runs + "\n" + then + "\n"
	}
	const period = "1s"
	beating := `[ "$` + WatchdogEnv + `" = 3 ] || exit 9
for i in 1 2 3 4 5 6 7 8 9 10; do printf . >&3; sleep 0.3; done
exit 0`
	hung := "exec sleep 60"
	for _, tc := range []struct {
		name           string
		current, trial string
		want           int
		wantRuns       string
		killed         bool
	}{
		{"beating phone lives on", script("old", beating), "", 0, "old -x\n", false},
		{"committed phone hangs", script("old", hung), "", 128 + 9, "old -x\n", true},
		{"trial phone hangs", script("old", "exit 0"), script("new", hung), 0, "new -x\nold -x\n", true},
		{"phone beats, then hangs", script("old", "printf . >&3; sleep 0.5; printf . >&3\n"+hung), "", 128 + 9, "old -x\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(runs)
			dir := install(t, tc.current, tc.trial)
			var logs syncBuffer
			if got := run(t.Context(), []string{"--dir", dir, "--watchdog", period, "--", "-x"}, io.Discard, &logs); got != tc.want {
				t.Errorf("status %d, want %d; log:\n%s", got, tc.want, &logs)
			}
			got, _ := os.ReadFile(runs)
			if string(got) != tc.wantRuns {
				t.Errorf("ran:\n%swant:\n%s", got, tc.wantRuns)
			}
			if killed := hasLine(logs.String(), "watchdog: no heartbeat"); killed != tc.killed {
				t.Errorf("killed by the watchdog: %v, want %v; log:\n%s", killed, tc.killed, &logs)
			}
		})
	}
}
