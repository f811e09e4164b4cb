package provisioning

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FirmwareOffer is the firmware the configuration asks for.
type FirmwareOffer struct {
	URL            string
	Version        string
	Signature      string // base64 Ed25519, see SignFirmware
	AllowDowngrade bool
	SigningKey     ed25519.PublicKey
}

// FirmwareOfferFrom reads firmware.* and provisioning.signing_key; ok is
// false when firmware.url is empty.
func FirmwareOfferFrom(cfg *Config) (offer FirmwareOffer, ok bool, err error) {
	u := cfg.String("firmware.url")
	if u == "" {
		return FirmwareOffer{}, false, nil
	}
	pub, err := ParsePublicKey(cfg.String("provisioning.signing_key"))
	if err != nil {
		return FirmwareOffer{}, false, fmt.Errorf("firmware: provisioning.signing_key: %w", err)
	}
	return FirmwareOffer{URL: u, Version: cfg.String("firmware.version"), Signature: cfg.String("firmware.signature"),
		AllowDowngrade: cfg.Bool("firmware.allow_downgrade"), SigningKey: pub}, true, nil
}

// Firmware manages the phone's binaries in Dir:
//
//	slots/<version>   each binary kept, mode 0755
//	current           symlink to the slot the phone runs
//	previous          symlink to the slot it ran before the last switch
//	staged            symlink to a verified slot waiting for an idle moment
//	trial             present after Switch until Commit: the version on
//	                  trial and how many times Boot started it
//	failed            versions Boot rolled back from, one a line; Stage
//	                  refuses them, so a broken build is tried only once
//
// The cycle: Stage downloads and verifies a newer binary; at the next
// idle moment the phone calls Switch and restarts; whatever starts the
// phone calls Boot, which returns the binary to run and, if the binary on
// trial was started before and never called Commit, rolls back to the
// previous one first; the new binary calls Commit once it is healthy
// (lines registered, panel up).
//
// Every change of a link is atomic (a new symlink renamed over the old).
// A Firmware is not safe for concurrent use: one goroutine of the phone
// owns it.
type Firmware struct {
	Dir     string   // the layout above
	Running string   // version of the running binary
	Fetcher *Fetcher // downloads; its MaxSize must allow a binary
}

func (fw *Firmware) link(name string) string { return filepath.Join(fw.Dir, name) }

// Stage downloads the offered binary when it is newer than Running (or
// older with AllowDowngrade), verifies its signature against its version
// and SHA-256, and stages it. It reports false with no error when there
// is nothing to do. A downgrade not allowed fails with ErrDowngrade; a
// bad signature with ErrSignature, a version that failed its trial here
// before with ErrFirmware, leaving nothing staged.
func (fw *Firmware) Stage(ctx context.Context, offer FirmwareOffer) (bool, error) {
	cmp, err := CompareVersions(offer.Version, fw.Running)
	if err != nil {
		return false, fmt.Errorf("firmware: %w", err)
	}
	switch {
	case cmp == 0:
		return false, nil
	case cmp < 0 && !offer.AllowDowngrade:
		return false, fmt.Errorf("firmware %s offered, %s running: %w", offer.Version, fw.Running, ErrDowngrade)
	}
	if v, ok := fw.Staged(); ok && v == offer.Version {
		return false, nil
	}
	if fw.failed(offer.Version) {
		return false, fmt.Errorf("%w: %s failed its trial on this phone", ErrFirmware, offer.Version)
	}
	got, err := fw.Fetcher.Fetch(ctx, offer.URL, Validators{})
	if err != nil {
		return false, fmt.Errorf("firmware %s: %w", offer.Version, err)
	}
	if err := VerifyFirmware(offer.SigningKey, offer.Version, sha256.Sum256(got.Data), offer.Signature); err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Join(fw.Dir, "slots"), 0o755); err != nil {
		return false, fmt.Errorf("firmware: %w", err)
	}
	slot := filepath.Join(fw.Dir, "slots", offer.Version)
	if err := WriteFileAtomic(slot, got.Data, 0o755); err != nil {
		return false, fmt.Errorf("firmware: %w", err)
	}
	return true, fw.setLink("staged", slot)
}

