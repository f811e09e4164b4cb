// Command ccboot starts the phone's firmware so that a bad update cannot
// brick the phone. The board's init runs it instead of ccphoned:
//
//	ccboot --dir FIRMWARE_DIR [--watchdog 60s] [--log-format text|json] -- [ccphoned args...]
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
// The watchdog (--watchdog D, off when 0) catches a phone that hangs
// without exiting: ccboot hands the child the write end of a pipe as file
// descriptor 3 (and WatchdogEnv names it), and a child that has not
// written to it for D is killed with SIGKILL, which counts as a failure
// in step 5. ccphoned writes a byte every few seconds once its event
// loop has answered. A pipe, not a file: no flash wear.
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
	"time"

	"ccphone/provisioning"
)

// ExitRestart is the status with which ccphoned asks to be started again
// after it switched to new firmware. ccphoned's exitRestart has the same
// value (75, EX_TEMPFAIL).
const ExitRestart = 75

// WatchdogEnv is the environment variable that tells the child, when the
// watchdog is on, which file descriptor to write its heartbeats to.
// ccphoned reads the same name.
const WatchdogEnv = "CCBOOT_WATCHDOG_FD"

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
	watchdog := fs.Duration("watchdog", 0, "kill the phone when it sends no heartbeat for this long (0: no watchdog)")
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
	if *watchdog < 0 {
		fmt.Fprintf(stderr, "ccboot: --watchdog %s: want 0 (off) or a positive duration\n", *watchdog)
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
		code, err := runChild(ctx, bin, childArgs, *watchdog, stdout, stderr, log)
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
// SIGTERM and runChild waits for it. With a watchdog, a child silent on
// its heartbeat pipe for that long is killed.
func runChild(ctx context.Context, bin string, args []string, watchdog time.Duration, stdout, stderr io.Writer, log *slog.Logger) (int, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	var beats <-chan struct{}
	var w *os.File // the child's end of the heartbeat pipe
	if watchdog > 0 {
		r, pw, err := os.Pipe()
		if err != nil {
			return exitNoFirmware, err
		}
		defer r.Close()
		w = pw
		cmd.ExtraFiles = []*os.File{w} // descriptor 3
		cmd.Env = append(os.Environ(), WatchdogEnv+"=3")
		beats = heartbeats(r)
	}
	err := cmd.Start()
	if w != nil {
		w.Close() // the child has its copy; EOF comes when it exits
	}
	if err != nil {
		return exitNoFirmware, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var check <-chan time.Time
	if watchdog > 0 {
		t := time.NewTicker(min(watchdog/4, time.Second))
		defer t.Stop()
		check = t.C
	}
	last := time.Now() // the child gets a whole period to send its first
	for {
		select {
		case err := <-done:
			return exitStatus(err), err
		case <-ctx.Done():
			log.Info("stopping", "pid", cmd.Process.Pid)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				log.Warn("signal", "pid", cmd.Process.Pid, "err", err) // it exited meanwhile
			}
			err := <-done
			return exitStatus(err), err
		case _, ok := <-beats:
			if !ok {
				beats = nil // the child closed the pipe; only its exit is left
				continue
			}
			last = time.Now()
		case now := <-check:
			if now.Sub(last) < watchdog {
				continue
			}
			log.Error("watchdog: no heartbeat: killing the phone", "pid", cmd.Process.Pid, "silent", now.Sub(last).Round(time.Millisecond))
			if err := cmd.Process.Kill(); err != nil {
				log.Warn("kill", "pid", cmd.Process.Pid, "err", err)
			}
			err := <-done
			return exitStatus(err), err
		}
	}
}

// heartbeats reports every read from r (a byte or more) on the channel,
// dropping beats the reader is not ready for; it closes the channel at
// EOF.
func heartbeats(r io.Reader) <-chan struct{} {
	c := make(chan struct{}, 1)
	go func() {
		defer close(c)
		buf := make([]byte, 64)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}()
	return c
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
