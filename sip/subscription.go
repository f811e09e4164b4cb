package sip

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// mwiAccept is the body type a message-summary subscription asks for.
const mwiAccept = "application/simple-message-summary"

// subscription is a line's message-summary (MWI) subscription (RFC 6665,
// RFC 3842) at the registrar the line is registered with. The line's
// goroutine owns it; the NOTIFY handler finds the line through UA.subs
// and reports a terminated subscription with
// line.subscriptionEnded.
type subscription struct {
	server    int    // index of the server subscribed at; -1 for none
	callID    string // "" when there is no subscription
	localTag  string
	remoteTag string // the server's To tag; "" until a 2xx
	cseq      uint32
	target    sip.Uri  // Request-URI: the AOR, then the server's Contact
	routes    []string // Route set from the 2xx's Record-Route, in order
}

// key identifies the subscription in UA.subs, as dialogKey does a
// call's dialog.
func (s *subscription) key() string { return dialogKey(s.callID, s.localTag) }

// wantsMWI reports whether the line should hold a message-summary
// subscription: subscriptions are on (Options.SubscribeExpires > 0) and
// the account has a voicemail number.
func (l *line) wantsMWI() bool {
	return l.ua.opts.SubscribeExpires > 0 && l.active && strings.TrimSpace(l.acc.Voicemail) != ""
}

// syncMWI starts or ends the subscription to match the account and the
// registration: it follows the server the line is registered at.
func (l *line) syncMWI(ctx context.Context) {
	if l.takeSubscriptionEnded() {
		l.log.Info("MWI subscription terminated by the server")
		l.dropSubscription()
		l.subscribeFailed()
	}
	switch {
	case !l.wantsMWI():
		l.unsubscribe(ctx)
		l.subAt, l.subBackoff = time.Time{}, 0
	case l.server < 0:
		// Not registered: the server is unlikely to answer; subscribe
		// again once the line is registered.
		l.dropSubscription()
	case l.sub.callID != "" && l.sub.server != l.server:
		l.unsubscribe(ctx) // failed over or back: follow the registration
		l.subAt = l.ua.opts.Clock.Now()
	case l.sub.callID == "" && l.subAt.IsZero():
		l.subAt = l.ua.opts.Clock.Now()
	}
}

// subscribeDue sends the SUBSCRIBE whose time has come: a new
// subscription, or the refresh of the current one.
func (l *line) subscribeDue(ctx context.Context) {
	if !l.wantsMWI() || l.server < 0 {
		return
	}
	if l.sub.callID == "" {
		l.sub = subscription{
			server:   l.server,
			callID:   randomID(),
			localTag: sip.GenerateTagN(16),
			target:   l.aor(l.server),
		}
		// Known before the SUBSCRIBE leaves: the first NOTIFY may
		// overtake the 2xx.
		l.ua.addSubscription(l.sub.key(), l.n)
	}
	res, err := l.subscribeRequest(ctx, l.ua.opts.SubscribeExpires)
	if err == nil && res.StatusCode == statusIntervalTooBrief {
		if minimum, ok := headerSeconds(res, "Min-Expires"); ok {
			res, err = l.subscribeRequest(ctx, minimum)
		}
	}
	switch {
	case err != nil:
		l.log.Warn("MWI subscribe failed", "server", l.serverAddr(l.sub.server), "err", err)
	case !res.IsSuccess():
		l.log.Warn("MWI subscribe refused", "server", l.serverAddr(l.sub.server), "code", res.StatusCode, "reason", res.Reason)
	default:
		l.subscribed(res)
		return
	}
	l.dropSubscription()
	if ctx.Err() == nil {
		l.subscribeFailed()
	}
}

// subscribed records a 2xx to SUBSCRIBE and schedules the refresh.
func (l *line) subscribed(res *sip.Response) {
	first := l.sub.remoteTag == ""
	if to := res.To(); to != nil {
		if tag, ok := to.Params.Get("tag"); ok {
			l.sub.remoteTag = tag
		}
	}
	if ct := res.Contact(); ct != nil {
		l.sub.target = *ct.Address.Clone()
	}
	if first {
		l.sub.routes = l.sub.routes[:0]
		for _, h := range res.GetHeaders("Record-Route") {
			l.sub.routes = append(l.sub.routes, h.Value())
		}
		slices.Reverse(l.sub.routes) // we are the UAC
	}
	granted := l.ua.opts.SubscribeExpires
	if d, ok := headerSeconds(res, "Expires"); ok && d > 0 {
		granted = d
	}
	l.subBackoff = 0
	l.subAt = l.ua.opts.Clock.Now().Add(time.Duration(float64(granted) * l.ua.opts.RefreshFraction))
	if first {
		l.log.Info("MWI subscribed", "server", l.serverAddr(l.sub.server), "expires", granted)
	}
}

// subscribeFailed schedules a new subscription after a growing back-off
// with jitter, like a failed registration.
func (l *line) subscribeFailed() {
	switch {
	case l.subBackoff == 0:
		l.subBackoff = l.ua.opts.RetryMin
	default:
		l.subBackoff = min(2*l.subBackoff, l.ua.opts.RetryMax)
	}
	l.subAt = l.ua.opts.Clock.Now().Add(l.subBackoff + rand.N(l.subBackoff/5+1))
}

