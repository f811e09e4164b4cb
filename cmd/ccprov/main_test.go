package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsUpToDate fails when docs/provisioning.md is not what the schema
// generates. Fix with: go run ./cmd/ccprov docs --out docs/provisioning.md
func TestDocsUpToDate(t *testing.T) {
	var want bytes.Buffer
	if err := Reference(&want); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "docs", "provisioning.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatal("docs/provisioning.md is stale; run: go run ./cmd/ccprov docs --out docs/provisioning.md")
	}
}

func ccprov(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String() + errOut.String()
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	common := write("cc800.cfg", "account.1.enable = 1\naccount.1.user_name = 1001\naccount.1.password = hunter22\naccount.1.sip_server.1.address = pbx.example.net\nfeatures.x = 1\n")
	macFile := write("001565aabbcc.cfg", "account.1.label = Anna\n")
	bad := write("bad.cfg", "lcd.contrast = dark\nrtp.port_min = 0\nlcd.contrast = 3\n")

	if code, out := ccprov(t, "validate", common, macFile); code != 0 || !strings.Contains(out, "features.x: unknown setting, ignored (warning)") {
		t.Errorf("validate good files = %d\n%s", code, out)
	}
	code, out := ccprov(t, "validate", bad)
	if code != 1 {
		t.Errorf("validate bad file exit = %d, want 1", code)
	}
	for _, want := range []string{
		"bad.cfg:3: lcd.contrast: duplicate key, first set on line 1",
		`bad.cfg:1: lcd.contrast: "dark" is not a whole number; allowed 0..63`,
		`bad.cfg:2: rtp.port_min: "0" is out of range; allowed 1..65535`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}

	code, out = ccprov(t, "effective", "--mac", "00:15:65:aa:bb:cc", common, macFile)
	if code != 0 || !strings.Contains(out, "account.1.label = Anna") || strings.Contains(out, "hunter22") || !strings.Contains(out, "# account.1.password = ********") {
		t.Errorf("effective = %d\n%s", code, out)
	}
	if code, out := ccprov(t, "effective", "--show-secrets", common); code != 0 || !strings.Contains(out, "account.1.password = hunter22") {
		t.Errorf("effective --show-secrets = %d\n%s", code, out)
	}
	if code, _ := ccprov(t, "effective", "--mac", "001565aabbcc", macFile, common); code != 2 {
		t.Errorf("per-MAC file not last: exit %d, want 2", code)
	}

	keyBase := filepath.Join(dir, "admin")
	if code, out := ccprov(t, "keygen", "--out", keyBase); code != 0 {
		t.Fatalf("keygen = %d %s", code, out)
	}
	if code, out := ccprov(t, "sign", "--key", keyBase+".key", common, macFile); code != 0 {
		t.Fatalf("sign = %d %s", code, out)
	}
	if code, out := ccprov(t, "verify", "--pub", keyBase+".pub", common, macFile); code != 0 || strings.Count(out, "good signature") != 2 {
		t.Errorf("verify = %d %s", code, out)
	}
	write("001565aabbcc.cfg", "account.1.label = Mallory\n")
	if code, out := ccprov(t, "verify", "--pub", keyBase+".pub", macFile); code != 1 || !strings.Contains(out, "bad signature") {
		t.Errorf("verify altered file = %d %s", code, out)
	}
	other := filepath.Join(dir, "other")
	ccprov(t, "keygen", "--out", other)
	if code, _ := ccprov(t, "verify", "--pub", other+".pub", common); code != 1 {
		t.Errorf("verify with another key = %d, want 1", code)
	}

	master := filepath.Join(dir, "master.key")
	code, out = ccprov(t, "keygen", "--device", "--master", master, "--mac", "001565aabbcc")
	if code != 0 || !strings.HasPrefix(out, "provisioning.device_key = ") {
		t.Fatalf("keygen --device = %d %s", code, out)
	}
	enc := filepath.Join(dir, "enc.cfg")
	if code, out := ccprov(t, "encrypt", "--master", master, "--mac", "001565aabbcc", "--out", enc, macFile); code != 0 {
		t.Fatalf("encrypt = %d %s", code, out)
	}
	if code, out := ccprov(t, "decrypt", "--master", master, "--mac", "001565aabbcc", enc); code != 0 || out != "account.1.label = Mallory\n" {
		t.Errorf("decrypt = %d %q", code, out)
	}
	if code, out := ccprov(t, "decrypt", "--master", master, "--mac", "001565aabbcd", enc); code != 1 || !strings.Contains(out, "cannot decrypt") {
		t.Errorf("decrypt as another phone = %d %q", code, out)
	}
	bin := write("ccphoned", "\x7fELF fake")
	if code, out := ccprov(t, "sign-firmware", "--key", keyBase+".key", "--version", "1.2.3", bin); code != 0 || !strings.Contains(out, "firmware.signature = ") {
		t.Errorf("sign-firmware = %d %s", code, out)
	}
	if code, _ := ccprov(t, "nonsense"); code != 2 {
		t.Errorf("unknown command exit = %d, want 2", code)
	}
}
