package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
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

// phone is a ccphoned running in this process on the sim board.
type phone struct {
	t      testing.TB
	url    string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
	pid    int // the process, when startPhoneProcess started one
}

// startPhone runs ccphoned with args plus a kernel-chosen panel port and
// waits for the panel's URL.
func startPhone(t *testing.T, args ...string) *phone {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p := &phone{t: t, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	args = append([]string{"--board", "sim", "--panel", "127.0.0.1:0", "--log-level", "debug"}, args...)
	go func() {
		code := run(ctx, args, pw, p.stderr)
		pw.Close()
		p.done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	if err != nil {
		t.Fatalf("no panel URL: %v; stderr:\n%s", err, p.stderr)
	}
	_, url, ok := strings.Cut(strings.TrimSpace(line), "front panel at ")
	if !ok {
		t.Fatalf("first line %q; stderr:\n%s", line, p.stderr)
	}
	p.url = url
	t.Cleanup(func() { p.stop() })
	return p
}

// stop ends the phone as a signal would and returns its exit code.
func (p *phone) stop() int {
	p.cancel()
	select {
	case code := <-p.done:
		p.done <- code
		return code
	case <-time.After(20 * time.Second):
		p.t.Fatalf("ccphoned did not stop; stderr:\n%s", p.stderr)
		return -1
	}
}

type apiState struct {
	Lines []struct {
		Line         int    `json:"line"`
		Label        string `json:"label"`
		Registration string `json:"registration"`
		Server       string `json:"server"`
	} `json:"lines"`
	Calls        []any `json:"calls"`
	Provisioning struct {
		Result string `json:"result"`
		Error  string `json:"error"`
	} `json:"provisioning"`
	Screen      string `json:"screen"`
	MissedCalls int    `json:"missed_calls"`
	DND         bool   `json:"dnd"`
	Language    string `json:"language"`
	LEDs        map[string]struct {
		Color   string `json:"color"`
		Pattern string `json:"pattern"`
	} `json:"leds"`
}

func (p *phone) state() apiState {
	p.t.Helper()
	s, err := p.fetchState()
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

func (p *phone) fetchState() (apiState, error) {
	var s apiState
	resp, err := http.Get(p.url + "api/state")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&s)
	return s, err
}

// press presses the named keys through the panel API, one after another.
func (p *phone) press(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		resp, err := http.Post(p.url+"api/keys/"+k, "", nil)
		if err != nil {
			p.t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			p.t.Fatalf("press %s: %s %s", k, resp.Status, body)
		}
	}
}

// waitState polls /api/state until cond holds: the phone handles keys on
// its own goroutine, after the panel has taken them.
func (p *phone) waitState(what string, cond func(apiState) bool) apiState {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := p.state()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for %s; state %+v", what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (p *phone) lcd() image.Image {
	p.t.Helper()
	resp, err := http.Get(p.url + "api/lcd.png")
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	img, err := png.Decode(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return img
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			if ar != br || ag != bg || ab != bb {
				return false
			}
		}
	}
	return true
}

