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
// Calls. Options.Media (the media engine) gives every call a MediaLeg
// (its RTP socket); the UA negotiates SDP with media/sdpneg and tells
// the leg what was agreed. Every call verb returns at once and is safe
// from any goroutine; progress comes back as CallEvents in order, the
// last one Ended:
//
//	id, err := ua.Dial(1, "2000")       // INVITE via the line's registrar or outbound proxy
//	// CallEvent{ID: id, State: CallDialing} → CallRinging (18x) → CallConnected (200)
//	ua.Hold(id, true)                   // re-INVITE a=sendonly → CallHeld; false resumes
//	ua.SendDTMF(id, '5')                // RFC 4733 via the leg, else INFO dtmf-relay
//	ua.Transfer(id, "3000")             // REFER; TransferEvents; Ended "transferred"
//	ua.Hangup(id)                       // CANCEL before the answer, BYE after
//
// An incoming INVITE gets 100 and 180 at once and a CallEvent with
// Direction Incoming and State CallRinging (AutoAnswer only when a
// configured server asked for it); the phone then calls Answer, Reject
// (486 becomes 302 with busy forwarding), Forward or Hangup. Forward
// always answers 302 without ringing; forward on no answer after
// NoAnswerTimeout. TransferTo joins a held call with a consultation
// (REFER with Replaces); a REFER from the far end makes a new call on the
// same line and reports to the transferor by NOTIFY; an INVITE with
// Replaces takes over the named call. In a call, INFO DTMF becomes a
// DTMFEvent and INFO Record: on/off a RecordEvent. With
// Options.RecordHeader, a configured server's INVITE can ask for the call
// to be recorded or not (CallEvent.RecordRequested on Ringing).
// CallState has the transition table.
//
// Voicemail. A line whose account has a voicemail number subscribes to
// message-summary for its own AOR at the registrar it is registered with
// (Options.SubscribeExpires; refreshed, retried with back-off, ended
// when Run ends). The subscription's NOTIFYs, and unsolicited ones from
// a configured server, become MWIEvents.
//
// When Run ends, every call is ended (BYE, CANCEL or 480) and every
// subscription (SUBSCRIBE with Expires: 0) before the lines unregister.
//
// Tests start real peers: kamailiotest (registrar), sipptest (scripted
// sipp call flows) and baresiptest (a second real phone); siptest.Media
// is a Media whose legs send and count RTP on loopback.
package sip
