// Command ccphoned is the ccphone desk-phone agent: it drives the board's
// LCD, LEDs and keys, and keeps itself configured from provisioning files.
//
//	ccphoned --board sim|cc800 --config FILE --state DIR [--panel ADDR]
//	         [--firmware-dir DIR [--firmware-trial 30s]]
//
// Exit status: 0 after SIGINT or SIGTERM; 2 when the flags, the config or
// the board file are wrong (the message names the file, line and key); 1
// when the hardware or the panel fails; 75 after switching to new
// firmware, for ccboot to start it (firmware.go). A provisioned change to
// a setting read only at start (the SIP and RTP ports, the codecs) makes
// ccphoned replace itself with a fresh copy, same PID and arguments, at
// the next idle moment (restart.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"ccphone/board"
	"ccphone/board/cc800"
	"ccphone/media"
	"ccphone/media/rtpio"
	"ccphone/media/sdpneg"
	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/ui"
	"ccphone/ui/calllog"
	"ccphone/ui/i18n"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the hardware or the panel failed at run time
	exitUsage   = 2 // bad flags, config or board file: fix and start again
)

func main() {
	// One P unless told otherwise: the phone's work is light and comes in
	// one batch per 20 ms media tick, and a single P saves the wakeups
	// that idle Ps and the scheduler cost (make bench-call: 9.0 -> 7.0 ms
	// of CPU per second of call, context switches 288 -> 198 per second).
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	code := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	if code == exitReexec {
		err := reexec() // returns only when it failed
		fmt.Fprintf(os.Stderr, "ccphoned: restart: %v\n", err)
		code = exitRestart
	}
	os.Exit(code)
}

type flags struct {
	board     string
	boardFile string
	config    string
	state     string
	panel     string
	logFormat string
	logLevel  string
	langDir   string
	mac       string
	audioDir  string

	firmwareDir   string        // empty: no firmware updates
	firmwareTrial time.Duration // running this long commits the firmware
}

func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("ccphoned", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.board, "board", "sim", "the board to run on: sim or cc800")
	fs.StringVar(&f.boardFile, "board-file", "", "board definition for --board cc800 (default: the built-in CC800 rev A)")
	fs.StringVar(&f.config, "config", "", "provisioning file to start from (key = value)")
	fs.StringVar(&f.state, "state", "", "state directory: settings changed on the phone, call log, recordings (required)")
	fs.StringVar(&f.panel, "panel", "127.0.0.1:8080", "listen address of the sim board's front panel")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&f.langDir, "lang-dir", "", "directory of extra message catalogs (<code>.cat)")
	fs.StringVar(&f.audioDir, "audio-dir", "", "sim board: play each audio port into DIR/<port>.raw and read its microphone from DIR/<port>-in.raw (s16le, 8 kHz)")
	fs.StringVar(&f.mac, "mac", "", "the phone's MAC address, naming its <mac>.cfg (default: the first network interface's)")
	fs.StringVar(&f.firmwareDir, "firmware-dir", "", "firmware directory shared with ccboot; empty turns firmware updates off")
	fs.DurationVar(&f.firmwareTrial, "firmware-trial", defaultFirmwareTrial, "how long new firmware must run before it counts as healthy and is committed")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case f.board != "sim" && f.board != "cc800":
		return f, fmt.Errorf("--board %q: want sim or cc800", f.board)
	case f.state == "":
		return f, errors.New("--state DIR is required")
	case f.logFormat != "text" && f.logFormat != "json":
		return f, fmt.Errorf("--log-format %q: want text or json", f.logFormat)
	case f.firmwareTrial <= 0:
		return f, fmt.Errorf("--firmware-trial %s: want a positive duration", f.firmwareTrial)
	}
	return f, nil
}

