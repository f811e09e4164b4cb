package provisioning

import (
	"errors"
	"strings"
	"testing"
)

// checkOne validates "key = value" alone and returns the merged value.
func checkOne(t *testing.T, s *Schema, key, value string) (string, error) {
	t.Helper()
	f := &File{Name: "v.cfg", Entries: []Entry{{Line: 7, Key: key, Value: value}}}
	if issues := s.Check(f); len(issues) > 0 {
		return "", issues
	}
	cfg, err := s.Merge([]*File{f}, nil)
	if err != nil {
		return "", err
	}
	return cfg.String(key), nil
}

func TestValidateValues(t *testing.T) {
	s := DefaultSchema()
	tests := []struct {
		name, key, value string
		want             string // canonical value when wantErr is ""
		wantErr          string
		sentinel         error
	}{
		{"bool 1", "sip.allow_ip_calls", "1", "1", "", nil},
		{"bool empty resets to default", "sip.trusted_servers_only", "", "1", "", nil},
		{"bool word", "phone.dnd", "yes", "", `v.cfg:7: phone.dnd: "yes" is not a boolean; allowed 0 or 1`, ErrType},
		{"int in range", "lcd.contrast", "63", "63", "", nil},
		{"int canonical", "lcd.contrast", "+007", "7", "", nil},
		{"int empty resets", "lcd.contrast", "", "32", "", nil},
		{"int below", "ringer.volume", "-1", "", `v.cfg:7: ringer.volume: "-1" is out of range; allowed 0..10`, ErrRange},
		{"int above", "lcd.contrast", "64", "", `v.cfg:7: lcd.contrast: "64" is out of range; allowed 0..63`, ErrRange},
		{"int huge", "lcd.contrast", "99999999999999999999999", "", `v.cfg:7: lcd.contrast: "99999999999999999999999" is out of range; allowed 0..63`, ErrRange},
		{"int word", "lcd.backlight", "bright", "", `v.cfg:7: lcd.backlight: "bright" is not a whole number; allowed 0..100`, ErrType},
		{"port", "sip.listen_port", "5070", "5070", "", nil},
		{"port zero", "sip.listen_port", "0", "", `v.cfg:7: sip.listen_port: "0" is out of range; allowed 1..65535`, ErrRange},
		{"port too big", "account.1.sip_server.1.port", "70000", "", `v.cfg:7: account.1.sip_server.1.port: "70000" is out of range; allowed 1..65535`, ErrRange},
		{"enum", "account.2.sip_server.2.transport", "tls", "tls", "", nil},
		{"enum ignores case", "account.1.sip_server.1.transport", "TCP", "tcp", "", nil},
		{"enum numeric", "phone.dnd_code", "603", "603", "", nil},
		{"enum bad", "phone.dnd_code", "404", "", `v.cfg:7: phone.dnd_code: "404" is not one of the choices; allowed 486, 480, 603`, ErrEnum},
		{"language bad", "phone.language", "de", "", `v.cfg:7: phone.language: "de" is not one of the choices; allowed en, ru`, ErrEnum},
		{"string", "account.1.label", "Sales 10", "Sales 10", "", nil},
		{"string empty", "phone.time_zone", "", "", "", nil},
		{"string counts characters", "account.1.label", strings.Repeat("ж", 32), strings.Repeat("ж", 32), "", nil},
		{"string too long", "account.1.label", strings.Repeat("x", 33), "", `v.cfg:7: account.1.label: value is too long (33 characters); allowed up to 32 characters`, ErrTooLong},
		{"host name", "account.1.sip_server.1.address", "pbx.example.net", "pbx.example.net", "", nil},
		{"host IPv4", "account.1.sip_server.1.address", "10.0.0.5", "10.0.0.5", "", nil},
		{"host IPv6", "account.1.sip_server.1.address", "fd00::5", "fd00::5", "", nil},
		{"host bad IP", "account.1.sip_server.1.address", "10.0.0.300", "", `v.cfg:7: account.1.sip_server.1.address: "10.0.0.300" is not a host name or IP address; allowed a host name or IP address`, ErrType},
		{"host with port", "account.1.sip_server.1.address", "pbx:5060", "", `v.cfg:7: account.1.sip_server.1.address: "pbx:5060" is not a host name or IP address; allowed a host name or IP address`, ErrType},
		{"host underscore", "account.1.sip_server.1.address", "pbx_1", "", `v.cfg:7: account.1.sip_server.1.address: "pbx_1" is not a host name or IP address; allowed a host name or IP address`, ErrType},
		{"hostport", "account.1.outbound_proxy", "10.0.0.5:5060", "10.0.0.5:5060", "", nil},
		{"hostport no port", "account.1.outbound_proxy", "proxy.example.net", "proxy.example.net", "", nil},
		{"hostport IPv6", "account.1.outbound_proxy", "[fd00::5]:5060", "[fd00::5]:5060", "", nil},
		{"hostport bad port", "account.1.outbound_proxy", "10.0.0.5:0", "", `v.cfg:7: account.1.outbound_proxy: "10.0.0.5:0" is not host or host:port; allowed host or host:port`, ErrType},
		{"url", "provisioning.server_url", "https://prov.example.net/cc800/", "https://prov.example.net/cc800/", "", nil},
		{"url tftp", "provisioning.server_url", "tftp://10.0.0.2", "tftp://10.0.0.2", "", nil},
		{"url ftp", "provisioning.server_url", "ftp://x.example", "", `v.cfg:7: provisioning.server_url: "ftp://x.example" is not an http, https or tftp URL; allowed an http://, https:// or tftp:// URL`, ErrType},
		{"key list", "provisioning.override_local", "lcd.contrast , ringer.volume", "lcd.contrast,ringer.volume", "", nil},
		{"key list star", "provisioning.override_local", "*", "*", "", nil},
		{"key list admin key", "provisioning.override_local", "lcd.contrast,sip.listen_port", "", `v.cfg:7: provisioning.override_local: "sip.listen_port" is not a user-owned setting; allowed * or comma-separated user-owned keys`, ErrEnum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkOne(t, s, tt.key, tt.value)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("accepted %q as %q, want error", tt.value, got)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error:\n got %s\nwant %s", err, tt.wantErr)
				}
				if !errors.Is(err, tt.sentinel) {
					t.Errorf("errors.Is(err, %v) = false", tt.sentinel)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != tt.want {
				t.Errorf("value = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnknownKeySuggestion(t *testing.T) {
	s := DefaultSchema()
	tests := []struct {
		key  string
		want string
	}{
		{"account.1.lable", "v.cfg:3: account.1.lable: unknown setting, ignored; did you mean account.1.label?"},
		{"acount.2.enable", "v.cfg:3: acount.2.enable: unknown setting, ignored; did you mean account.2.enable?"},
		{"LCD.CONTRAST", "v.cfg:3: LCD.CONTRAST: unknown setting, ignored; did you mean lcd.contrast?"},
		{"rtp.port_mim", "v.cfg:3: rtp.port_mim: unknown setting, ignored; did you mean rtp.port_min?"},
		{"features.dnd.enable", "v.cfg:3: features.dnd.enable: unknown setting, ignored"},
		{"zz", "v.cfg:3: zz: unknown setting, ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			f := &File{Name: "v.cfg", Entries: []Entry{{Line: 3, Key: tt.key, Value: "1"}}}
			issues := s.Check(f)
			if len(issues) != 1 {
				t.Fatalf("got %d issues, want 1: %v", len(issues), issues)
			}
			if got := issues[0].Error(); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
			if !issues[0].Warning || !errors.Is(issues[0], ErrUnknownKey) {
				t.Errorf("issue is not an ErrUnknownKey warning: %+v", issues[0])
			}
			cfg, err := s.Merge([]*File{f}, nil)
			if err != nil {
				t.Fatalf("Merge failed on a warning: %v", err)
			}
			if w := cfg.Warnings(); len(w) != 1 || w[0].Error() != tt.want {
				t.Errorf("Warnings = %v", w)
			}
		})
	}
}

func TestWithEnumValues(t *testing.T) {
	s := DefaultSchema()
	more, err := s.WithEnumValues("phone.language", "de", "EN", "fr")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := checkOne(t, more, "phone.language", "DE"); err != nil || got != "de" {
		t.Errorf("with de registered: %q, %v", got, err)
	}
	if _, err := checkOne(t, s, "phone.language", "de"); !errors.Is(err, ErrEnum) {
		t.Errorf("original schema changed: de accepted (%v)", err)
	}
	st, _ := more.Setting("phone.language")
	if got := strings.Join(st.Values, ","); got != "en,ru,de,fr" {
		t.Errorf("Values = %s", got)
	}

	bad := []struct {
		name, key string
		values    []string
		sentinel  error
	}{
		{"unknown key", "phone.lang", []string{"de"}, ErrUnknownKey},
		{"not an enum", "lcd.contrast", []string{"de"}, ErrType},
		{"empty value", "phone.language", []string{""}, ErrSyntax},
		{"comma", "phone.language", []string{"de,fr"}, ErrSyntax},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.WithEnumValues(tt.key, tt.values...); !errors.Is(err, tt.sentinel) {
				t.Errorf("err = %v, want %v", err, tt.sentinel)
			}
		})
	}
}

func TestDefaultsAreValid(t *testing.T) {
	s := DefaultSchema()
	for _, st := range s.Settings() {
		if _, p := s.value(&st, st.Default); p != nil {
			t.Errorf("%s: default %q: %s", st.Key, st.Default, p.problem)
		}
		if st.Help == "" || st.Owner == 0 || st.Type == 0 {
			t.Errorf("%s: incomplete setting %+v", st.Key, st)
		}
	}
}

func TestSchemaHasDesignKeys(t *testing.T) {
	s := DefaultSchema()
	for _, n := range []string{"1", "2"} {
		for _, k := range []string{"enable", "label", "display_name", "user_name", "auth_name", "password", "outbound_proxy",
			"cfwd.always", "cfwd.busy", "cfwd.no_answer", "cfwd.no_answer_seconds", "voicemail_number"} {
			if _, ok := s.Setting("account." + n + "." + k); !ok {
				t.Errorf("missing account.%s.%s", n, k)
			}
		}
		for _, m := range []string{"1", "2"} {
			for _, k := range []string{"address", "port", "transport", "expires"} {
				if _, ok := s.Setting("account." + n + ".sip_server." + m + "." + k); !ok {
					t.Errorf("missing account.%s.sip_server.%s.%s", n, m, k)
				}
			}
		}
	}
	defaults := map[string]string{"sip.listen_port": "5060", "sip.trusted_servers_only": "1", "sip.allow_ip_calls": "0",
		"rtp.port_min": "11780", "rtp.port_max": "11800", "phone.language": "en"}
	for k, want := range defaults {
		if st, ok := s.Setting(k); !ok || st.Default != want {
			t.Errorf("%s default = %q (found %v), want %q", k, st.Default, ok, want)
		}
	}
	if st, _ := s.Setting("account.1.password"); !st.Secret {
		t.Error("account.1.password is not secret")
	}
	for _, k := range []string{"lcd.contrast", "ringer.volume", "phone.language"} {
		if st, _ := s.Setting(k); st.Owner != User {
			t.Errorf("%s owner = %v, want user", k, st.Owner)
		}
	}
}

func TestMACFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"00:15:65:AA:BB:CC", "001565aabbcc.cfg"},
		{"00-15-65-aa-bb-cc", "001565aabbcc.cfg"},
		{"001565AABBCC", "001565aabbcc.cfg"},
		{"00:15:65:AA:BB", ""},
		{"../etc/passwd", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := MACFileName(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrSyntax) {
					t.Errorf("got %q, %v; want ErrSyntax", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
