package sip

import (
	"ccphone/hal"
	"context"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"ccphone/provisioning"
)

// line is one SIP line: its account, its registrations and its state
// machine. The exported UA methods only store the wanted account and
// wake the line's goroutine (run), which owns everything below mu's
// fields and does all network work.
type line struct {
	n   int
	ua  *UA
	log *slog.Logger

	wake chan struct{} // capacity 1: "the wanted account changed"

	mu      sync.Mutex
	want    provisioning.Account
	enabled bool // SetEnabled; true until switched off
	// subEnded is the Call-ID of a subscription the server terminated,
	// for run to act on; "" for none.
	subEnded string

	// Owned by run's goroutine.
	applied bool                 // acc and key hold an applied account
	acc     provisioning.Account // the account in effect
	key     registrationKey      // what of acc matters to registration
	active  bool                 // acc is enabled, switched on and has a server
	server  int                  // index of the server registered at; -1 for none
	binds   [provisioning.ServersPerAccount]binding
	// When to act next; zero for never.
	retryAt, refreshAt, probeAt, keepAt time.Time
	backoff                             time.Duration
	last                                RegistrationEvent // the last reported
	timer                               hal.Timer
	// The message-summary subscription; subAt is when to send the next
	// SUBSCRIBE (new, refresh or retry), zero for never.
	sub        subscription
	subAt      time.Time
	subBackoff time.Duration

	// inUse is the index of the server registered at, -1 for none: calls
	// read it from other goroutines to pick the domain and next hop.
	inUse atomic.Int32
}

// binding is the line's registration at one server: RFC 3261 wants one
// Call-ID per registrar and growing CSeq numbers.
type binding struct {
	callID     string
	cseq       uint32
	registered bool   // a 200 OK granted it and it was not removed
	contact    string // the Contact URI registered
}

// registrationKey is the part of an account that registration depends
// on; a change elsewhere (label, forwarding) is left alone.
type registrationKey struct {
	enable        bool
	userName      string
	authName      string
	password      provisioning.Secret
	displayName   string
	servers       [provisioning.ServersPerAccount]provisioning.Server
	outboundProxy string
}

func keyOf(a provisioning.Account) registrationKey {
	return registrationKey{
		enable:        a.Enable,
		userName:      a.UserName,
		authName:      a.AuthName,
		password:      a.Password,
		displayName:   a.DisplayName,
		servers:       a.Servers,
		outboundProxy: a.OutboundProxy,
	}
}

func newLine(u *UA, n int) *line {
	l := &line{
		n:       n,
		ua:      u,
		log:     u.log.With("line", n),
		wake:    make(chan struct{}, 1),
		enabled: true,
		server:  -1,
		sub:     subscription{server: -1},
	}
	l.inUse.Store(-1)
	return l
}

func (l *line) setAccount(a provisioning.Account) {
	l.mu.Lock()
	l.want = a
	l.mu.Unlock()
	l.poke()
}

func (l *line) setEnabled(on bool) {
	l.mu.Lock()
	l.enabled = on
	l.mu.Unlock()
	l.poke()
}

func (l *line) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *line) wanted() (provisioning.Account, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.want, l.enabled
}

