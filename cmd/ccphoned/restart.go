package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"syscall"
	"time"
)

// restartSettings are read once, when the phone starts: the sockets it
// binds and the media engine's rate. A provisioned change to one of them
// takes effect through a restart of ccphoned, made at the next idle
// moment so that no call is dropped.
var restartSettings = []string{
	"sip.listen_port",
	"rtp.port_min",
	"rtp.port_max",
	"media.codecs",
	"recording.server_header",
	"sip.tls_ca_file",
	"sip.keepalive_interval",
}

// exitReexec is what run returns when the phone must start again to
// apply settings; main then replaces the process with a fresh copy of
// itself (same PID, same arguments), so ccboot and init see no exit.
const exitReexec = 76

// errSettingsRestart ends the phone to apply restartSettings.
var errSettingsRestart = errors.New("restart to apply settings")

// restarter waits for a change to restartSettings, then for the lines to
// be idle, and asks for the restart. Offer is safe for concurrent use;
// Run belongs to one goroutine.
type restarter struct {
	log    *slog.Logger
	idle   idleWindow    // when the restart may happen
	notify notifier      // shows a notice on the LCD
	offers chan []string // changed restart settings, capacity 1
}

func newRestarter(idle func() bool, log *slog.Logger) *restarter {
	return &restarter{log: log, idle: idleWindow{idle: idle, need: idlePolls}, offers: make(chan []string, 1)}
}

// Offer hands the restarter the settings a provisioning run changed. It
// never blocks; settings that need no restart are ignored.
func (r *restarter) Offer(changed []string) {
	var keys []string
	for _, k := range changed {
		if slices.Contains(restartSettings, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	for {
		select {
		case r.offers <- keys:
			return
		case old := <-r.offers:
			keys = append(keys, old...) // merge with an offer not yet taken
		}
	}
}

// Run waits for an offer, then for need idle polls in a row (ticks), and
// calls restart. It returns when ctx ends or after restart.
func (r *restarter) Run(ctx context.Context, ticks <-chan time.Time, restart func()) {
	var pending []string
	for {
		// An offer goes before the next idle poll.
		var keys []string
		select {
		case keys = <-r.offers:
		default:
			select {
			case <-ctx.Done():
				return
			case keys = <-r.offers:
			case <-ticks:
			}
		}
		switch {
		case keys != nil:
			if pending == nil {
				r.notify.show("notice.restart_pending")
			}
			for _, k := range keys {
				if !slices.Contains(pending, k) {
					pending = append(pending, k)
				}
			}
			r.log.Info("settings need a restart: restarting when the lines are idle", "settings", pending)
			r.idle.reset()
		case pending == nil || !r.idle.poll():
			continue
		default:
			r.log.Info("restarting to apply settings", "settings", pending)
			r.notify.show("notice.restarting")
			restart()
			return
		}
	}
}

// RunTimed is Run polling the lines every idlePoll on the system clock.
func (r *restarter) RunTimed(ctx context.Context, restart func()) {
	tick := time.NewTicker(idlePoll)
	defer tick.Stop()
	r.Run(ctx, tick.C, restart)
}

// reexec replaces the process with a new copy of its binary, with the
// same arguments and environment. It returns only when that fails.
func reexec() error {
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(bin, os.Args, os.Environ())
}