func newLogger(f flags, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	if f.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "ccphoned: "+format+"\n", a...)
		return code
	}
	f, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	log, err := newLogger(f, stderr)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	if err := os.MkdirAll(f.state, 0o700); err != nil {
		return fail(exitUsage, "state directory: %v", err)
	}

	cats, err := i18n.Builtin()
	if f.langDir != "" {
		cats, err = i18n.LoadDir(f.langDir)
	}
	if err != nil {
		return fail(exitUsage, "message catalogs: %v", err)
	}
	mac := f.mac
	if mac == "" {
		mac = hardwareAddr()
	}
	store, err := openConfig(f.config, f.state, mac, cats.Codes(), log)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}

	var phone atomic.Pointer[ui.Phone]
	var recs *recordings // set before phone
	var b board.Board
	var simBoard boardWithPanel
	switch f.board {
	case "sim":
		simBoard, err = newSimBoard(f, log.With("part", "panel"), func() any {
			if p := phone.Load(); p != nil {
				return panelStatus(p.Status(), recs)
			}
			return struct{}{}
		})
		if err != nil {
			return fail(exitFailure, "front panel: %v", err)
		}
		b = simBoard
	case "cc800":
		def, err := loadBoardFile(f.boardFile)
		if err != nil {
			return fail(exitUsage, "%v", err)
		}
		b, err = cc800.Open(def, nil)
		if errors.Is(err, cc800.ErrNoPin) {
			return fail(exitUsage, "board cc800: %v", err) // the file names pins this board lacks
		}
		if err != nil {
			return fail(exitFailure, "board cc800: %v", err)
		}
	}
	defer func() {
		if err := b.Close(); err != nil {
			log.Warn("close board", "err", err)
		}
	}()

	cfg := store.Config()
	codecs := mediaCodecs(cfg, log)
	mediaEvents := make(chan media.Event, 16)
	mopts := media.Options{
		Audio:    b.Audio(),
		Logger:   log.With("part", "media"),
		Addr:     mediaAddr(cfg, f.board),
		Ports:    rtpio.PortRange{Min: cfg.Int("rtp.port_min"), Max: cfg.Int("rtp.port_max")},
		Speaker:  true,
		Monitor:  true,
		Wideband: slices.Contains(codecs, sdpneg.G722),
		Events:   mediaEvents,
	}
	engine, err := media.New(mopts)
	if err != nil {
		// A board without a monitor headset still takes calls.
		log.Warn("no monitor port", "err", err)
		mopts.Monitor = false
		engine, err = media.New(mopts)
	}
	var tel *telephony
	var sipMedia sip.Media
	if err != nil {
		// The phone still boots, shows its lines and takes provisioning;
		// calls fail until the audio works.
		log.Error("no audio: calls are off", "err", err)
	} else {
		defer engine.Close()
		tel, err = newTelephony(engine, "us", log.With("part", "calls"))
		if err != nil {
			return fail(exitFailure, "tones: %v", err)
		}
		tel.codecs = codecs
		sipMedia = tel
	}
	ua, err := newUA(cfg, f.board, version, sipMedia, log.With("part", "sip"))
	if err != nil {
		return fail(exitFailure, "sip: %v", err)
	}
	if tel != nil {
		tel.ua = ua
	}

	if tel != nil {
		recs, err = openRecordings(f.state, cfg, log.With("part", "recording"))
		if err != nil {
			log.Error("recordings are off", "err", err)
			recs = nil
		} else {
			recs.engine, recs.tel, recs.config, recs.phone = engine, tel, store.Config, phone.Load
			tel.legClosed = recs.legClosed
		}
	}

	history, err := calllog.Open(filepath.Join(f.state, "calllog"), calllog.DefaultSize)
	if err != nil {
		log.Warn("call log", "err", err) // what could be read is kept
	}

	opts := ui.Options{
		CallLog:           history,
		Display:           b.Display(),
		LEDs:              b.LEDs(),
		Catalogs:          cats,
		Settings:          store.Settings(),
		Logger:            log.With("part", "ui"),
		Version:           version,
		Board:             f.board,
		NetAddrs:          netAddrs,
		SaveSetting:       store.SaveLocal,
		CheckProvisioning: store.prov.CheckNow,
		SwitchLine: func(line int, on bool) {
			if err := ua.SetEnabled(line, on); err != nil {
				log.Warn("switch line", "line", line, "err", err)
			}
		},
	}
	if simBoard != nil {
		opts.OnChange = simBoard.NotifyState
	}
	if tel != nil {
		opts.Telephony = tel
		opts.Sounds = tel
		opts.SetMonitorMode = func(mode string) {
			m, ok := media.ParseMonitorMode(mode)
			if !ok {
				return
			}
			if err := engine.SetMonitor(m); err != nil {
				log.Warn("monitor", "mode", mode, "err", err)
			}
		}
	}
	if recs != nil {
		opts.Recording = recs
		opts.Recordings = recs
	}
	held := &heldAccounts{ua: ua, store: store, log: log.With("part", "provisioning")}
	opts.LineIdle = held.lineIdle
	p, err := ui.New(opts)
	if err != nil {
		ua.Close()
		return fail(exitFailure, "%v", err)
	}
	phone.Store(p)
	var firmware *updater
	if f.firmwareDir != "" {
		firmware = newUpdater(f.firmwareDir, version, f.firmwareTrial, linesIdle(p.LineBusy), log.With("part", "firmware"))
		firmware.notify = func(key string) {
			if err := p.Notice(ctx, key); err != nil {
				log.Debug("firmware notice", "err", err)
			}
		}
		firmware.Offer(cfg)
	}
	restart := newRestarter(linesIdle(p.LineBusy), log.With("part", "restart"))
	restart.notify = func(key string) {
		if err := p.Notice(ctx, key); err != nil {
			log.Debug("restart notice", "err", err)
		}
	}
	store.OnChange(func(cfg *provisioning.Config, changed []string) {
		restart.Offer(changed)
		if err := p.ApplySettings(ctx, settingsFrom(cfg)); err != nil {
			log.Warn("apply settings", "err", err)
		}
		ua.SetTrustPolicy(trustPolicy(cfg))
		ua.SetDTMFInfo(cfg.Bool("sip.dtmf_info"))
		if recs != nil {
			recs.Reconfigure(cfg)
		}
		if tel != nil && slices.Contains(changed, "ringer.ringtone_url") {
			go tel.loadRingtone(ctx, cfg.String("ringer.ringtone_url"))
		}
		held.apply(cfg, p.LineBusy)
		if firmware != nil {
			firmware.Offer(cfg)
		}
	}, func(lc provisioning.LastCheck) {
		if err := p.SetProvisioning(ctx, provisioningStatus(lc)); err != nil {
			log.Debug("provisioning status", "err", err)
		}
	})

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	if simBoard != nil {
		// Scripts wait for this line to find the panel.
		fmt.Fprintf(stdout, "ccphoned: front panel at %s\n", simBoard.URL())
	}
	log.Info("started", "version", version, "board", f.board, "config", f.config, "state", f.state)

	var wg sync.WaitGroup
	var boardErr error
	// The user agent outlives the phone's loop a little: it unregisters
	// both lines after the context ends, and its events are drained.
	wg.Go(func() {
		if err := ua.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("sip stopped", "err", err)
			cancel(fmt.Errorf("sip: %w", err))
		}
	})
	wg.Go(func() { forwardSIP(ctx, ua, p, store.prov, recs, log.With("part", "sip")) })
	if recs != nil {
		wg.Go(func() {
			if err := recs.Run(ctx); err != nil && ctx.Err() == nil {
				log.Error("uploads stopped", "err", err)
			}
		})
	}
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-mediaEvents:
				log.Info("media", "event", ev.Kind, "leg", ev.Leg.Name(), "err", ev.Err)
			}
		}
	})
	if engine != nil && tel != nil {
		ringtone := cfg.String("ringer.ringtone_url")
		wg.Go(func() { tel.loadRingtone(ctx, ringtone) })
		wg.Go(func() {
			if err := engine.Run(ctx); err != nil && ctx.Err() == nil {
				log.Error("media stopped", "err", err)
			}
		})
	}
	wg.Go(func() {
		if err := store.prov.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("provisioning stopped", "err", err)
		}
	})
	wg.Go(func() {
		if err := b.Run(ctx, p.Keys()); err != nil && ctx.Err() == nil {
			boardErr = err
			cancel(fmt.Errorf("board: %w", err))
		}
	})
	if firmware != nil {
		wg.Go(func() { firmware.RunTimed(ctx, func() { cancel(errFirmwareSwitched) }) })
	}
	wg.Go(func() { restart.RunTimed(ctx, func() { cancel(errSettingsRestart) }) })
	wg.Go(func() { heartbeat(ctx, heartbeatEvery, p.Alive, log.With("part", "watchdog")) })
	p.Run(ctx) // returns when ctx ends, after the last screen, with the LEDs off
	cancel(nil)
	wg.Wait()

	if boardErr != nil {
		log.Error("stopped", "reason", boardErr)
		return fail(exitFailure, "stopped: board: %v", boardErr)
	}
	log.Info("stopped", "reason", context.Cause(ctx))
	if errors.Is(context.Cause(ctx), errFirmwareSwitched) {
		return exitRestart
	}
	if errors.Is(context.Cause(ctx), errSettingsRestart) {
		return exitReexec
	}
	return exitOK
}

