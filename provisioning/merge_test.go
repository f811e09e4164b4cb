package provisioning

import (
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustParse(t *testing.T, name, text string) *File {
	t.Helper()
	f, err := Parse(name, strings.NewReader(text))
	if err != nil {
		t.Fatalf("Parse %s: %v", name, err)
	}
	return f
}

func mustMerge(t *testing.T, s *Schema, local *File, files ...*File) *Config {
	t.Helper()
	cfg, err := s.Merge(files, local)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	return cfg
}

func TestMergeOrder(t *testing.T) {
	s := DefaultSchema()
	common := mustParse(t, "common.cfg", "lcd.contrast = 10\nringer.volume = 3\nsip.listen_port = 5061\nphone.dnd_code = 480\n")
	mac := mustParse(t, "001565aabbcc.cfg", "\nringer.volume = 4\nsip.listen_port = 5062\n")
	local := mustParse(t, "local", "ringer.volume = 9\n")
	cfg := mustMerge(t, s, local, common, mac)

	tests := []struct {
		key    string
		want   string
		source string
	}{
		{"headset.volume", "5", "default"},
		{"lcd.contrast", "10", "common.cfg:1"},
		{"phone.dnd_code", "480", "common.cfg:4"},
		{"sip.listen_port", "5062", "001565aabbcc.cfg:3"},
		{"ringer.volume", "9", "local"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			v, src, ok := cfg.Lookup(tt.key)
			if !ok {
				t.Fatal("Lookup: not found")
			}
			if v.String() != tt.want || src.String() != tt.source {
				t.Errorf("Lookup = %s from %s, want %s from %s", v, src, tt.want, tt.source)
			}
		})
	}
	if _, _, ok := cfg.Lookup("no.such.key"); ok {
		t.Error("Lookup found an unknown key")
	}
	if cfg.Int("sip.listen_port") != 5062 || !cfg.Bool("sip.trusted_servers_only") || cfg.String("phone.language") != "en" {
		t.Error("typed accessors disagree with Lookup")
	}
}

func TestEmptyValueResetsToDefault(t *testing.T) {
	s := DefaultSchema()
	common := mustParse(t, "common.cfg", "lcd.contrast = 10\nphone.time_zone = Europe/Moscow\n")
	mac := mustParse(t, "mac.cfg", "lcd.contrast =\nphone.time_zone =\n")
	cfg := mustMerge(t, s, nil, common, mac)
	if got := cfg.Int("lcd.contrast"); got != 32 {
		t.Errorf("lcd.contrast = %d, want default 32", got)
	}
	if got := cfg.String("phone.time_zone"); got != "" {
		t.Errorf("phone.time_zone = %q, want empty", got)
	}
	if _, src, _ := cfg.Lookup("lcd.contrast"); src.String() != "mac.cfg:1" {
		t.Errorf("source = %s, want mac.cfg:1", src)
	}
}

func TestOverrideLocal(t *testing.T) {
	s := DefaultSchema()
	local := mustParse(t, "local", "lcd.contrast = 50\nringer.volume = 9\nphone.language = ru\n")
	tests := []struct {
		name     string
		admin    string
		contrast int    // effective lcd.contrast
		volume   int    // effective ringer.volume
		language string // effective phone.language
		kept     string // keys Local still holds
	}{
		{"local wins without override", "lcd.contrast = 20\nringer.volume = 2\n", 50, 9, "ru",
			"lcd.contrast,ringer.volume,phone.language"},
		{"listed key: admin value wins", "lcd.contrast = 20\nringer.volume = 2\nprovisioning.override_local = lcd.contrast\n", 20, 9, "ru",
			"ringer.volume,phone.language"},
		{"listed key not set by admin: default wins", "provisioning.override_local = ringer.volume\n", 50, 5, "ru",
			"lcd.contrast,phone.language"},
		{"star locks every user key", "lcd.contrast = 20\nprovisioning.override_local = *\n", 20, 5, "en", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustMerge(t, s, local, mustParse(t, "common.cfg", tt.admin))
			if got := cfg.Int("lcd.contrast"); got != tt.contrast {
				t.Errorf("lcd.contrast = %d, want %d", got, tt.contrast)
			}
			if got := cfg.Int("ringer.volume"); got != tt.volume {
				t.Errorf("ringer.volume = %d, want %d", got, tt.volume)
			}
			if got := cfg.String("phone.language"); got != tt.language {
				t.Errorf("phone.language = %q, want %q", got, tt.language)
			}
			var kept []string
			for _, e := range cfg.Local().Entries {
				kept = append(kept, e.Key)
			}
			if got := strings.Join(kept, ","); got != tt.kept {
				t.Errorf("Local = %s, want %s", got, tt.kept)
			}
		})
	}
}

