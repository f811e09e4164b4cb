package provisioning

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestBadCorpus loads each file of testdata/bad and checks the exact
// error text: file, line, key, what is wrong and what is allowed.
func TestBadCorpus(t *testing.T) {
	tests := []struct {
		file     string
		want     string // the whole error text; "" for files that only warn
		sentinel error
		warning  string // the warnings, one per line
	}{
		{file: "wrong_type.cfg", sentinel: ErrType,
			want: `testdata/bad/wrong_type.cfg:4: lcd.contrast: "dark" is not a whole number; allowed 0..63`},
		{file: "out_of_range.cfg", sentinel: ErrRange,
			want: `testdata/bad/out_of_range.cfg:2: account.1.sip_server.1.port: "70000" is out of range; allowed 1..65535`},
		{file: "duplicate_key.cfg", sentinel: ErrDuplicate,
			want: `testdata/bad/duplicate_key.cfg:3: account.1.label: duplicate key, first set on line 1; allowed each key once per file`},
		{file: "binary_garbage.cfg", sentinel: ErrEncoding,
			want: `testdata/bad/binary_garbage.cfg:2: binary data (NUL byte at column 10); allowed UTF-8 text`},
		{file: "truncated.cfg", sentinel: ErrSyntax,
			want: `testdata/bad/truncated.cfg:3: account.1.pass: line has no "=" (file truncated?); allowed key = value`},
		{file: "no_equals.cfg", sentinel: ErrSyntax,
			want: `testdata/bad/no_equals.cfg:3: account.1.user_name: line has no "="; allowed key = value`},
		{file: "invalid_utf8.cfg", sentinel: ErrEncoding,
			want: `testdata/bad/invalid_utf8.cfg:1: account.1.label: invalid UTF-8 at column 20; allowed UTF-8 text`},
		{file: "bad_enum.cfg", sentinel: ErrEnum,
			want: `testdata/bad/bad_enum.cfg:1: account.1.sip_server.1.transport: "sctp" is not one of the choices; allowed udp, tcp, tls`},
		{file: "rtp_min_above_max.cfg", sentinel: ErrConflict,
			want: `testdata/bad/rtp_min_above_max.cfg:1: rtp.port_min: 12040 is not below rtp.port_max 12000 (testdata/bad/rtp_min_above_max.cfg:2); allowed rtp.port_min < rtp.port_max`},
		{file: "password_too_long.cfg", sentinel: ErrTooLong,
			want: `testdata/bad/password_too_long.cfg:1: account.1.password: value is too long; allowed up to 64 characters`},
		{file: "unknown_key.cfg",
			warning: "testdata/bad/unknown_key.cfg:2: features.dnd.enable: unknown setting, ignored\n" +
				"testdata/bad/unknown_key.cfg:3: account.1.lable: unknown setting, ignored; did you mean account.1.label?"},
	}
	covered := make(map[string]bool)
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", "bad", tt.file))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got := cfg.Warnings().Error(); got != tt.warning {
					t.Errorf("warnings:\n got %s\nwant %s", got, tt.warning)
				}
				return
			}
			if cfg != nil {
				t.Error("Load returned a Config along with the error")
			}
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(err, %v) = false", tt.sentinel)
			}
		})
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "bad"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !covered[e.Name()] {
			t.Errorf("testdata/bad/%s has no row in the table", e.Name())
		}
	}
}

// TestLoadCollectsEveryFile checks that problems in several files are all
// reported at once.
func TestLoadCollectsEveryFile(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "bad", "wrong_type.cfg"), filepath.Join("testdata", "bad", "bad_enum.cfg"))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("err = %v, want two issues", err)
	}
	if !errors.Is(err, ErrType) || !errors.Is(err, ErrEnum) {
		t.Errorf("errors.Is misses a sentinel in %v", err)
	}
	if _, err := Load(filepath.Join("testdata", "missing.cfg")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
}
