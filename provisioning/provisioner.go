package provisioning

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultModel is the model name of the common file, cc800.cfg.
const DefaultModel = "cc800"

// Result is what a provisioning check came to.
type Result int

// The results. The zero Result means no check has run yet.
const (
	ResultNone      Result = iota // no check yet
	ResultUnchanged               // the files are as before; nothing was done
	ResultApplied                 // new files were validated, saved and applied
	ResultFailed                  // nothing changed; LastCheck.Err says why
)

// String returns "none", "unchanged", "applied" or "failed".
func (r Result) String() string {
	switch r {
	case ResultNone:
		return "none"
	case ResultUnchanged:
		return "unchanged"
	case ResultApplied:
		return "applied"
	case ResultFailed:
		return "failed"
	}
	return fmt.Sprintf("Result(%d)", int(r))
}

// LastCheck is the record of one provisioning check, for the LCD, the
// front panel and the logs. It is a plain value; Changed is not shared
// with the Provisioner.
type LastCheck struct {
	At      time.Time // when the check ended
	Result  Result
	Err     error    // ResultFailed: why (file:line: key, HTTP status, timeout...)
	Changed []string // ResultApplied: the keys that changed, in schema order
	Server  string   // the folder checked, without user information
}

// Summary is a one-line English account for logs and the panel:
// "applied, 3 settings changed", "unchanged", "failed: fetch ...".
func (c LastCheck) Summary() string {
	switch c.Result {
	case ResultApplied:
		return fmt.Sprintf("applied, %d settings changed", len(c.Changed))
	case ResultFailed:
		return "failed: " + c.Err.Error()
	}
	return c.Result.String()
}

// Options configure a Provisioner. StateDir and MAC are required.
type Options struct {
	// Schema validates the files; nil means DefaultSchema.
	Schema *Schema
	// Base are the phone's own files (ccphoned --config), merged below the
	// fetched ones. They name the server, the signing key, the device key.
	Base []*File
	// StateDir is the phone's state directory; the Provisioner keeps the
	// last good files in its "provisioning" folder.
	StateDir string
	// MAC is the phone's MAC address, in any spelling MACFileName takes.
	MAC string
	// Model names the common file, Model+".cfg"; "" means DefaultModel.
	Model string
	// ServerURL, when set, overrides provisioning.server_url and DHCP
	// (a command-line flag, a test).
	ServerURL string
	// Local returns the local changes made on the phone, merged on top
	// (Config.Local of the phone's running configuration). nil means the
	// local changes of the Provisioner's current Config.
	Local func() *File
	// Apply is called after a check saved a new configuration whose
	// values differ from the old: old and new Configs and the keys that
	// changed, in schema order (see PendingChanges to apply them without
	// dropping a call). It runs on the goroutine of the check and must
	// not block for long: hand the new Config to the phone's event loop.
	Apply func(old, new *Config, changed []string)
	// Status, when set, is called after every check with its record.
	// Same rules as Apply.
	Status func(LastCheck)
	// Fetch are the base fetch options. Fields left zero come from the
	// configuration (provisioning.timeout, user_name, password, ca_file,
	// client_cert); fields set here win (tests shorten timeouts and count
	// requests with Transport).
	Fetch FetchOptions
	// RetryDelay is the wait after a failed check, doubled after each
	// further failure up to the interval (or an hour). Zero means 1 min.
	RetryDelay time.Duration

	Logger *slog.Logger                         // nil discards
	Now    func() time.Time                     // nil means time.Now
	After  func(time.Duration) <-chan time.Time // nil means time.After
	Rand   func() float64                       // [0,1) for jitter; nil means math/rand/v2
}

// Provisioner keeps the phone's configuration in step with the
// provisioning server: it fetches the common and per-MAC files, verifies,
// decrypts and validates them together, saves the last good set
// atomically in the state directory, and hands the new Config to the
// Apply hook. A check that fails in any way changes nothing.
//
// Run drives checks at start-up and on the schedule; CheckNow asks for
// one from the menu or on a SIP check-sync; Check runs one and waits.
// All methods are safe for concurrent use; checks never overlap.
type Provisioner struct {
	opts       Options
	schema     *Schema
	store      *stateStore
	commonName string
	macName    string
	log        *slog.Logger
	trigger    chan struct{}

	checkMu      sync.Mutex // held for a whole check
	fetcher      *Fetcher   // guarded by checkMu
	fetcherKey   string     // guarded by checkMu
	failures     int        // guarded by checkMu: checks failed in a row
	mu           sync.Mutex // guards the fields below
	current      *Config
	status       LastCheck
	last         manifest // the last good set
	fromManifest bool     // current was built from last
}