func TestWithLocal(t *testing.T) {
	s := DefaultSchema()
	admin := mustParse(t, "common.cfg", "lcd.contrast = 20\nprovisioning.override_local = ringer.volume\n")
	cfg := mustMerge(t, s, nil, admin)

	tests := []struct {
		name, key, value string
		want             string // effective value, when wantErr is ""
		wantErr          string
		sentinel         error
	}{
		{"user key", "lcd.contrast", "40", "40", "", nil},
		{"trimmed", "lcd.contrast", " 41 ", "41", "", nil},
		{"empty resets int", "lcd.contrast", "", "32", "", nil},
		{"empty string", "account.1.cfwd.always", "", "", "", nil},
		{"forward target", "account.1.cfwd.always", "2000", "2000", "", nil},
		{"admin key refused", "sip.listen_port", "5070", "",
			"local: sip.listen_port: admin-owned setting cannot be changed on the phone", ErrNotUserOwned},
		{"password refused", "account.1.password", "x", "",
			"local: account.1.password: admin-owned setting cannot be changed on the phone", ErrNotUserOwned},
		{"locked key refused", "ringer.volume", "7", "",
			"local: ringer.volume: locked by the administrator (provisioning.override_local)", ErrLocked},
		{"out of range", "lcd.contrast", "99", "",
			`local: lcd.contrast: "99" is out of range; allowed 0..63`, ErrRange},
		{"unknown key", "lcd.contrats", "1", "",
			"local: lcd.contrats: unknown setting; did you mean lcd.contrast?", ErrUnknownKey},
		{"value the file format cannot hold", "account.1.cfwd.always", "2000 #1", "",
			`local: account.1.cfwd.always: value has "#" after a space, which the file format reads as a comment; allowed up to 64 characters`, ErrSyntax},
		{"newline", "account.1.cfwd.always", "20\n00", "",
			`local: account.1.cfwd.always: control character U+000A; allowed up to 64 characters`, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cfg.WithLocal(tt.key, tt.value)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, tt.sentinel) {
					t.Errorf("err = %v, want %s (%v)", err, tt.wantErr, tt.sentinel)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v := got.String(tt.key); v != tt.want {
				t.Errorf("%s = %q, want %q", tt.key, v, tt.want)
			}
			if _, src, _ := got.Lookup(tt.key); src.Origin != FromLocal {
				t.Errorf("source = %v, want local", src)
			}
			if cfg.Int("lcd.contrast") != 20 {
				t.Error("WithLocal changed the original Config")
			}
		})
	}
}

