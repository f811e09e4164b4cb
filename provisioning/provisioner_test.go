package provisioning

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ccphone/provisioning/nginxtest"
	"ccphone/provisioning/tftptest"
)

const testMAC = "00:15:65:AA:BB:CC"

const commonCfg = `#!version:1.0.0.1
account.1.enable = 1
account.1.label = Sales 10
account.1.user_name = 1001
account.1.password = secret1001
account.1.sip_server.1.address = 127.0.0.1
account.2.enable = 1
account.2.label = Support 20
account.2.user_name = 1002
account.2.sip_server.1.address = 127.0.0.1
ringer.volume = 3
`

const macCfg = "account.1.label = Anna\nlcd.contrast = 40\n"

// applied records the calls of the Apply hook.
type applied struct {
	mu    sync.Mutex
	calls [][]string
}

func (a *applied) hook(old, new *Config, changed []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, changed)
}

func (a *applied) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.calls)
}

func baseFile(t testing.TB, text string) *File {
	t.Helper()
	f, err := Parse("base.cfg", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func newProvisioner(t testing.TB, opts Options) *Provisioner {
	t.Helper()
	if opts.MAC == "" {
		opts.MAC = testMAC
	}
	if opts.Fetch.StallTimeout == 0 {
		opts.Fetch.StallTimeout = 300 * time.Millisecond
	}
	if opts.Fetch.TFTPTimeout == 0 {
		opts.Fetch.TFTPTimeout, opts.Fetch.TFTPRetries = 150*time.Millisecond, 1
	}
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestProvisionerApplyUnchangedRestart(t *testing.T) {
	www := wwwDir(t, map[string]string{"cc800.cfg": commonCfg, "001565aabbcc.cfg": macCfg})
	srv := nginxtest.Start(t, nginxtest.Options{Root: www})
	state := t.TempDir()
	var ap applied
	p := newProvisioner(t, Options{
		Base:     []*File{baseFile(t, "provisioning.server_url = "+srv.URL+"/\n")},
		StateDir: state, Apply: ap.hook,
	})
	lc, err := p.Check(t.Context())
	if err != nil || lc.Result != ResultApplied {
		t.Fatalf("first check = %+v, %v", lc, err)
	}
	cfg := p.Config()
	if got := cfg.Account(1).Label; got != "Anna" {
		t.Errorf("account 1 label = %q, want the per-MAC file's", got)
	}
	if cfg.Int("lcd.contrast") != 40 || cfg.Int("ringer.volume") != 3 {
		t.Error("settings of the files not applied")
	}
	if ap.count() != 1 || !slices.Contains(ap.calls[0], "account.2.label") {
		t.Errorf("Apply calls = %q", ap.calls)
	}
	if p.Status().Result != ResultApplied || p.Status().At.IsZero() {
		t.Errorf("Status = %+v", p.Status())
	}

	before := len(srv.WaitRequests(t, 2)) // the first check's two requests
	lc, err = p.Check(t.Context())
	if err != nil || lc.Result != ResultUnchanged {
		t.Fatalf("second check = %+v, %v", lc, err)
	}
	reqs := srv.WaitRequests(t, before+2)[before:]
	if want := []string{"GET /cc800.cfg 304", "GET /001565aabbcc.cfg 304"}; !slices.Equal(reqs, want) {
		t.Errorf("unchanged check made %q, want %q", reqs, want)
	}
	if ap.count() != 1 || p.Config() != cfg {
		t.Error("an unchanged check applied something")
	}

	// A restart without network boots from the last good files.
	p2 := newProvisioner(t, Options{
		Base:      []*File{baseFile(t, "provisioning.server_url = "+srv.URL+"/\n")},
		StateDir:  state,
		ServerURL: srv.URL + "/status/500/",
	})
	if got := p2.Config().Account(1).Label; got != "Anna" {
		t.Errorf("after restart account 1 label = %q, want the last good one", got)
	}
	if _, err := p2.Check(t.Context()); !errors.Is(err, ErrHTTPStatus) {
		t.Errorf("check against a failing server: %v", err)
	}
	if got := p2.Config().Account(1).Label; got != "Anna" {
		t.Errorf("after a failed check account 1 label = %q", got)
	}

	// One file gone: the other still provisions, and the gone one's
	// settings no longer apply.
	if err := os.Remove(filepath.Join(www, "001565aabbcc.cfg")); err != nil {
		t.Fatal(err)
	}
	lc, err = p.Check(t.Context())
	if err != nil || lc.Result != ResultApplied || p.Config().Account(1).Label != "Sales 10" {
		t.Errorf("check without the per-MAC file = %+v, %v", lc, err)
	}
}

// TestProvisionerBadCorpus: every kind of bad file or server leaves the
// running Config and the saved last good state exactly as they were, and
// says precisely what went wrong.
func TestProvisionerBadCorpus(t *testing.T) {
	www := wwwDir(t, map[string]string{"cc800.cfg": commonCfg, "001565aabbcc.cfg": macCfg})
	srv := nginxtest.Start(t, nginxtest.Options{Root: www})
	signer := testKey(t, 1)
	pub := base64.StdEncoding.EncodeToString(signer.Public().(ed25519.PublicKey))
	sign := func(name, data string) {
		writeFiles(t, www, map[string]string{name: data, name + ".sig": string(SignFile(signer, name, []byte(data)))})
	}
	sign("cc800.cfg", commonCfg)
	sign("001565aabbcc.cfg", macCfg)
	base := []*File{baseFile(t, "provisioning.server_url = "+srv.URL+"/\nprovisioning.signing_key = "+pub+"\n")}
	state := t.TempDir()
	var ap applied
	good := newProvisioner(t, Options{Base: base, StateDir: state, Apply: ap.hook})
	if _, err := good.Check(t.Context()); err != nil {
		t.Fatalf("good files: %v", err)
	}

	bad := func(name string) string {
		data, err := os.ReadFile(filepath.Join("testdata", "bad", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	macURL := srv.URL + "/001565aabbcc.cfg"
	tests := []struct {
		name      string
		mac       string // signed and served as the per-MAC file
		rawSig    string // served as its signature instead
		serverURL string // instead of the base's
		sentinel  error
		want      string // in the error text
	}{
		{name: "truncated download", mac: bad("truncated.cfg"), sentinel: ErrSyntax,
			want: macURL + `:3: account.1.pass: line has no "=" (file truncated?); allowed key = value`},
		{name: "wrong type", mac: bad("wrong_type.cfg"), sentinel: ErrType,
			want: macURL + `:4: lcd.contrast: "dark" is not a whole number; allowed 0..63`},
		{name: "out of range", mac: bad("out_of_range.cfg"), sentinel: ErrRange,
			want: macURL + `:2: account.1.sip_server.1.port: "70000" is out of range; allowed 1..65535`},
		{name: "duplicate key", mac: bad("duplicate_key.cfg"), sentinel: ErrDuplicate,
			want: macURL + `:3: account.1.label: duplicate key, first set on line 1`},
		{name: "binary garbage", mac: bad("binary_garbage.cfg"), sentinel: ErrEncoding,
			want: macURL + `:2: binary data (NUL byte at column 10)`},
		{name: "conflict across files", mac: "rtp.port_min = 12040\nrtp.port_max = 12000\n", sentinel: ErrConflict,
			want: macURL + `:1: rtp.port_min: 12040 is not below rtp.port_max 12000`},
		{name: "wrong signature", mac: macCfg + "lcd.backlight = 10\n", rawSig: string(SignFile(testKey(t, 2), "001565aabbcc.cfg", []byte(macCfg+"lcd.backlight = 10\n"))),
			sentinel: ErrSignature, want: macURL + ": 001565aabbcc.cfg: provisioning: bad signature: does not verify"},
		{name: "signature of the old file", mac: macCfg + "lcd.backlight = 10\n", rawSig: string(SignFile(signer, "001565aabbcc.cfg", []byte(macCfg))),
			sentinel: ErrSignature, want: "bad signature"},
		{name: "HTTP 404 for both files", serverURL: srv.URL + "/status/404/", sentinel: ErrNotFound,
			want: "neither cc800.cfg nor 001565aabbcc.cfg"},
		{name: "HTTP 500", serverURL: srv.URL + "/status/500/", sentinel: ErrHTTPStatus,
			want: "fetch " + srv.URL + "/status/500/cc800.cfg: HTTP 500 Internal Server Error"},
		{name: "TFTP timeout", serverURL: tftptest.Silent(t) + "/", sentinel: ErrTimeout,
			want: "TFTP server did not answer"},
	}
	if srv.HasHang {
		tests = append(tests, struct {
			name, mac, rawSig, serverURL string
			sentinel                     error
			want                         string
		}{name: "stalled server", serverURL: srv.URL + "/hang/", sentinel: ErrStalled, want: "server stalled"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer sign("001565aabbcc.cfg", macCfg)
			if tt.mac != "" {
				sign("001565aabbcc.cfg", tt.mac)
			}
			if tt.rawSig != "" {
				writeFiles(t, www, map[string]string{"001565aabbcc.cfg.sig": tt.rawSig})
			}
			var ap applied
			p := newProvisioner(t, Options{Base: base, StateDir: state, ServerURL: tt.serverURL, Apply: ap.hook})
			cfg := p.Config()
			saved, err := os.ReadFile(p.StatePath())
			if err != nil {
				t.Fatal(err)
			}
			lc, err := p.Check(t.Context())
			if err == nil || lc.Result != ResultFailed {
				t.Fatalf("check = %+v, want a failure", lc)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("err = %v, want %v", err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err:\n%v\nwant it to contain\n%s", err, tt.want)
			}
			if p.Config() != cfg || ap.count() != 0 {
				t.Error("the running config changed")
			}
			if now, err := os.ReadFile(p.StatePath()); err != nil || !bytes.Equal(now, saved) {
				t.Errorf("the saved last good state changed (%v)", err)
			}
			if st := p.Status(); st.Result != ResultFailed || st.Err == nil {
				t.Errorf("Status = %+v", st)
			}
			if strings.Contains(err.Error(), "secret1001") {
				t.Error("the error leaks a password")
			}
		})
	}

	t.Run("unknown keys only warn", func(t *testing.T) {
		defer sign("001565aabbcc.cfg", macCfg)
		sign("001565aabbcc.cfg", bad("unknown_key.cfg"))
		p := newProvisioner(t, Options{Base: base, StateDir: state})
		lc, err := p.Check(t.Context())
		if err != nil || lc.Result != ResultApplied {
			t.Fatalf("check = %+v, %v", lc, err)
		}
		if w := p.Config().Warnings().Error(); !strings.Contains(w, "account.1.lable: unknown setting, ignored; did you mean account.1.label?") {
			t.Errorf("warnings = %s", w)
		}
	})
	t.Run("unsigned file", func(t *testing.T) {
		defer sign("001565aabbcc.cfg", macCfg)
		if err := os.Remove(filepath.Join(www, "001565aabbcc.cfg.sig")); err != nil {
			t.Fatal(err)
		}
		writeFiles(t, www, map[string]string{"001565aabbcc.cfg": macCfg + "lcd.backlight = 11\n"})
		p := newProvisioner(t, Options{Base: base, StateDir: state})
		_, err := p.Check(t.Context())
		if !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), "no 001565aabbcc.cfg.sig beside it") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestProvisionerEncryptedPerMAC(t *testing.T) {
	master := bytes.Repeat([]byte{9}, 32)
	keyA, _ := DeriveDeviceKey(master, testMAC)
	keyB, _ := DeriveDeviceKey(master, "001565aabbcd")
	www := wwwDir(t, map[string]string{"cc800.cfg": commonCfg})
	srv := tftptest.Start(t, www)
	base := []*File{baseFile(t, "provisioning.server_url = "+srv.URL+"/\nprovisioning.device_key = "+base64.StdEncoding.EncodeToString(keyA)+"\n")}

	encrypt := func(key []byte, name, text string) string {
		enc, err := EncryptFile(key, name, []byte(text), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return string(enc)
	}
	tests := []struct {
		name string
		file string
		err  error
	}{
		{"plain file refused", macCfg, ErrDecrypt},
		{"file for phone B", encrypt(keyB, "001565aabbcc.cfg", macCfg), ErrDecrypt},
		{"phone B's own file replayed", encrypt(keyB, "001565aabbcd.cfg", macCfg), ErrDecrypt},
		{"file for this phone", encrypt(keyA, "001565aabbcc.cfg", macCfg), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFiles(t, www, map[string]string{"001565aabbcc.cfg": tt.file})
			p := newProvisioner(t, Options{Base: base, StateDir: t.TempDir()})
			_, err := p.Check(t.Context())
			if !errors.Is(err, tt.err) && !(tt.err == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err == nil && p.Config().Account(1).Label != "Anna" {
				t.Error("decrypted file not applied")
			}
		})
	}
}

func TestProvisionerLocalChanges(t *testing.T) {
	www := wwwDir(t, map[string]string{"cc800.cfg": commonCfg})
	local := baseFile(t, "ringer.volume = 9\nphone.language = ru\n")
	local.Name = "local"
	for _, tt := range []struct {
		name, extra string
		volume      int
	}{
		{"local change survives", "", 9},
		{"admin overrides on purpose", "provisioning.override_local = ringer.volume\n", 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			writeFiles(t, www, map[string]string{"001565aabbcc.cfg": tt.extra})
			p := newProvisioner(t, Options{ServerURL: www, StateDir: t.TempDir(), Local: func() *File { return local }})
			if _, err := p.Check(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := p.Config().Int("ringer.volume"); got != tt.volume {
				t.Errorf("ringer.volume = %d, want %d", got, tt.volume)
			}
			if got := p.Config().String("phone.language"); got != "ru" {
				t.Errorf("phone.language = %s, want the local ru", got)
			}
		})
	}
}

func TestProvisionerDHCP(t *testing.T) {
	www := wwwDir(t, map[string]string{"cc800.cfg": commonCfg})
	srv := nginxtest.Start(t, nginxtest.Options{Root: www})
	lease := filepath.Join(t.TempDir(), "dhclient.leases")
	writeFiles(t, filepath.Dir(lease), map[string]string{"dhclient.leases": "lease {\n  option unknown-160 \"" + srv.URL + "/\";\n}\n"})
	p := newProvisioner(t, Options{Base: []*File{baseFile(t, "provisioning.dhcp_lease_file = "+lease+"\n")}, StateDir: t.TempDir()})
	lc, err := p.Check(t.Context())
	if err != nil || lc.Server != srv.URL+"/" {
		t.Fatalf("check = %+v, %v", lc, err)
	}
	off := newProvisioner(t, Options{Base: []*File{baseFile(t, "provisioning.dhcp_option = off\n")}, StateDir: t.TempDir()})
	if _, err := off.Check(t.Context()); !errors.Is(err, ErrNoServer) {
		t.Errorf("no server: err = %v", err)
	}
}

// TestProvisionerRun drives Run with a fake timer: the start-up check,
// the wait it asks for (interval with jitter), and CheckNow.
func TestProvisionerRun(t *testing.T) {
	www := wwwDir(t, map[string]string{"cc800.cfg": commonCfg + "provisioning.interval = 60\nprovisioning.jitter = 10\n"})
	waits := make(chan time.Duration, 10)
	fire := make(chan time.Time)
	checks := make(chan LastCheck, 10)
	p := newProvisioner(t, Options{
		ServerURL: www, StateDir: t.TempDir(),
		After:  func(d time.Duration) <-chan time.Time { waits <- d; return fire },
		Rand:   func() float64 { return 1 },
		Status: func(lc LastCheck) { checks <- lc },
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	if lc := <-checks; lc.Result != ResultApplied {
		t.Fatalf("start-up check = %+v", lc)
	}
	if d := <-waits; d != 66*time.Minute {
		t.Errorf("first wait = %v, want 66m (60m + 10%% jitter at r=1)", d)
	}
	p.CheckNow()
	if lc := <-checks; lc.Result != ResultUnchanged {
		t.Errorf("CheckNow check = %+v", lc)
	}
	<-waits
	fire <- time.Now()
	if lc := <-checks; lc.Result != ResultUnchanged {
		t.Errorf("timer check = %+v", lc)
	}
	<-waits
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

// BenchmarkUnchangedCheck is the periodic check when nothing changed: one
// conditional request per file (answered 304) and nothing else: no parse,
// no merge, no write.
func BenchmarkUnchangedCheck(b *testing.B) {
	www := b.TempDir()
	writeFiles(b, www, map[string]string{"cc800.cfg": commonCfg, "001565aabbcc.cfg": macCfg})
	srv := nginxtest.Start(b, nginxtest.Options{Root: www})
	counter := &countingTransport{rt: http.DefaultTransport.(*http.Transport).Clone()}
	state := b.TempDir()
	p := newProvisioner(b, Options{ServerURL: srv.URL, StateDir: state, Fetch: FetchOptions{Transport: counter}})
	if _, err := p.Check(b.Context()); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(p.StatePath())
	if err != nil {
		b.Fatal(err)
	}
	counter.n.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		lc, err := p.Check(b.Context())
		if err != nil || lc.Result != ResultUnchanged {
			b.Fatalf("check = %+v, %v", lc, err)
		}
	}
	b.StopTimer()
	if per := float64(counter.n.Load()) / float64(b.N); per != 2 {
		b.Errorf("%.2f requests per check, want 2 (one per file)", per)
	}
	b.ReportMetric(float64(counter.n.Load())/float64(b.N), "requests/op")
	if after, err := os.Stat(p.StatePath()); err != nil || !after.ModTime().Equal(info.ModTime()) {
		b.Error("an unchanged check wrote the state")
	}
}
