package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"ccphone/board/cc800"
	"ccphone/provisioning"
	"ccphone/ui"
)

// localFile is the file in the state directory that keeps the settings
// the user changed on the phone.
const localFile = "local.cfg"

// configStore holds the running configuration: the --config file, the
// files the provisioning server served (kept in the state directory), and
// the settings the user changed on the phone. It is safe for concurrent
// use.
type configStore struct {
	log       *slog.Logger
	localPath string
	prov      *provisioning.Provisioner

	mu       sync.Mutex
	cfg      *provisioning.Config
	local    *provisioning.File // the local changes read at start
	onApply  func(cfg *provisioning.Config, changed []string)
	onStatus func(provisioning.LastCheck)
}

// openConfig loads the configuration. A broken --config file is an error
// naming file, line and key; a broken local file only costs the local
// changes (with a warning); a broken last-good provisioning state falls
// back to the --config file.
func openConfig(path, stateDir, mac string, languages []string, log *slog.Logger) (*configStore, error) {
	schema, err := provisioning.DefaultSchema().WithEnumValues(ui.KeyLanguage, languages...)
	if err != nil {
		return nil, fmt.Errorf("config schema: %w", err)
	}
	var base []*provisioning.File
	if path != "" {
		f, err := provisioning.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		base = append(base, f)
	}
	s := &configStore{log: log, localPath: filepath.Join(stateDir, localFile)}
	s.local, err = provisioning.ReadFile(s.localPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.local = nil
	case err != nil:
		log.Warn("local settings unreadable, using the provisioned ones", "file", s.localPath, "err", err)
		s.local = nil
	}
	s.prov, err = provisioning.New(provisioning.Options{
		Schema:   schema,
		Base:     base,
		StateDir: stateDir,
		MAC:      mac,
		Local:    s.Local,
		Apply:    s.applied,
		Status:   s.checked,
		Logger:   log.With("part", "provisioning"),
	})
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s.cfg = s.prov.Config()
	for _, w := range s.cfg.Warnings() {
		log.Warn("config", "warning", w.Error())
	}
	return s, nil
}

// Local returns the settings changed on the phone, for the provisioner to
// merge on top of what it fetches.
func (s *configStore) Local() *provisioning.File {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg == nil {
		return s.local
	}
	return s.cfg.Local()
}

// OnChange sets what runs when provisioning applies a new configuration,
// and what runs after every provisioning check.
func (s *configStore) OnChange(apply func(*provisioning.Config, []string), status func(provisioning.LastCheck)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onApply, s.onStatus = apply, status
}

func (s *configStore) applied(old, cfg *provisioning.Config, changed []string) {
	s.mu.Lock()
	s.cfg = cfg
	apply := s.onApply
	s.mu.Unlock()
	s.log.Info("provisioning applied", "changed", changed)
	if apply != nil {
		apply(cfg, changed)
	}
}

func (s *configStore) checked(lc provisioning.LastCheck) {
	s.mu.Lock()
	status := s.onStatus
	s.mu.Unlock()
	if lc.Result == provisioning.ResultFailed {
		s.log.Warn("provisioning check failed", "err", lc.Err)
	}
	if status != nil {
		status(lc)
	}
}

// Config returns the running configuration.
func (s *configStore) Config() *provisioning.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Settings returns what the UI needs of the configuration.
func (s *configStore) Settings() ui.Settings {
	s.mu.Lock()
	cfg := s.cfg
	s.mu.Unlock()
	return settingsFrom(cfg)
}

// SaveLocal records a change the user made on the phone and writes the
// local changes to the state directory atomically.
func (s *configStore) SaveLocal(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.cfg.WithLocal(key, value)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := cfg.Local().Format(&buf); err != nil {
		return err
	}
	if err := provisioning.WriteFileAtomic(s.localPath, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("save %s: %w", key, err)
	}
	s.cfg = cfg
	return nil
}

// settingsFrom maps the configuration onto the UI's settings.
func settingsFrom(cfg *provisioning.Config) ui.Settings {
	s := ui.Settings{
		Language:         cfg.String(ui.KeyLanguage),
		Contrast:         cfg.Int(ui.KeyContrast),
		Backlight:        cfg.Int("lcd.backlight"),
		RingVolume:       cfg.Int(ui.KeyRingVolume),
		HeadsetVolume:    cfg.Int(ui.KeyHeadsetVolume),
		SpeakerVolume:    cfg.Int(ui.KeySpeakerVolume),
		DND:              cfg.Bool(ui.KeyDND),
		AutoAnswer:       cfg.Bool(ui.KeyAutoAnswer),
		AutoAnswerBeep:   cfg.Bool("phone.auto_answer_beep"),
		RingSpeaker:      cfg.Bool(ui.KeyRingSpeaker),
		Clock24:          cfg.String("phone.time_format") != "12",
		DNDCode:          atoiOr(cfg.String("phone.dnd_code"), 486),
		PoundSends:       cfg.Bool("phone.pound_sends"),
		AllowIntercom:    cfg.Bool("phone.allow_intercom"),
		MonitorMode:      cfg.String(ui.KeyMonitorMode),
		MonitorIndicator: cfg.Bool("monitor.indicator"),
		RecordFeatureCode: func() string {
			if cfg.Bool("recording.on_demand") {
				return cfg.String("recording.feature_code")
			}
			return ""
		}(),
		DialTimeout:  time.Duration(cfg.Int("phone.dial_timeout")) * time.Second,
		Hotline:      cfg.String("phone.hotline_number"),
		HotlineDelay: time.Duration(cfg.Int("phone.hotline_delay")) * time.Second,
	}
	for i := range s.Lines {
		a := cfg.Account(i + 1)
		srv := a.Servers[0]
		server := ""
		if srv.Configured() {
			server = net.JoinHostPort(srv.Address, strconv.Itoa(srv.Port))
		}
		s.Lines[i] = ui.LineSettings{
			Enabled:   a.Enable,
			Label:     a.Label,
			User:      a.UserName,
			Server:    server,
			Forward:   a.Forward.Always,
			Voicemail: a.Voicemail,
		}
	}
	return s
}

// loadBoardFile reads and validates a CC800 board definition; an empty
// path means the built-in one.
func loadBoardFile(path string) (*cc800.Definition, error) {
	var def *cc800.Definition
	var err error
	if path == "" {
		def, err = cc800.Default()
	} else {
		def, err = cc800.ParseFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("board file: %w", err)
	}
	if err := def.Validate(); err != nil {
		return nil, fmt.Errorf("board file: %w", err)
	}
	return def, nil
}

// atoiOr returns s as a number, or def when it is not one.
func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}