// Staged returns the version waiting to be switched to.
func (fw *Firmware) Staged() (string, bool) { return fw.version("staged") }

// Current returns the version the current link names.
func (fw *Firmware) Current() (string, bool) { return fw.version("current") }

func (fw *Firmware) version(link string) (string, bool) {
	target, err := os.Readlink(fw.link(link))
	if err != nil {
		return "", false
	}
	return filepath.Base(target), true
}

// Switch makes the staged binary current (the old current becomes
// previous) and puts it on trial. Call it when no line is busy, then
// restart the phone. It fails with ErrFirmware when nothing is staged.
func (fw *Firmware) Switch() error {
	staged, err := os.Readlink(fw.link("staged"))
	if err != nil {
		return fmt.Errorf("%w: nothing staged", ErrFirmware)
	}
	if cur, err := os.Readlink(fw.link("current")); err == nil {
		if err := fw.setLink("previous", cur); err != nil {
			return err
		}
	}
	if err := WriteFileAtomic(fw.link("trial"), []byte(filepath.Base(staged)+" 0\n"), 0o644); err != nil {
		return err
	}
	if err := fw.setLink("current", staged); err != nil {
		return err
	}
	if err := os.Remove(fw.link("staged")); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	return syncDir(fw.Dir)
}

// Boot returns the path of the binary to start. When the binary on trial
// was already started once and never committed, it rolls back first.
func (fw *Firmware) Boot() (string, error) {
	data, err := os.ReadFile(fw.link("trial"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", fmt.Errorf("firmware: %w", err)
	default:
		version, countText, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
		starts, _ := strconv.Atoi(countText)
		if starts >= 1 {
			if err := fw.recordFailed(version); err != nil {
				return "", err
			}
			if err := fw.Rollback(); err != nil {
				return "", err
			}
			break
		}
		if err := WriteFileAtomic(fw.link("trial"), []byte(version+" "+strconv.Itoa(starts+1)+"\n"), 0o644); err != nil {
			return "", err
		}
	}
	target, err := os.Readlink(fw.link("current"))
	if err != nil {
		return "", fmt.Errorf("%w: no current binary", ErrFirmware)
	}
	return target, nil
}

// Commit ends the trial: the running binary came up healthy.
func (fw *Firmware) Commit() error {
	err := os.Remove(fw.link("trial"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("firmware: %w", err)
	}
	return syncDir(fw.Dir)
}

// Rollback makes previous current again and ends the trial. It fails
// with ErrFirmware when there is no previous binary.
func (fw *Firmware) Rollback() error {
	prev, err := os.Readlink(fw.link("previous"))
	if err != nil {
		return fmt.Errorf("%w: no previous binary to roll back to", ErrFirmware)
	}
	if err := fw.setLink("current", prev); err != nil {
		return err
	}
	if err := os.Remove(fw.link("previous")); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	return fw.Commit()
}

// recordFailed adds version to the failed list.
func (fw *Firmware) recordFailed(version string) error {
	data, err := os.ReadFile(fw.link("failed"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("firmware: %w", err)
	}
	return WriteFileAtomic(fw.link("failed"), append(data, version+"\n"...), 0o644)
}

// failed reports whether version failed its trial before.
func (fw *Firmware) failed(version string) bool {
	data, _ := os.ReadFile(fw.link("failed")) // absent: none failed
	for line := range strings.Lines(string(data)) {
		if strings.TrimSpace(line) == version {
			return true
		}
	}
	return false
}

// setLink points the symlink name at target atomically.
func (fw *Firmware) setLink(name, target string) error {
	tmp := fw.link("." + name + ".new")
	_ = os.Remove(tmp) // a leftover from a crash; absent normally
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	if err := os.Rename(tmp, fw.link(name)); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	return nil
}
