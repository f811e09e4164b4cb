// Package sip is the phone's SIP user agent, built on emiago/sipgo: one
// UA per phone, with one listening socket per transport (UDP and TCP on
// sip.listen_port, TLS optionally) shared by both lines.
//
// The common path, as cmd/ccphoned wires it:
//
//	ua, err := sip.New(sip.Options{
//		ListenAddr: net.JoinHostPort("0.0.0.0", strconv.Itoa(cfg.Int("sip.listen_port"))),
//		UserAgent:  "ccphone/" + version,
//		Logger:     log,
//		Trust: sip.TrustPolicy{
//			TrustedServersOnly: cfg.Bool("sip.trusted_servers_only"),
//			AllowIPCalls:       cfg.Bool("sip.allow_ip_calls"),
//		},
//	})
//	ua.SetAccount(1, cfg.Account(1))
//	ua.SetAccount(2, cfg.Account(2))
//	go ua.Run(ctx)                      // serves until ctx ends, then unregisters
//	for ev := range ua.Events() {       // closed when Run returns
//		switch ev := ev.(type) {
//		case sip.RegistrationEvent:
//			phone.SetRegistration(ctx, ev.Line, ui.RegistrationState(ev.State))
//		}
//	}
//
// Registration. Each line registers its account with digest
// authentication at sip_server.1 (the primary). When the primary does
// not answer within Options.RegisterTimeout, or refuses with 403 or 5xx,
// the line registers at sip_server.2 (the backup) and reports that server
// in RegistrationEvent.Server; while there it tries the primary every
// Options.ProbeInterval and fails back (unregistering from the backup)
// once the primary grants a registration again. A registration is
// refreshed after Options.RefreshFraction of the lifetime the registrar
// granted. A line that no server accepts reports failed with the code and
// reason, then retries with a growing back-off. RegistrationState lists
// the transitions. SetAccount applies provisioning changes (unchanged
// accounts are left alone), SetEnabled is the line key's long press, and
// when Run ends both lines unregister within Options.UnregisterTimeout.
//
// Trust. With TrustPolicy.TrustedServersOnly (the default), requests from
// hosts other than the configured registrars and outbound proxies are
// dropped without an answer; Admit is the rule as a pure function.
// Malformed messages are rejected by sipgo's parser and never reach the
// phone.
//
// Calls (INVITE, dialogs, transfer, SDP) will add handlers in routes and
// more Event types.
package sip
