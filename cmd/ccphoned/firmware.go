package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"ccphone/provisioning"
	"ccphone/ui"
)

// Firmware updates. With --firmware-dir the phone runs under ccboot and
// updates itself:
//
//   - After --firmware-trial (default 30 s) of running, the phone counts
//     as healthy and commits its firmware, ending a trial that ccboot
//     started after a switch. By then the board, the front panel, the
//     phone's event loop, the SIP user agent and provisioning have all
//     started; a board, panel or SIP failure ends the process before,
//     and so does a crash. A binary that never commits is rolled back
//     by ccboot.
//   - The configuration at start, and each one provisioning applies
//     after it, is an offer (firmware.url, version, signature,
//     allow_downgrade, checked with provisioning.signing_key). Once
//     committed, the phone stages an offered newer version (or an older
//     one the admin allows) with Firmware.Stage. A refused offer
//     (downgrade, bad signature, a version that failed its trial here)
//     is logged and changes nothing.
//   - With a version staged, the phone waits until no line has had a
//     call for idlePolls polls in a row, switches with Firmware.Switch
//     and exits with exitRestart; ccboot starts the new binary.
//
// A newer offer arriving while the phone waits for idle lines replaces
// the staged one.

// exitRestart is the exit status after a firmware switch: ccboot starts
// the new current binary when it sees it (cmd/ccboot.ExitRestart).
const exitRestart = 75

// errFirmwareSwitched ends the phone after Firmware.Switch.
var errFirmwareSwitched = errors.New("firmware switched: restarting")

// Defaults of the updater.
const (
	defaultFirmwareTrial = 30 * time.Second
	idlePoll             = 500 * time.Millisecond
	idlePolls            = 6                // 3 s without a call on any line
	firmwareMaxSize      = 64 << 20         // bytes: a stripped binary is ~12 MB
	firmwareTimeout      = 10 * time.Minute // a whole download
)

// updater stages, switches to and commits firmware. Offer is safe for
// concurrent use; Run belongs to one goroutine, which alone touches fw.
type updater struct {
	fw    *provisioning.Firmware
	log   *slog.Logger
	trial time.Duration             // running this long counts as healthy
	idle  idleWindow                // when the switch may happen
	offer chan *provisioning.Config // the latest configuration, capacity 1
	// notify shows a notice on the LCD: the agent sees an update
	// coming, and why the phone restarts.
	notify notifier
}

func newUpdater(dir, running string, trial time.Duration, idle func() bool, log *slog.Logger) *updater {
	return &updater{
		fw:    &provisioning.Firmware{Dir: dir, Running: running},
		log:   log,
		trial: trial,
		idle:  idleWindow{idle: idle, need: idlePolls},
		offer: make(chan *provisioning.Config, 1),
	}
}

// idleWindow tells when the lines have been idle long enough for the
// phone to restart: need polls in a row without a call on any line.
type idleWindow struct {
	idle  func() bool // no line has a call
	need  int
	count int // idle polls in a row so far
}

// reset starts the count again.
func (w *idleWindow) reset() { w.count = 0 }

// poll asks the lines once and reports whether they have now been idle
// for need polls in a row.
func (w *idleWindow) poll() bool {
	if !w.idle() {
		w.count = 0
		return false
	}
	w.count++
	return w.count >= w.need
}

// notifier shows a notice (a catalog key) on the LCD; nil shows nothing.
type notifier func(key string)

func (n notifier) show(key string) {
	if n != nil {
		n(key)
	}
}

// Offer hands the updater a configuration that may name new firmware.
// It never blocks; an offer not yet looked at is replaced.
func (u *updater) Offer(cfg *provisioning.Config) {
	for {
		select {
		case u.offer <- cfg:
			return
		default:
		}
		select {
		case <-u.offer:
		default:
		}
	}
}

// Run commits the running firmware once it ran for the trial time, then
// handles offers until ctx ends or it switched; after a switch it calls
// restart and returns. after stands for time.After; ticks are the idle
// polls.
func (u *updater) Run(ctx context.Context, after func(time.Duration) <-chan time.Time, ticks <-chan time.Time, restart func()) {
	select {
	case <-ctx.Done():
		return
	case <-after(u.trial):
	}
	if err := u.fw.Commit(); err != nil {
		u.log.Error("firmware commit", "err", err)
		return // not committed: switching now would make it the fallback
	}
	u.log.Info("firmware healthy", "version", u.fw.Running, "dir", u.fw.Dir)

	staged := false // a staged version waits for idle lines
	for {
		// An offer goes before the next idle poll, so the phone never
		// switches to a version the newest configuration no longer names.
		select {
		case cfg := <-u.offer:
			staged = u.stage(ctx, cfg)
			u.idle.reset()
			continue
		default:
		}
		select {
		case <-ctx.Done():
			return
		case cfg := <-u.offer:
			staged = u.stage(ctx, cfg)
			u.idle.reset()
		case <-ticks:
			if !staged || !u.idle.poll() {
				continue
			}
			version, _ := u.fw.Staged()
			if err := u.fw.Switch(); err != nil {
				u.log.Error("firmware switch", "version", version, "err", err)
				staged = false
				continue
			}
			u.log.Info("firmware switched while idle: restarting", "from", u.fw.Running, "to", version)
			u.notify.show("notice.firmware_restarting")
			restart()
			return
		}
	}
}

// stage fetches and stages the firmware cfg offers, and reports whether
// that version is staged now.
func (u *updater) stage(ctx context.Context, cfg *provisioning.Config) bool {
	offer, ok, err := provisioning.FirmwareOfferFrom(cfg)
	if err != nil {
		u.log.Warn("firmware offer", "err", err)
		return false
	}
	if !ok {
		return false // firmware.url is empty: updates are off
	}
	opts, err := provisioning.FetchOptionsFrom(cfg, provisioning.FetchOptions{
		Timeout: firmwareTimeout, MaxSize: firmwareMaxSize, Logger: u.log})
	if err != nil {
		u.log.Warn("firmware offer", "version", offer.Version, "err", err)
		return false
	}
	u.fw.Fetcher = provisioning.NewFetcher(opts)
	defer u.fw.Fetcher.Close()
	if staged, _ := u.fw.Staged(); offer.Version != u.fw.Running && offer.Version != staged {
		u.notify.show("notice.firmware_downloading")
	}
	fetched, err := u.fw.Stage(ctx, offer)
	if err != nil {
		u.log.Warn("firmware refused", "version", offer.Version, "running", u.fw.Running, "err", err)
		u.notify.show("notice.firmware_refused")
		return false
	}
	v, ok := u.fw.Staged()
	if !ok || v != offer.Version {
		return false // the offer is the running version
	}
	if fetched {
		u.log.Info("firmware staged: switching when the lines are idle", "version", v, "running", u.fw.Running)
		u.notify.show("notice.firmware_staged")
	}
	return true
}

// RunTimed is Run on the system clock, polling the lines every idlePoll.
func (u *updater) RunTimed(ctx context.Context, restart func()) {
	tick := time.NewTicker(idlePoll)
	defer tick.Stop()
	u.Run(ctx, time.After, tick.C, restart)
}

// linesIdle reports whether no line of the phone has a call.
func linesIdle(busy func(line int) bool) func() bool {
	return func() bool {
		for line := 1; line <= ui.NumLines; line++ {
			if busy(line) {
				return false
			}
		}
		return true
	}
}
