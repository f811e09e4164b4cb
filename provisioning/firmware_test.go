package provisioning

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestFirmwareUpdate: a newer build is staged, switched to while idle
// and committed once healthy; a broken build is rolled back on the next
// boot; an unsigned or older build is refused.
func TestFirmwareUpdate(t *testing.T) {
	dir := t.TempDir()
	www := t.TempDir()
	key := testKey(t, 1)
	pub := key.Public().(ed25519.PublicKey)
	fw := &Firmware{Dir: filepath.Join(dir, "fw"), Running: "1.0.0", Fetcher: NewFetcher(FetchOptions{MaxSize: 1 << 20})}
	// Version 1.0.0 is installed and current.
	if err := os.MkdirAll(filepath.Join(fw.Dir, "slots"), 0o755); err != nil {
		t.Fatal(err)
	}
	healthy := filepath.Join(dir, "healthy")
	build := func(version string, works bool) string {
		script := "#!/bin/sh\necho " + version + " > " + healthy + "\n"
		if !works {
			script = "#!/bin/sh\nexit 3\n"
		}
		p := filepath.Join(www, "ccphoned-"+version)
		if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	offer := func(version string, works bool) FirmwareOffer {
		p := build(version, works)
		data, _ := os.ReadFile(p)
		return FirmwareOffer{URL: p, Version: version, Signature: SignFirmware(key, version, sha256.Sum256(data)), SigningKey: pub}
	}
	old := offer("1.0.0", true)
	if err := os.Link(old.URL, filepath.Join(fw.Dir, "slots", "1.0.0")); err != nil {
		t.Fatal(err)
	}
	if err := fw.setLink("current", filepath.Join(fw.Dir, "slots", "1.0.0")); err != nil {
		t.Fatal(err)
	}
	// boot starts what Boot says and commits when it wrote its marker.
	boot := func() string {
		t.Helper()
		os.Remove(healthy)
		bin, err := fw.Boot()
		if err != nil {
			t.Fatal(err)
		}
		if err := exec.Command(bin).Run(); err == nil {
			if _, err := os.Stat(healthy); err == nil {
				if err := fw.Commit(); err != nil {
					t.Fatal(err)
				}
			}
		}
		return filepath.Base(bin)
	}

	ctx := t.Context()
	if staged, err := fw.Stage(ctx, offer("1.0.0", true)); err != nil || staged {
		t.Errorf("same version: staged %v, %v", staged, err)
	}
	if _, err := fw.Stage(ctx, offer("0.9.0", true)); !errors.Is(err, ErrDowngrade) {
		t.Errorf("downgrade: err = %v, want ErrDowngrade", err)
	}
	forged := offer("1.1.0", true)
	forged.Signature = SignFirmware(testKey(t, 2), "1.1.0", sha256.Sum256([]byte("x")))
	if _, err := fw.Stage(ctx, forged); !errors.Is(err, ErrSignature) {
		t.Errorf("forged: err = %v, want ErrSignature", err)
	}
	if _, ok := fw.Staged(); ok {
		t.Fatal("a refused build was staged")
	}

	// A good 1.1.0: staged, switched while idle, comes up, committed.
	if staged, err := fw.Stage(ctx, offer("1.1.0", true)); err != nil || !staged {
		t.Fatalf("stage 1.1.0: %v, %v", staged, err)
	}
	if v, _ := fw.Current(); v != "1.0.0" {
		t.Errorf("current before the switch = %s", v)
	}
	if err := fw.Switch(); err != nil {
		t.Fatal(err)
	}
	if got := boot(); got != "1.1.0" {
		t.Errorf("booted %s, want 1.1.0", got)
	}
	if got := boot(); got != "1.1.0" {
		t.Errorf("second boot of the committed build = %s", got)
	}

	// A broken 1.2.0: it never commits, so the next boot rolls back.
	fw.Running = "1.1.0"
	if _, err := fw.Stage(ctx, offer("1.2.0", false)); err != nil {
		t.Fatal(err)
	}
	if err := fw.Switch(); err != nil {
		t.Fatal(err)
	}
	if got := boot(); got != "1.2.0" {
		t.Errorf("trial boot = %s, want 1.2.0", got)
	}
	if got := boot(); got != "1.1.0" {
		t.Errorf("boot after the broken build = %s, want the rollback to 1.1.0", got)
	}
	if _, err := fw.Stage(ctx, offer("1.2.0", false)); !errors.Is(err, ErrFirmware) {
		t.Errorf("the build that failed its trial offered again: err = %v, want ErrFirmware", err)
	}
	if err := fw.Switch(); !errors.Is(err, ErrFirmware) {
		t.Errorf("switch with nothing staged: %v", err)
	}
}