func TestLocalRoundTrip(t *testing.T) {
	s := DefaultSchema()
	admin := mustParse(t, "common.cfg", "lcd.contrast = 20\n")
	cfg := mustMerge(t, s, nil, admin)
	var err error
	for _, kv := range [][2]string{{"ringer.volume", "8"}, {"lcd.contrast", "40"}, {"phone.dnd", "1"}, {"ringer.volume", "7"}} {
		if cfg, err = cfg.WithLocal(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	if err := cfg.Local().Format(&b); err != nil {
		t.Fatal(err)
	}
	want := "phone.dnd = 1\nlcd.contrast = 40\nringer.volume = 7\n"
	if b.String() != want {
		t.Errorf("persisted local:\n%s\nwant\n%s", b.String(), want)
	}
	// After a restart the phone merges the same admin file with what it saved.
	again := mustMerge(t, s, mustParse(t, "local.cfg", b.String()), admin)
	if d := Diff(cfg, again); len(d) != 0 {
		t.Errorf("restart changed %v", d)
	}
	reverted := again.WithoutLocal("lcd.contrast")
	if reverted.Int("lcd.contrast") != 20 || again.Int("lcd.contrast") != 40 {
		t.Errorf("WithoutLocal: contrast %d (was %d), want 20", reverted.Int("lcd.contrast"), again.Int("lcd.contrast"))
	}
}

func TestLocalProblemsAreWarnings(t *testing.T) {
	s := DefaultSchema()
	local := mustParse(t, "local.cfg", "sip.listen_port = 5070\nlcd.contrast = 99\nold.setting = 1\nringer.volume = 7\n")
	cfg := mustMerge(t, s, local)
	want := "local.cfg:1: sip.listen_port: admin-owned setting, local change ignored\n" +
		`local.cfg:2: lcd.contrast: "99" is out of range, local change ignored; allowed 0..63` + "\n" +
		"local.cfg:3: old.setting: unknown setting, ignored"
	if got := cfg.Warnings().Error(); got != want {
		t.Errorf("warnings:\n%s\nwant\n%s", got, want)
	}
	if cfg.Int("sip.listen_port") != 5060 || cfg.Int("lcd.contrast") != 32 || cfg.Int("ringer.volume") != 7 {
		t.Error("ignored local changes took effect, or the good one did not")
	}
}

func TestConflicts(t *testing.T) {
	s := DefaultSchema()
	tests := []struct {
		name  string
		files []string // name=text pairs
		want  string
	}{
		{"rtp min above max across files", []string{"common.cfg", "rtp.port_min = 12000\n", "mac.cfg", "\nrtp.port_max = 11000\n"},
			"common.cfg:1: rtp.port_min: 12000 is not below rtp.port_max 11000 (mac.cfg:2); allowed rtp.port_min < rtp.port_max"},
		{"rtp max below default min", []string{"common.cfg", "\nrtp.port_max = 11000\n"},
			"common.cfg:2: rtp.port_max: 11000 is not above rtp.port_min 11780 (default); allowed rtp.port_min < rtp.port_max"},
		{"rtp min above default max", []string{"common.cfg", "rtp.port_min = 11800\n"},
			"common.cfg:1: rtp.port_min: 11800 is not below rtp.port_max 11800 (default); allowed rtp.port_min < rtp.port_max"},
		{"enabled account without server", []string{"common.cfg", "account.2.enable = 1\naccount.2.user_name = 1002\n"},
			"common.cfg:1: account.2.enable: account is enabled but account.2.sip_server.1.address is empty; allowed enable = 1 only with account.2.sip_server.1.address and account.2.user_name set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []*File
			for i := 0; i < len(tt.files); i += 2 {
				files = append(files, mustParse(t, tt.files[i], tt.files[i+1]))
			}
			cfg, err := s.Merge(files, nil)
			if err == nil || cfg != nil {
				t.Fatalf("Merge = %v, %v; want an error", cfg, err)
			}
			if err.Error() != tt.want || !errors.Is(err, ErrConflict) {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	s := DefaultSchema()
	a := mustMerge(t, s, nil, mustParse(t, "a.cfg", "lcd.contrast = 10\naccount.1.password = old\nsip.listen_port = 5070\n"))
	b := mustMerge(t, s, nil, mustParse(t, "b.cfg", "sip.listen_port = 5070\nlcd.contrast = 11\naccount.1.password = new\nrtp.port_max = 11900\n"))
	want := []string{"account.1.password", "rtp.port_max", "lcd.contrast"}
	if got := Diff(a, b); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff = %v, want %v", got, want)
	}
	if got := Diff(a, a); len(got) != 0 {
		t.Errorf("Diff(a, a) = %v", got)
	}
	if got := Diff(nil, a); len(got) != len(s.Settings()) {
		t.Errorf("Diff(nil, a) has %d keys, want all %d", len(got), len(s.Settings()))
	}
	var groups []string
	for _, k := range want {
		groups = append(groups, Subsystem(k))
	}
	if got := strings.Join(groups, " "); got != "account.1 rtp lcd" {
		t.Errorf("Subsystem = %s", got)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	s := DefaultSchema()
	src := "account.1.enable = 1\naccount.1.user_name = 1001\naccount.1.password = p#ss word\n" +
		"account.1.sip_server.1.address = pbx.example.net\naccount.1.sip_server.1.transport = TLS\n" +
		"lcd.contrast = +7\nphone.time_zone =\nprovisioning.override_local = lcd.contrast, ringer.volume\n"
	cfg := mustMerge(t, s, nil, mustParse(t, "c.cfg", src))

	var shown strings.Builder
	if err := cfg.Format(&shown, true); err != nil {
		t.Fatal(err)
	}
	back := mustMerge(t, s, nil, mustParse(t, "dump.cfg", shown.String()))
	if d := Diff(cfg, back); len(d) != 0 {
		t.Errorf("Format(showSecrets) did not round-trip: %v", d)
	}
	if w := back.Warnings(); len(w) != 0 {
		t.Errorf("dump has warnings: %v", w)
	}

	var hidden strings.Builder
	if err := cfg.Format(&hidden, false); err != nil {
		t.Fatal(err)
	}
	back = mustMerge(t, s, nil, mustParse(t, "dump.cfg", hidden.String()))
	if d := Diff(cfg, back); !reflect.DeepEqual(d, []string{"account.1.password"}) {
		t.Errorf("hidden dump differs in %v, want only the password", d)
	}
	if !strings.Contains(hidden.String(), "\n# account.1.password = ********\n") {
		t.Errorf("hidden dump lacks the masked password line:\n%s", hidden.String())
	}
}

func TestAccount(t *testing.T) {
	s := DefaultSchema()
	src := "account.2.enable = 1\naccount.2.label = Support 20\naccount.2.user_name = 1002\naccount.2.password = pw\n" +
		"account.2.sip_server.1.address = pbx.example.net\naccount.2.sip_server.2.address = pbx2.example.net\n" +
		"account.2.sip_server.2.port = 5070\naccount.2.sip_server.2.transport = tcp\naccount.2.sip_server.1.expires = 600\n" +
		"account.2.outbound_proxy = 10.0.0.5:5060\naccount.2.cfwd.busy = 3000\naccount.2.cfwd.no_answer_seconds = 15\n" +
		"account.2.voicemail_number = *97\naccount.2.srtp = required\n"
	cfg := mustMerge(t, s, nil, mustParse(t, "a.cfg", src))
	want := Account{
		Index: 2, Enable: true, Label: "Support 20", UserName: "1002", Password: "pw",
		Servers: [2]Server{
			{Address: "pbx.example.net", Port: 5060, Transport: "udp", Expires: 600 * time.Second},
			{Address: "pbx2.example.net", Port: 5070, Transport: "tcp", Expires: time.Hour},
		},
		OutboundProxy: "10.0.0.5:5060",
		Forward:       Forwarding{Busy: "3000", NoAnswerTimeout: 15 * time.Second},
		Voicemail:     "*97",
		SRTP:          "required",
	}
	if got := cfg.Account(2); got != want {
		t.Errorf("Account(2) =\n%+v\nwant\n%+v", got, want)
	}
	if got := cfg.Account(2).DigestName(); got != "1002" {
		t.Errorf("DigestName = %q", got)
	}
	if got := cfg.Account(3); got.Index != 0 {
		t.Errorf("Account(3).Index = %d, want 0", got.Index)
	}
	if got := cfg.Accounts(); len(got) != 2 || got[0].Index != 1 || got[1] != want {
		t.Errorf("Accounts = %+v", got)
	}
}

// TestConcurrentReads shares one Config among goroutines that read it and
// derive new ones; run with -race.
func TestConcurrentReads(t *testing.T) {
	s := DefaultSchema()
	cfg := mustMerge(t, s, nil, mustParse(t, "c.cfg", "lcd.contrast = 20\naccount.1.label = Sales 10\n"))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				if cfg.Account(1).Label != "Sales 10" || cfg.Int("lcd.contrast") != 20 {
					t.Error("shared Config changed")
					return
				}
				next, err := cfg.WithLocal("ringer.volume", strconv.Itoa((g+i)%11))
				if err != nil {
					t.Error(err)
					return
				}
				if err := next.Format(io.Discard, false); err != nil {
					t.Error(err)
					return
				}
				_ = Diff(cfg, next)
			}
		})
	}
	wg.Wait()
}
