package main

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"syscall"
	"time"
)

// watchdogEnv names the file descriptor ccboot's watchdog listens on
// (cmd/ccboot.WatchdogEnv).
const watchdogEnv = "CCBOOT_WATCHDOG_FD"

// heartbeatEvery is how often the phone proves to ccboot that its event
// loop runs; ccboot's --watchdog must be several times longer.
const heartbeatEvery = 5 * time.Second

// heartbeat writes a byte to the descriptor in watchdogEnv every period
// while alive answers, until ctx ends. Without the variable it returns at
// once: no watchdog is listening.
func heartbeat(ctx context.Context, period time.Duration, alive func(context.Context) error, log *slog.Logger) {
	v := os.Getenv(watchdogEnv)
	if v == "" {
		return
	}
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		log.Warn("watchdog: bad descriptor: no heartbeats", "env", watchdogEnv, "value", v)
		return
	}
	// Written with syscall.Write, not through an *os.File whose
	// finalizer would close the descriptor: after a restart in place
	// (restart.go) the new copy of the phone beats on it.
	tick := time.NewTicker(period)
	defer tick.Stop()
	beat := func() bool {
		actx, cancel := context.WithTimeout(ctx, period)
		defer cancel()
		if err := alive(actx); err != nil {
			if ctx.Err() == nil {
				log.Warn("watchdog: the event loop did not answer: no heartbeat", "err", err)
			}
			return true // ccboot decides when silence is too long
		}
		if _, err := syscall.Write(fd, []byte{'.'}); err != nil {
			log.Warn("watchdog: heartbeat", "err", err)
			return false
		}
		return true
	}
	for beat() {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