// provisioningStatus turns a check's record into what the LCD shows.
func provisioningStatus(lc provisioning.LastCheck) ui.ProvisioningStatus {
	st := ui.ProvisioningStatus{At: lc.At, Result: lc.Result.String(), Server: lc.Server, Changed: len(lc.Changed)}
	if lc.Err != nil {
		st.Error = lc.Err.Error()
		st.Quiet = errors.Is(lc.Err, provisioning.ErrNoServer)
	}
	return st
}

// hardwareAddr returns the MAC address of the first network interface
// that has one, or a fixed address for a machine without any.
func hardwareAddr() string {
	ifaces, err := net.Interfaces()
	if err == nil {
		for _, ifc := range ifaces {
			if ifc.Flags&net.FlagLoopback == 0 && len(ifc.HardwareAddr) == 6 {
				return ifc.HardwareAddr.String()
			}
		}
	}
	return "00:15:65:00:00:01"
}

// netAddrs lists the phone's non-loopback addresses, for the Network
// screen.
func netAddrs() []string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []string
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagLoopback != 0 || ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			out = append(out, ifc.Name+" "+a.String())
		}
	}
	return out
}

// boardWithPanel is a board with a front panel to point people at: the
// sim board (board_sim.go), left out of firmware built with -tags nosim.
type boardWithPanel interface {
	board.Board
	URL() string
	NotifyState()
}

// mediaCodecs reads media.codecs, the codecs offered in order of
// preference; names it does not know are left out with a warning.
func mediaCodecs(cfg *provisioning.Config, log *slog.Logger) []sdpneg.Codec {
	var out []sdpneg.Codec
	for _, name := range strings.Split(cfg.String("media.codecs"), ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		c, ok := sdpneg.ParseCodec(name)
		if !ok {
			log.Warn("media.codecs: unknown codec left out", "codec", name)
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		out = []sdpneg.Codec{sdpneg.PCMU, sdpneg.PCMA}
	}
	return out
}