// New returns a Provisioner whose current Config is the last good one
// saved in the state directory, re-verified with the trust settings of
// opts.Base, or, when there is none (or it no longer verifies), opts.Base
// with the local changes. It fails only when opts are incomplete or
// opts.Base does not validate.
func New(opts Options) (*Provisioner, error) {
	if opts.StateDir == "" {
		return nil, errors.New("provisioning: Options.StateDir is required")
	}
	macName, err := MACFileName(opts.MAC)
	if err != nil {
		return nil, err
	}
	if opts.Schema == nil {
		opts.Schema = DefaultSchema()
	}
	if opts.Model == "" {
		opts.Model = DefaultModel
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.After == nil {
		opts.After = time.After
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = time.Minute
	}
	store, err := newStateStore(opts.StateDir)
	if err != nil {
		return nil, err
	}
	p := &Provisioner{
		opts:       opts,
		schema:     opts.Schema,
		store:      store,
		commonName: opts.Model + ".cfg",
		macName:    macName,
		log:        opts.Logger,
		trigger:    make(chan struct{}, 1),
	}
	var local *File
	if opts.Local != nil {
		local = opts.Local()
	}
	baseCfg, err := p.schema.Merge(opts.Base, local)
	if err != nil {
		return nil, err
	}
	p.current = baseCfg
	m, err := store.load()
	if err != nil {
		p.log.Warn("provisioning: last good state unreadable, starting from the base config", "err", err)
		return p, nil
	}
	if len(m.Files) == 0 {
		return p, nil
	}
	cfg, err := p.fromStore(baseCfg, m, local)
	if err != nil {
		p.log.Warn("provisioning: last good files no longer valid, starting from the base config", "err", err)
		return p, nil
	}
	p.current, p.last, p.fromManifest = cfg, m, true
	return p, nil
}

// fromStore rebuilds the Config of a saved set, verifying it again.
func (p *Provisioner) fromStore(trustCfg *Config, m manifest, local *File) (*Config, error) {
	tr, err := trustFrom(trustCfg)
	if err != nil {
		return nil, err
	}
	var files []*File
	for _, sf := range m.Files {
		raw, err := p.store.blob(sf.SHA256)
		if err != nil {
			return nil, err
		}
		var sig []byte
		if sf.Signature != "" {
			if sig, err = p.store.blob(sf.Signature); err != nil {
				return nil, err
			}
		}
		f, err := p.decode(tr, sf.Name, sf.URL, raw, sig)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return p.schema.Merge(append(slices.Clone(p.opts.Base), files...), local)
}

// Config returns the running configuration: the last one applied.
func (p *Provisioner) Config() *Config {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

// Status returns the record of the last check; its Result is ResultNone
// before the first.
func (p *Provisioner) Status() LastCheck {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.status
	s.Changed = slices.Clone(s.Changed)
	return s
}

// StatePath returns the file in the state directory that names the last
// good files; its bytes change exactly when the last good configuration
// does.
func (p *Provisioner) StatePath() string { return p.store.manifestPath() }

// CheckNow asks Run for a check as soon as the one under way (if any)
// ends, ignoring the maintenance window: the menu's "check now" and a
// SIP NOTIFY check-sync from the registrar call it. It never blocks;
// requests made while one is pending are merged.
func (p *Provisioner) CheckNow() {
	select {
	case p.trigger <- struct{}{}:
	default:
	}
}

// Run checks at once (start-up), then every provisioning.interval with
// jitter inside provisioning.window, after a failure sooner (RetryDelay,
// doubling), and whenever CheckNow asks. It reads the schedule from the
// running Config before each wait, so a new interval applies at once.
// Run returns nil when ctx is done.
func (p *Provisioner) Run(ctx context.Context) error {
	_, _ = p.Check(ctx) // recorded in Status; Run keeps going
	for {
		wait := p.nextWait()
		var timer <-chan time.Time
		if wait > 0 {
			timer = p.opts.After(wait)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-timer:
		case <-p.trigger:
		}
		_, _ = p.Check(ctx)
	}
}

// nextWait is how long Run waits for the next scheduled check; 0 means
// no scheduled check (interval 0 and the last check did not fail).
func (p *Provisioner) nextWait() time.Duration {
	cfg := p.Config()
	interval := time.Duration(cfg.Int("provisioning.interval")) * time.Minute
	now := p.opts.Now()
	p.checkMu.Lock()
	failures := p.failures
	p.checkMu.Unlock()
	if failures > 0 {
		limit := interval
		if limit == 0 {
			limit = time.Hour
		}
		d := p.opts.RetryDelay
		for i := 1; i < failures && d < limit; i++ {
			d *= 2
		}
		return min(d, limit)
	}
	if interval == 0 {
		return 0
	}
	w, _ := ParseWindow(cfg.String("provisioning.window")) // validated by Merge
	next := NextCheck(now, interval, cfg.Int("provisioning.jitter"), w, p.opts.Rand(), p.opts.Rand())
	return max(next.Sub(now), time.Second)
}

// Check runs one check now and waits for it: fetch both files
// (conditionally), verify and decrypt them, validate them with the local
// changes, and only when all of that succeeded save them and call Apply.
// The returned error is LastCheck.Err.
func (p *Provisioner) Check(ctx context.Context) (LastCheck, error) {
	p.checkMu.Lock()
	lc := p.check(ctx)
	lc.At = p.opts.Now()
	if lc.Result == ResultFailed {
		p.failures++
	} else {
		p.failures = 0
	}
	p.checkMu.Unlock()

	p.mu.Lock()
	p.status = lc
	p.mu.Unlock()
	switch lc.Result {
	case ResultFailed:
		p.log.Warn("provisioning check failed; keeping the running configuration", "server", lc.Server, "err", lc.Err)
	case ResultApplied:
		p.log.Info("provisioning applied", "server", lc.Server, "changed", len(lc.Changed))
	default:
		p.log.Debug("provisioning unchanged", "server", lc.Server)
	}
	if p.opts.Status != nil {
		p.opts.Status(lc)
	}
	return lc, lc.Err
}

// fetchedFile is one of the two files during a check.
type fetchedFile struct {
	name, url  string
	raw, sig   []byte
	validators Validators
	absent     bool
	unchanged  bool
}

func (p *Provisioner) check(ctx context.Context) LastCheck {
	fail := func(server string, err error) LastCheck {
		return LastCheck{Result: ResultFailed, Err: err, Server: server}
	}
	p.mu.Lock()
	cur, last, fromManifest := p.current, p.last, p.fromManifest
	p.mu.Unlock()

	folder, err := p.serverURL(cur)
	if err != nil {
		return fail("", err)
	}
	server := redact(folder)
	fetcher, err := p.fetcherFor(cur)
	if err != nil {
		return fail(server, err)
	}
	tr, err := trustFrom(cur)
	if err != nil {
		return fail(server, err)
	}

	files := make([]fetchedFile, 0, 2)
	unchanged := fromManifest
	for _, name := range []string{p.commonName, p.macName} {
		ff := fetchedFile{name: name, url: folder + name}
		stored, wasStored := last.file(name)
		var prev Validators
		if wasStored && fromManifest && stored.URL == canonicalURL(ff.url) && (tr.pub == nil || stored.Signature != "") {
			if sum, err := hex.DecodeString(stored.SHA256); err == nil && len(sum) == 32 {
				prev = Validators{ETag: stored.ETag, LastModified: stored.LastModified, Hash: [32]byte(sum)}
			}
		}
		got, err := fetcher.Fetch(ctx, ff.url, prev)
		switch {
		case errors.Is(err, ErrNotFound):
			ff.absent = true
			if wasStored {
				unchanged = false
			}
			files = append(files, ff)
			continue
		case err != nil:
			return fail(server, err)
		}
		ff.url = got.URL
		ff.validators = got.Validators
		if got.Unchanged {
			ff.unchanged = true
			if ff.raw, err = p.store.blob(stored.SHA256); err != nil {
				return fail(server, err)
			}
			if stored.Signature != "" {
				if ff.sig, err = p.store.blob(stored.Signature); err != nil {
					return fail(server, err)
				}
			}
		} else {
			unchanged = false
			ff.raw = got.Data
		}
		if tr.pub != nil && ff.sig == nil {
			sig, err := fetcher.Fetch(ctx, ff.url+SignatureSuffix, Validators{})
			switch {
			case errors.Is(err, ErrNotFound):
				return fail(server, fmt.Errorf("%s: %w: no %s%s beside it, and provisioning.signing_key requires one", ff.url, ErrSignature, name, SignatureSuffix))
			case err != nil:
				return fail(server, err)
			}
			ff.sig = sig.Data
		}
		files = append(files, ff)
	}
	if files[0].absent && files[1].absent {
		return fail(server, fmt.Errorf("%s: %w: neither %s nor %s", server, ErrNotFound, p.commonName, p.macName))
	}
	if unchanged {
		return LastCheck{Result: ResultUnchanged, Server: server}
	}

	var parsed []*File
	next := manifest{Version: 1, Saved: p.opts.Now().UTC()}
	var blobs [][]byte
	for _, ff := range files {
		if ff.absent {
			continue
		}
		f, err := p.decode(tr, ff.name, ff.url, ff.raw, ff.sig)
		if err != nil {
			return fail(server, err)
		}
		parsed = append(parsed, f)
		sf := storedFile{Name: ff.name, URL: ff.url, SHA256: hexSum(ff.raw), ETag: ff.validators.ETag, LastModified: ff.validators.LastModified}
		blobs = append(blobs, ff.raw)
		if ff.sig != nil {
			sf.Signature = hexSum(ff.sig)
			blobs = append(blobs, ff.sig)
		}
		next.Files = append(next.Files, sf)
	}
	local := cur.Local()
	if p.opts.Local != nil {
		local = p.opts.Local()
	}
	cfg, err := p.schema.Merge(append(slices.Clone(p.opts.Base), parsed...), local)
	if err != nil {
		return fail(server, err)
	}
	if err := p.store.commit(next, blobs); err != nil {
		return fail(server, err)
	}
	for _, w := range cfg.Warnings() {
		p.log.Warn("provisioning", "warning", w.Error())
	}
	p.mu.Lock()
	old := p.current
	p.current, p.last, p.fromManifest = cfg, next, true
	p.mu.Unlock()
	changed := Diff(old, cfg)
	if len(changed) > 0 && p.opts.Apply != nil {
		p.opts.Apply(old, cfg, changed)
	}
	return LastCheck{Result: ResultApplied, Changed: changed, Server: server}
}

// trust is what a check verifies files with.
type trust struct {
	pub       ed25519.PublicKey // nil: files need no signature
	deviceKey []byte            // nil: the per-MAC file is not encrypted
}

func trustFrom(cfg *Config) (trust, error) {
	var tr trust
	if s := cfg.String("provisioning.signing_key"); s != "" {
		pub, err := ParsePublicKey(s)
		if err != nil {
			return trust{}, fmt.Errorf("provisioning.signing_key: %w", err)
		}
		tr.pub = pub
	}
	if s := cfg.String("provisioning.device_key"); s != "" {
		key, err := ParseDeviceKey(s)
		if err != nil {
			return trust{}, fmt.Errorf("provisioning.device_key: %w", err)
		}
		tr.deviceKey = key
	}
	return tr, nil
}

// decode verifies the signature of raw, decrypts it when it must or may,
// and parses it under the name url.
func (p *Provisioner) decode(tr trust, name, url string, raw, sig []byte) (*File, error) {
	if tr.pub != nil {
		if err := VerifyFile(tr.pub, name, raw, sig); err != nil {
			return nil, fmt.Errorf("%s: %w", url, err)
		}
	}
	data := raw
	switch {
	case tr.deviceKey != nil && (name == p.macName || IsEncrypted(raw)):
		plain, err := DecryptFile(tr.deviceKey, name, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", url, err)
		}
		data = plain
	case IsEncrypted(raw):
		return nil, fmt.Errorf("%s: %w: the file is encrypted and provisioning.device_key is not set", url, ErrDecrypt)
	}
	return Parse(url, bytes.NewReader(data))
}

// serverURL returns the folder to fetch from, ending in "/".
func (p *Provisioner) serverURL(cfg *Config) (string, error) {
	raw := p.opts.ServerURL
	if raw == "" {
		raw = cfg.String("provisioning.server_url")
	}
	if raw == "" {
		option := cfg.String("provisioning.dhcp_option")
		if option == "off" {
			return "", fmt.Errorf("%w: provisioning.server_url is empty and provisioning.dhcp_option is off", ErrNoServer)
		}
		lease, err := ReadLease(cfg.String("provisioning.dhcp_lease_file"))
		if err != nil {
			return "", fmt.Errorf("%w: provisioning.server_url is empty and DHCP: %w", ErrNoServer, err)
		}
		if raw = lease.ServerURL(option); raw == "" {
			return "", fmt.Errorf("%w: provisioning.server_url is empty and the DHCP lease has no option %s", ErrNoServer, option)
		}
	}
	raw = ExpandURL(raw, strings.TrimSuffix(p.macName, ".cfg"), p.opts.Model)
	if err := CheckURL(raw); err != nil {
		return "", fmt.Errorf("provisioning server %s: %w", redact(raw), err)
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	return raw, nil
}

// canonicalURL is how a source is recorded: as Fetch reports it.
func canonicalURL(raw string) string {
	u, err := parseSource(raw)
	if err != nil {
		return redact(raw)
	}
	return redact(u.String())
}

// ExpandURL replaces {mac} (12 lower-case hex digits) and {model} in a
// provisioning URL.
func ExpandURL(raw, mac, model string) string {
	return strings.NewReplacer("{mac}", mac, "{model}", model).Replace(raw)
}

// fetcherFor returns a Fetcher for cfg's fetch settings, reusing the last
// one (and its connections) while they stay the same. checkMu is held.
func (p *Provisioner) fetcherFor(cfg *Config) (*Fetcher, error) {
	keys := []string{"provisioning.timeout", "provisioning.user_name", "provisioning.password",
		"provisioning.ca_file", "provisioning.client_cert", "provisioning.client_key"}
	var kb strings.Builder
	for _, k := range keys {
		kb.WriteString(cfg.String(k))
		kb.WriteByte(0)
	}
	if p.fetcher != nil && p.fetcherKey == kb.String() {
		return p.fetcher, nil
	}
	opts, err := FetchOptionsFrom(cfg, p.opts.Fetch)
	if err != nil {
		return nil, err
	}
	if p.fetcher != nil {
		p.fetcher.Close()
	}
	p.fetcher, p.fetcherKey = NewFetcher(opts), kb.String()
	return p.fetcher, nil
}

// FetchOptionsFrom fills the zero fields of base from cfg's provisioning
// settings: timeout (and a stall timeout of a third of it, at most 15 s),
// HTTP credentials, the pinned CA file and the client certificate. It
// fails when a file named there cannot be read.
func FetchOptionsFrom(cfg *Config, base FetchOptions) (FetchOptions, error) {
	o := base
	timeout := time.Duration(cfg.Int("provisioning.timeout")) * time.Second
	if o.Timeout == 0 && timeout > 0 {
		o.Timeout = timeout
	}
	if o.StallTimeout == 0 && timeout > 0 {
		o.StallTimeout = min(timeout/3, 15*time.Second)
	}
	if o.UserName == "" {
		o.UserName = cfg.String("provisioning.user_name")
		o.Password = Secret(cfg.String("provisioning.password"))
	}
	if o.RootCAs == nil {
		if path := cfg.String("provisioning.ca_file"); path != "" {
			pool, err := CertPoolFile(path)
			if err != nil {
				return FetchOptions{}, fmt.Errorf("provisioning.ca_file: %w", err)
			}
			o.RootCAs = pool
		}
	}
	if len(o.ClientCert.Certificate) == 0 {
		if certFile := cfg.String("provisioning.client_cert"); certFile != "" {
			cert, err := tls.LoadX509KeyPair(certFile, cfg.String("provisioning.client_key"))
			if err != nil {
				return FetchOptions{}, fmt.Errorf("provisioning.client_cert: %w", err)
			}
			o.ClientCert = cert
		}
	}
	return o, nil
}

// Close releases the Provisioner's idle connections. Call it after Run
// returned.
func (p *Provisioner) Close() {
	p.checkMu.Lock()
	defer p.checkMu.Unlock()
	if p.fetcher != nil {
		p.fetcher.Close()
	}
}

// CertPoolFile reads a PEM file of CA certificates (provisioning.ca_file,
// sip.tls_ca_file) into a pool; a file without any is an error.
func CertPoolFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: %w: no PEM certificate", path, ErrBadKey)
	}
	return pool, nil
}
