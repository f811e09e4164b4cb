//go:build !nosim

package main

import (
	"log/slog"

	"ccphone/board/sim"
)

// newSimBoard starts the simulated board; state gives /api/state the
// phone's status.
func newSimBoard(f flags, log *slog.Logger, state func() any) (boardWithPanel, error) {
	return sim.New(sim.Options{
		Addr:     f.panel,
		AudioDir: f.audioDir,
		Logger:   log,
		Title:    "ccphone " + version + " (sim)",
		State:    state,
	})
}
