// Package provisioning holds the phone's configuration: the schema of
// every setting, the provisioning file format, and the merge of defaults,
// admin files and the user's changes into one typed, immutable Config.
//
// The common path, as ccphoned --config does it:
//
//	cfg, err := provisioning.Load("common.cfg", "001565aabbcc.cfg")
//	if err != nil {
//		// err is an ErrorList: one "file:line: key: problem; allowed ..."
//		// per line. Nothing was applied.
//	}
//	for _, w := range cfg.Warnings() { log.Warn(w.Error()) } // unknown keys
//	acct := cfg.Account(1)       // typed: Enable, Servers, Password...
//	port := cfg.Int("sip.listen_port")
//
// Files are "key = value" lines with Yealink-style dotted keys; Parse
// documents the exact rules (comments, '#' in passwords, empty values).
// Parse knows nothing of settings: it returns a File of entries with line
// numbers. Schema.Merge validates Files against the schema and merges
// them; Schema.Check validates one File and returns errors and warnings
// together, for tools.
//
// Layers merge in order: defaults < common file < per-MAC file
// (MACFileName) < local changes. Local changes are user-owned settings
// changed on the phone (Config.WithLocal); the phone persists
// Config.Local in its state directory and passes it back to Merge. An
// admin overrides them on purpose with provisioning.override_local; see
// Config for the rule.
//
// An empty value ("key =") sets a string, host or URL setting to empty
// and resets a bool, int, port or enum setting to its default.
//
// Secret settings (account passwords) never reach an error message,
// Value.String, Account's printed form, %v of a Config or Config.Format
// without showSecrets: all show Mask. Read a password with
// Account.Password.Reveal or Config.String.
//
// Every problem is an *Issue wrapping a sentinel (ErrSyntax, ErrRange...),
// collected into an ErrorList; errors.Is sees through both. Diff lists the
// keys two Configs disagree on, grouped by Subsystem, so a caller can
// apply only what changed. Schema.WriteMarkdown writes the admin
// reference. The UI registers more language codes with
// Schema.WithEnumValues("phone.language", ...).
//
// Schemas, Files handed to Merge, Configs and Values are immutable and
// safe for concurrent use.
//
// # Auto-provisioning
//
// A Provisioner keeps the phone in step with the provisioning server:
//
//	p, err := provisioning.New(provisioning.Options{
//		Base: []*provisioning.File{own}, // ccphoned --config: server, keys
//		StateDir: stateDir, MAC: mac,
//		Local: func() *provisioning.File { return running().Local() },
//		Apply: func(old, new *provisioning.Config, changed []string) {
//			events <- configChanged{new, changed} // to the event loop
//		},
//		Status: func(lc provisioning.LastCheck) { events <- lc }, // LCD, panel
//	})
//	cfg := p.Config()       // the last good config, saved across restarts
//	go p.Run(ctx)           // start-up, interval with jitter, window
//	p.CheckNow()            // menu; SIP NOTIFY check-sync from the registrar
//
// A check fetches <model>.cfg and <mac>.cfg with a Fetcher (HTTP(S) with
// a pinned CA, basic or digest auth and a client certificate; TFTP; local
// paths) conditionally, verifies Ed25519 signatures (VerifyFile), decrypts
// the per-MAC file (DecryptFile), and merges everything with Merge. Only
// when all of it succeeds does it save the files atomically
// (WriteFileAtomic) and call Apply; otherwise the running Config and the
// saved state stay as they were and LastCheck.Err says why. In the event
// loop, PendingChanges holds back the changes of a busy line until its
// call ends. Firmware stages, switches and rolls back binaries. The
// server may also be taken from a DHCP lease (ReadLease).
//
// # Call recording
//
// The files also carry the recording policy, KAZOO's account, user (line)
// and device levels for inbound and outbound, onnet and offnet calls. The
// event loop asks when a call starts, and again when the PBX or the agent
// asks for recording:
//
//	d := cfg.RecordingDecision(provisioning.CallInfo{
//		Line: 1, Direction: provisioning.Inbound,
//		Remote: "sip:+14155550100@pbx.example.net", ServerRequires: req,
//	})
//	if d.Record { /* start at answer or at once (d.StartOnAnswer), d.Format... */ }
//
// RecordingDecision documents the precedence; RemoteNetwork the onnet
// classification; RecordingOptions the phone-wide settings.
//
//go:generate go run ../cmd/ccprov docs --out ../docs/provisioning.md
package provisioning