// run is the line's goroutine: apply account changes, do what is due,
// sleep until the next deadline or change; unregister when ctx ends.
func (l *line) run(ctx context.Context) {
	l.timer = l.ua.opts.Clock.NewTimer()
	defer l.timer.Stop()
	for ctx.Err() == nil {
		l.apply(ctx)
		l.due(ctx)
		l.syncMWI(ctx)
		l.arm()
		select {
		case <-ctx.Done():
		case <-l.wake:
		case <-l.timer.C():
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.ua.opts.UnregisterTimeout)
	defer cancel()
	l.unsubscribe(sctx)
	l.unregisterAll(sctx)
}

// apply compares the wanted account with the one in effect and acts on a
// difference.
func (l *line) apply(ctx context.Context) {
	want, enabled := l.wanted()
	key := keyOf(want)
	active := enabled && want.Enable && (want.Servers[0].Configured() || want.Servers[1].Configured())
	if l.applied && key == l.key && active == l.active {
		l.acc = want // label and the like
		return
	}
	if l.applied && l.active {
		l.unsubscribe(ctx)
		l.unregisterAll(ctx)
	}
	l.applied, l.acc, l.key, l.active = true, want, key, active
	l.binds = [provisioning.ServersPerAccount]binding{}
	l.server = -1
	l.retryAt, l.refreshAt, l.probeAt, l.keepAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	l.backoff = 0
	l.dropSubscription()
	l.subBackoff = 0
	if !active {
		l.ua.trust.setLine(l.n, nil)
		l.report(ctx, RegistrationDisabled, -1, 0, "")
		return
	}
	hosts := []string{want.Servers[0].Address, want.Servers[1].Address, want.OutboundProxy}
	l.ua.trust.setLine(l.n, resolveHosts(ctx, hosts))
	l.retryAt = l.ua.opts.Clock.Now()
}

// due does the one action whose time has come, if any.
func (l *line) due(ctx context.Context) {
	if !l.active || ctx.Err() != nil {
		return
	}
	now := l.ua.opts.Clock.Now()
	reached := func(t time.Time) bool { return !t.IsZero() && !now.Before(t) }
	switch {
	case reached(l.retryAt):
		l.retryAt = time.Time{}
		l.registerFirst(ctx, l.servers(-1), result{})
	case reached(l.refreshAt):
		l.refreshAt = time.Time{}
		l.refresh(ctx)
	case reached(l.probeAt):
		l.probeAt = time.Time{}
		l.probe(ctx)
	case reached(l.keepAt):
		l.keepAt = time.Time{}
		l.keepalive(ctx)
	case reached(l.subAt):
		l.subAt = time.Time{}
		l.subscribeDue(ctx)
	}
}

// arm sets the timer for the earliest pending action.
func (l *line) arm() {
	var next time.Time
	for _, t := range []time.Time{l.retryAt, l.refreshAt, l.probeAt, l.keepAt, l.subAt} {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if next.IsZero() {
		l.timer.Stop()
		return
	}
	l.timer.Reset(max(0, next.Sub(l.ua.opts.Clock.Now())))
}

// servers returns the indices of the configured servers, primary first,
// without skip.
func (l *line) servers(skip int) []int {
	var out []int
	for i, s := range l.acc.Servers {
		if i != skip && s.Configured() {
			out = append(out, i)
		}
	}
	return out
}

// registerFirst registers with the first server of order that accepts,
// moving on when one does not answer or refuses in a way another server
// might not (see result.failover). prev is the failure that led here, if
// any, reported with the Registering state.
func (l *line) registerFirst(ctx context.Context, order []int, prev result) {
	last := prev
	for _, s := range order {
		l.report(ctx, RegistrationRegistering, s, last.code, last.reason)
		r := l.register(ctx, s, l.expires(s))
		if r.ok() {
			l.registered(ctx, s, r)
			return
		}
		last = r
		l.log.Warn("register failed", "server", l.serverAddr(s), "code", r.code, "reason", r.reason)
		if ctx.Err() != nil || !r.failover() {
			break
		}
	}
	l.failed(ctx, last)
}

// registered records a granted registration at server s.
func (l *line) registered(ctx context.Context, s int, r result) {
	now := l.ua.opts.Clock.Now()
	l.server = s
	l.inUse.Store(int32(s))
	l.binds[s].registered = true
	l.backoff = 0
	l.refreshAt = now.Add(time.Duration(float64(r.expires) * l.ua.opts.RefreshFraction))
	l.keepAt = time.Time{}
	if ka := l.ua.opts.Keepalive; ka > 0 {
		l.keepAt = now.Add(ka)
	}
	switch {
	case s == 0:
		l.probeAt = time.Time{}
	case l.probeAt.IsZero() && l.acc.Servers[0].Configured():
		l.probeAt = now.Add(l.ua.opts.ProbeInterval)
	}
	if r.source.IsValid() {
		l.ua.trust.addLine(l.n, r.source)
	}
	l.report(ctx, RegistrationRegistered, s, r.code, r.reason)
}

// refresh renews the registration at the server in use; when that fails
// it fails over to the other server.
func (l *line) refresh(ctx context.Context) {
	s := l.server
	if s < 0 {
		return
	}
	r := l.register(ctx, s, l.expires(s))
	if r.ok() {
		l.registered(ctx, s, r)
		return
	}
	l.log.Warn("refresh failed", "server", l.serverAddr(s), "code", r.code, "reason", r.reason)
	l.binds[s].registered = false
	l.server = -1
	l.probeAt, l.keepAt = time.Time{}, time.Time{}
	others := l.servers(s)
	if ctx.Err() != nil || !r.failover() || len(others) == 0 {
		l.failed(ctx, r)
		return
	}
	l.registerFirst(ctx, others, r)
}

// keepalive sends OPTIONS to the server in use. Any answer will do; none
// means the server or the way to it is gone, and the line refreshes at
// once (failing over when that fails too).
func (l *line) keepalive(ctx context.Context) {
	s := l.server
	if s < 0 {
		return
	}
	if err := l.ping(ctx, s); err != nil {
		l.log.Warn("keep-alive unanswered: refreshing the registration", "server", l.serverAddr(s), "err", err)
		l.refresh(ctx)
		return
	}
	l.keepAt = l.ua.opts.Clock.Now().Add(l.ua.opts.Keepalive)
}

// probe tries the primary while the line is registered at the backup,
// and fails back when the primary grants the registration.
func (l *line) probe(ctx context.Context) {
	backup := l.server
	if backup <= 0 {
		return
	}
	r := l.register(ctx, 0, l.expires(0))
	if !r.ok() {
		l.log.Debug("primary still unavailable", "server", l.serverAddr(0), "code", r.code, "reason", r.reason)
		l.probeAt = l.ua.opts.Clock.Now().Add(l.ua.opts.ProbeInterval)
		return
	}
	l.log.Info("primary is back: failing back", "server", l.serverAddr(0))
	l.unregister(ctx, backup)
	l.registered(ctx, 0, r)
}

// failed reports r and schedules a retry with back-off.
func (l *line) failed(ctx context.Context, r result) {
	l.server = -1
	l.inUse.Store(-1)
	l.refreshAt, l.probeAt, l.keepAt = time.Time{}, time.Time{}, time.Time{}
	if ctx.Err() != nil {
		return
	}
	switch {
	case l.backoff == 0:
		l.backoff = l.ua.opts.RetryMin
	default:
		l.backoff = min(2*l.backoff, l.ua.opts.RetryMax)
	}
	wait := l.backoff + rand.N(l.backoff/5+1)
	l.retryAt = l.ua.opts.Clock.Now().Add(wait)
	l.report(ctx, RegistrationFailed, r.server, r.code, r.reason)
}

// unregisterAll removes every registration the line holds, the one in use
// first.
func (l *line) unregisterAll(ctx context.Context) {
	if l.server >= 0 && l.binds[l.server].registered {
		l.unregister(ctx, l.server)
	}
	for s := range l.binds {
		if l.binds[s].registered {
			l.unregister(ctx, s)
		}
	}
	l.server = -1
}

// expires is the lifetime to ask server s for.
func (l *line) expires(s int) time.Duration {
	if e := l.acc.Servers[s].Expires; e > 0 {
		return e
	}
	return time.Hour
}

func (l *line) serverAddr(s int) string {
	if s < 0 {
		return ""
	}
	srv := l.acc.Servers[s]
	return hostPort(srv.Address, srv.Port)
}

// report sends a RegistrationEvent when something changed since the last.
func (l *line) report(ctx context.Context, st RegistrationState, s, code int, reason string) {
	ev := RegistrationEvent{Line: l.n, State: st, Server: l.serverAddr(s), Code: code, Reason: reason}
	if st == RegistrationDisabled {
		ev.Server = ""
	}
	if ev == l.last {
		return
	}
	l.last = ev
	l.log.Info("registration", "state", st.String(), "server", ev.Server, "code", code, "reason", reason)
	l.ua.emit(ctx, ev)
}

// result is the outcome of one REGISTER.
type result struct {
	server  int
	code    int           // final status; 0 when there was none
	reason  string        // status text, or why there was no answer
	expires time.Duration // granted lifetime, for 2xx
	source  netip.Addr    // where the answer came from
	err     error         // ErrNoAnswer or ErrRefused, wrapped
}

func (r result) ok() bool { return r.err == nil && r.code >= 200 && r.code < 300 }

// failover reports whether another server might accept where this one did
// not: no answer, 403 Forbidden (some registrars' word for a blocked or
// unknown phone) and 5xx. 401/407 after authenticating (a wrong password),
// other 4xx and 6xx (global failure) would be the same everywhere.
func (r result) failover() bool {
	return r.code == 0 || r.code == 403 || (r.code >= 500 && r.code < 600)
}
