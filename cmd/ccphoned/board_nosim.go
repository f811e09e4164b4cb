//go:build nosim

package main

import (
	"errors"
	"log/slog"
)

func newSimBoard(flags, *slog.Logger, func() any) (boardWithPanel, error) {
	return nil, errors.New("this build has no sim board (built with -tags nosim)")
}