// unsubscribe ends the subscription (SUBSCRIBE with Expires: 0) when the
// server granted it and has not terminated it, and forgets it either way.
func (l *line) unsubscribe(ctx context.Context) {
	if l.sub.callID == "" {
		return
	}
	if l.sub.remoteTag != "" && !l.takeSubscriptionEnded() {
		res, err := l.subscribeRequest(ctx, 0)
		switch {
		case err != nil:
			l.log.Warn("MWI unsubscribe failed", "server", l.serverAddr(l.sub.server), "err", err)
		case !res.IsSuccess():
			l.log.Warn("MWI unsubscribe refused", "server", l.serverAddr(l.sub.server), "code", res.StatusCode, "reason", res.Reason)
		default:
			l.log.Info("MWI unsubscribed", "server", l.serverAddr(l.sub.server))
		}
	}
	l.dropSubscription()
}

// dropSubscription forgets the subscription without telling the server.
func (l *line) dropSubscription() {
	if l.sub.callID != "" {
		l.ua.removeSubscription(l.sub.key())
	}
	l.sub = subscription{server: -1}
	l.subAt = time.Time{}
}

// subscribeRequest sends one SUBSCRIBE for the line's own AOR, in the
// subscription's dialog, through the server subscribed at (or the
// outbound proxy), answering a digest challenge, within
// Options.RegisterTimeout.
func (l *line) subscribeRequest(ctx context.Context, expires time.Duration) (*sip.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, l.ua.opts.RegisterTimeout)
	defer cancel()
	u := l.ua
	acc := l.acc
	s := l.sub.server
	srv := acc.Servers[s]
	ep, err := l.endpoint(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w: %w", acc.UserName, ErrNoAnswer, err)
	}
	aor := l.aor(s)
	req := sip.NewRequest(sip.SUBSCRIBE, l.sub.target)
	from := &sip.FromHeader{DisplayName: acc.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", l.sub.localTag)
	to := &sip.ToHeader{Address: aor, Params: sip.NewParams()}
	if l.sub.remoteTag != "" {
		to.Params.Add("tag", l.sub.remoteTag)
	}
	callID := sip.CallIDHeader(l.sub.callID)
	l.sub.cseq++
	exp := sip.ExpiresHeader(uint32(expires / time.Second))
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: l.sub.cseq, MethodName: sip.SUBSCRIBE})
	for _, r := range l.sub.routes {
		req.AppendHeader(sip.NewHeader("Route", r))
	}
	req.AppendHeader(&sip.ContactHeader{Address: ep.contact})
	req.AppendHeader(sip.NewHeader("Event", "message-summary"))
	req.AppendHeader(sip.NewHeader("Accept", mwiAccept))
	req.AppendHeader(&exp)
	req.AppendHeader(sip.NewHeader("User-Agent", u.opts.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	// In-dialog requests go the way the first did: the registrar (or the
	// outbound proxy) is the next hop whatever the server's Contact says.
	ep.prepare(req, hostPort(srv.Address, srv.Port))
	res, err := ep.client.Do(ctx, req)
	if err == nil && (res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired) {
		res, err = ep.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{
			Username: acc.DigestName(),
			Password: acc.Password.Reveal(),
		})
	}
	if h := req.CSeq(); h != nil {
		l.sub.cseq = h.SeqNo
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe %s at %s: %w: %w", acc.UserName, l.serverAddr(s), ErrNoAnswer, err)
	}
	return res, nil
}

// subscriptionEnded tells the line's goroutine that the server
// terminated the subscription with callID (a NOTIFY with
// Subscription-State: terminated). Safe for concurrent use.
func (l *line) subscriptionEnded(callID string) {
	l.mu.Lock()
	l.subEnded = callID
	l.mu.Unlock()
	l.poke()
}

// takeSubscriptionEnded reports whether the current subscription was
// terminated by the server since the last call.
func (l *line) takeSubscriptionEnded() bool {
	l.mu.Lock()
	ended := l.subEnded
	l.subEnded = ""
	l.mu.Unlock()
	return ended != "" && ended == l.sub.callID
}

// addSubscription records that the subscription key belongs to line n.
func (u *UA) addSubscription(key string, n int) {
	u.subsMu.Lock()
	defer u.subsMu.Unlock()
	u.subs[key] = n
}

func (u *UA) removeSubscription(key string) {
	u.subsMu.Lock()
	defer u.subsMu.Unlock()
	delete(u.subs, key)
}

// subscriptionLine returns the line whose subscription an in-dialog
// NOTIFY belongs to, or 0.
func (u *UA) subscriptionLine(req *sip.Request) int {
	cid, to := req.CallID(), req.To()
	if cid == nil || to == nil {
		return 0
	}
	tag, _ := to.Params.Get("tag")
	u.subsMu.Lock()
	defer u.subsMu.Unlock()
	return u.subs[dialogKey(string(*cid), tag)]
}

// subscriptionTerminated reads Subscription-State: terminated.
func subscriptionTerminated(req *sip.Request) bool {
	state, _, _ := strings.Cut(headerValue(req, "Subscription-State"), ";")
	return strings.EqualFold(strings.TrimSpace(state), "terminated")
}