func TestPanelAPI(t *testing.T) {
	p := startPhone(t, "--config", "testdata/phone.cfg", "--state", t.TempDir())
	s := p.state()
	if len(s.Lines) != 2 || s.Lines[0].Label != "Sales 10" || s.Lines[0].Server != "127.0.0.1:5060" {
		t.Errorf("lines %+v", s.Lines)
	}
	if s.Lines[0].Registration != "registering" || s.Lines[1].Registration != "disabled" {
		t.Errorf("registration %q %q", s.Lines[0].Registration, s.Lines[1].Registration)
	}
	if s.Calls == nil {
		t.Error("calls missing from /api/state")
	}
	for _, name := range []string{"line1", "line2", "autoanswer", "hold", "headset"} {
		if l, ok := s.LEDs[name]; !ok || l.Color != "off" {
			t.Errorf("led %s = %+v (present %v)", name, l, ok)
		}
	}
	idle := p.lcd()
	p.press("menu")
	p.waitState("the menu", func(s apiState) bool { return s.Screen == "menu" })
	if samePixels(idle, p.lcd()) {
		t.Error("the LCD did not change when the menu opened")
	}
	p.press("autoanswer")
	p.waitState("the auto answer LED", func(s apiState) bool {
		return s.LEDs["autoanswer"].Color == "red" && s.LEDs["autoanswer"].Pattern == "steady"
	})

	resp, err := http.Post(p.url+"api/keys/nosuchkey", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 4 || !strings.Contains(string(body), "autoanswer") || !strings.Contains(string(body), "pound") {
		t.Errorf("unknown key: %s %s", resp.Status, body)
	}
	if code := p.stop(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	if !strings.Contains(p.stderr.String(), "stopped") {
		t.Errorf("no stop message in the log:\n%s", p.stderr)
	}
}

// TestLanguageSwitchPersists switches to Russian from the keys, restarts,
// and switches back.
func TestLanguageSwitchPersists(t *testing.T) {
	state := t.TempDir()
	p := startPhone(t, "--config", "testdata/phone.cfg", "--state", state)
	english := p.lcd()
	p.press("menu", "2", "ok", "ok") // Menu → Settings → Language
	p.waitState("the language menu", func(s apiState) bool { return s.Screen == "language" })
	p.press("8", "ok", "back", "back")
	p.waitState("Russian idle", func(s apiState) bool { return s.Language == "ru" && s.Screen == "idle" })
	if samePixels(english, p.lcd()) {
		t.Error("the idle screen looks the same in Russian")
	}
	p.stop()

	local, err := os.ReadFile(filepath.Join(state, "local.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(local), "phone.language = ru") {
		t.Errorf("local.cfg:\n%s", local)
	}

	p = startPhone(t, "--config", "testdata/phone.cfg", "--state", state)
	if s := p.state(); s.Language != "ru" {
		t.Fatalf("after a restart language = %q", s.Language)
	}
	p.press("menu", "2", "ok", "ok", "2", "ok", "menu")
	p.waitState("English idle", func(s apiState) bool { return s.Language == "en" && s.Screen == "idle" })
	if !samePixels(english, p.lcd()) {
		t.Error("back in English, the idle screen differs from before")
	}
}

func TestBadConfigStopsTheStart(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		want         []string
	}{
		{"wrong type", "account.1.enable = yes\n", []string{"bad.cfg:1", "account.1.enable"}},
		{"out of range", "phone.language = en\nlcd.contrast = 99\n", []string{"bad.cfg:2", "lcd.contrast", "0..63"}},
		{"bad port", "account.1.sip_server.1.port = 70000\n", []string{"bad.cfg:1", "account.1.sip_server.1.port", "65535"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "bad.cfg")
			if err := os.WriteFile(cfg, []byte(tc.config), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"--board", "sim", "--panel", "127.0.0.1:0", "--config", cfg, "--state", dir}, &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("message lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--board", "nosuch", "--state", "x"},
		{"--board", "sim"},
		{"--board", "sim", "--state", "x", "--log-format", "xml"},
		{"--board", "sim", "--state", "x", "--log-level", "loud"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit code %d, want %d; stderr %s", args, code, exitUsage, stderr.String())
		}
		if !strings.HasPrefix(stderr.String(), "ccphoned: ") && !strings.Contains(stderr.String(), "Usage") {
			t.Errorf("%v: message %q", args, stderr.String())
		}
	}
}

// TestSignalStopsCleanly runs the real binary and stops it with SIGTERM.
func TestSignalStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "ccphoned")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--board", "sim", "--panel", "127.0.0.1:0", "--config", "testdata/phone.cfg",
		"--state", t.TempDir(), "--log-format", "json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(line, "front panel at http://127.0.0.1:") {
		cmd.Process.Kill()
		t.Fatalf("first line %q (%v); stderr:\n%s", line, err, stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("did not stop on SIGTERM; stderr:\n%s", stderr.String())
	}
	var last map[string]any
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatalf("last log line is not JSON: %q", lines[len(lines)-1])
	}
	if last["msg"] != "stopped" || !strings.Contains(fmt.Sprint(last["reason"]), "terminated") {
		t.Errorf("last log line %v", last)
	}
}

// TestBadBoardFileStopsTheStart edits the CC800 board file in the ways an
// engineer might get it wrong; each stops the start with a message naming
// the setting.
func TestBadBoardFileStopsTheStart(t *testing.T) {
	good, err := os.ReadFile("../../board/cc800/cc800-rev-a.board")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		edit     func(string) string
		want     []string
		wantCode int
	}{
		{"pin used twice", func(s string) string {
			return strings.Replace(s, "led.hold = GPIO19", "led.hold = GPIO13", 1)
		}, []string{"led.hold", "GPIO13", "led.autoanswer"}, exitUsage},
		{"no LCD section", func(s string) string {
			var keep []string
			for _, l := range strings.Split(s, "\n") {
				if !strings.HasPrefix(l, "lcd.") {
					keep = append(keep, l)
				}
			}
			return strings.Join(keep, "\n")
		}, []string{"lcd.spi"}, exitUsage},
		{"bad number", func(s string) string {
			return strings.Replace(s, "lcd.contrast = 22", "lcd.contrast = loud", 1)
		}, []string{"lcd.contrast", "loud"}, exitUsage},
		{"unknown key name", func(s string) string {
			return strings.Replace(s, "9, 0, star, pound", "9, 0, star, hash", 1)
		}, []string{"keys.matrix.row.5", "hash"}, exitUsage},
		{"unknown pin", func(s string) string {
			return strings.Replace(s, "lcd.dc = GPIO24", "lcd.dc = GPIO924", 1)
		}, []string{"lcd.dc", "GPIO924"}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "board.board")
			if err := os.WriteFile(file, []byte(tc.edit(string(good))), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"--board", "cc800", "--board-file", file, "--state", dir}, &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.wantCode, stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("message lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}
