// Command ccboot starts the phone's firmware so that a bad update cannot
// brick the phone. The board's init runs it instead of ccphoned:
//
//	ccboot --dir FIRMWARE_DIR [--log-format text|json] -- [ccphoned args...]
//
// FIRMWARE_DIR holds the binaries in the layout of provisioning.Firmware
// (slots/<version> and the links current, previous, staged; the trial and
// failed markers). For ccphoned to update itself, its args include
// --firmware-dir FIRMWARE_DIR too; ccboot passes the args on unchanged.
//
// The cycle:
//
//  1. Firmware.Boot picks the binary: current, or previous when the
//     binary on trial was started before and never committed (it rolls
//     back, and marks the version failed so it is not offered again).
//  2. ccboot starts it with the args, its stdout and stderr.
//  3. On SIGTERM or SIGINT ccboot sends SIGTERM to it, waits, and exits
//     with its status.
//  4. When it exits with status 75 (ExitRestart: it switched to new
//     firmware), ccboot goes back to 1 and starts the new current binary,
//     which is on trial until it commits. (A binary that asks for the
//     restart while still on trial is rolled back by the same rule.)
//  5. When it exits with any other status but 0, or cannot be
//     started at all (a binary for another CPU), ccboot asks Boot again:
//     if the binary was on trial, Boot rolls back and ccboot starts the
//     previous binary. Otherwise ccboot exits with the status, and init
//     restarts it as it would restart the phone.
//
// Exit status: the phone's (128+N when signal N killed it); 0 after
// SIGTERM or SIGINT; 1 when there is no binary to start; 2 for bad flags.
//
// ccboot is kept small on purpose: it is the one program on the phone
// that firmware updates do not replace.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"ccphone/provisioning"
)

// ExitRestart is the status with which ccphoned asks to be started again
// after it switched to new firmware. ccphoned's exitRestart has the same
// value (75, EX_TEMPFAIL).
const ExitRestart = 75

// Exit codes of ccboot itself.
const (
	exitOK         = 0
	exitNoFirmware = 1 // no binary to start, or it cannot be started
	exitUsage      = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program; it returns the exit code. The end of ctx
// stands for SIGTERM or SIGINT.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ccboot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "firmware directory: slots/<version> and the current, previous and staged links (required)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "ccboot: --dir FIRMWARE_DIR is required")
		return exitUsage
	}
	var log *slog.Logger
	switch *logFormat {
	case "text":
		log = slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	default:
		fmt.Fprintf(stderr, "ccboot: --log-format %q: want text or json\n", *logFormat)
		return exitUsage
	}
	log = log.With("part", "ccboot")
	childArgs := fs.Args()

	fw := &provisioning.Firmware{Dir: *dir}
	bin, err := fw.Boot()
	if err != nil {
		log.Error("no firmware to start", "dir", *dir, "err", err)
		return exitNoFirmware
	}
	for {
		if ctx.Err() != nil {
			log.Info("stopped before start")
			return exitOK
		}
		version := filepath.Base(bin)
		log.Info("starting", "version", version, "path", bin)
		code, err := runChild(ctx, bin, childArgs, stdout, stderr, log)
		switch {
		case ctx.Err() != nil || code == exitOK:
			log.Info("stopped", "version", version, "status", code)
			return code
		case code == ExitRestart:
			log.Info("restarting for a firmware update", "version", version)
			if bin, err = fw.Boot(); err != nil {
				log.Error("no firmware to start", "dir", *dir, "err", err)
				return exitNoFirmware
			}
			continue
		}
		log.Warn("firmware exited", "version", version, "status", code, "err", err)
		next, err := fw.Boot()
		if err != nil {
			log.Error("no firmware to start", "dir", *dir, "err", err)
			return exitNoFirmware
		}
		if next == bin {
			return code // not on trial: init restarts us as it would the phone
		}
		log.Warn("firmware failed its trial: rolled back", "failed", version, "version", filepath.Base(next))
		bin = next
	}
}

// runChild runs bin with args until it exits and returns its exit status;
// err says why when it is not 0. When ctx ends first, the child gets
// SIGTERM and runChild waits for it.
func runChild(ctx context.Context, bin string, args []string, stdout, stderr io.Writer, log *slog.Logger) (int, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return exitNoFirmware, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		log.Info("stopping", "pid", cmd.Process.Pid)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			log.Warn("signal", "pid", cmd.Process.Pid, "err", err) // it exited meanwhile
		}
		err = <-done
	}
	return exitStatus(err), err
}

// exitStatus turns the error of exec.Cmd.Wait into an exit status:
// 128+N for a child killed by signal N, as a shell reports it.
func exitStatus(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return exitNoFirmware
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}
