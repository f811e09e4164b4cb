package sip

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"ccphone/media/sdpneg"
)

// Dial places a call on line (1 or 2) to target: digits (sip:digits@ the
// line's registrar domain), a sip: or sips: URI, or user@host. It
// returns the call's ID at once; the INVITE goes out from the call's
// goroutine and progress arrives as CallEvents (Dialing, Ringing,
// Connected, Ended). The INVITE carries the account's display name in
// From, answers a digest challenge with the account's credentials, and
// goes through the outbound proxy when one is set, else to the
// registrar the line uses (digits) or the URI's host. Safe for
// concurrent use; never blocks on the network.
func (u *UA) Dial(line int, target string) (CallID, error) {
	return u.dial(line, target, nil, nil)
}

// dial is Dial with extra INVITE headers (Referred-By, Replaces) and a
// progress callback (being transferred).
func (u *UA) dial(line int, target string, extra []sip.Header, progress func(code int, reason string)) (CallID, error) {
	l, err := u.line(line)
	if err != nil {
		return 0, err
	}
	acc, enabled := l.wanted()
	if !enabled || !acc.Enable || !(acc.Servers[0].Configured() || acc.Servers[1].Configured()) {
		return 0, fmt.Errorf("%w: line %d", ErrLineIdle, line)
	}
	server := int(l.inUse.Load())
	if server < 0 || !acc.Servers[server].Configured() {
		server = 0
		if !acc.Servers[0].Configured() {
			server = 1
		}
	}
	uri, err := targetURI(target, acc, server)
	if err != nil {
		return 0, err
	}
	if u.opts.Media == nil {
		return 0, ErrNoMedia
	}
	c, err := u.newCall(line, Outgoing, acc)
	if err != nil {
		return 0, err
	}
	c.onProgress = progress
	c.remoteParty("", uri)
	viaRegistrar := isDialString(target) || (uri.Port == 0 || uri.Port == acc.Servers[server].Port) &&
		strings.EqualFold(uri.Host, acc.Servers[server].Address)
	go c.runOutgoing(uri, server, viaRegistrar, extra)
	return c.id, nil
}

// runOutgoing is an outgoing call's goroutine.
func (c *call) runOutgoing(uri sip.Uri, server int, viaRegistrar bool, extra []sip.Header) {
	defer c.forget()
	code, reason := c.invite(uri, server, viaRegistrar, extra)
	if code != 0 || reason != "" {
		c.progress(code, reason)
		c.end(code, reason)
	}
}

// progress tells the transferor (when this call is the INVITE of a
// transfer we were asked to make) how it is going.
func (c *call) progress(code int, reason string) {
	if c.onProgress != nil {
		if code == 0 {
			code = 503
		}
		c.onProgress(code, reason)
	}
}

// invite runs the INVITE transaction and, once answered, the call. It
// returns the failure to report, or zero when the call was reported
// ended already.
func (c *call) invite(uri sip.Uri, server int, viaRegistrar bool, extra []sip.Header) (int, string) {
	u := c.ua
	acc := c.acc
	srv := acc.Servers[server]
	c.report(nil) // Dialing

	transport := srv.Transport
	if !viaRegistrar && uri.UriParams != nil {
		if t, ok := uri.UriParams.Get("transport"); ok {
			transport = t
		}
	}
	host, port := uri.Host, uri.Port
	if viaRegistrar {
		host, port = srv.Address, srv.Port
	}
	if err := c.setupClient(c.ctx, transport, host, port); err != nil {
		return 0, "unreachable: " + err.Error()
	}

	leg, err := u.opts.Media.NewLeg(c.id)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNoMedia, err).Error()
	}
	local := c.newLocal(leg)
	c.mu.Lock()
	c.leg, c.local = leg, local
	c.mu.Unlock()
	offer, err := sdpneg.Offer(local)
	if err != nil {
		return 0, "media: " + err.Error()
	}

	req := sip.NewRequest(sip.INVITE, uri)
	fromURI := sip.Uri{Scheme: "sip", User: acc.UserName, Host: srv.Address}
	from := &sip.FromHeader{DisplayName: acc.DisplayName, Address: fromURI, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	to := &sip.ToHeader{Address: uri, Params: sip.NewParams()}
	callID := sip.CallIDHeader(randomID())
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INVITE})
	req.AppendHeader(&c.contact)
	req.AppendHeader(sip.NewHeader("User-Agent", u.opts.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	req.AppendHeader(sip.NewHeader("Supported", "replaces"))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	for _, h := range extra {
		req.AppendHeader(h)
	}
	req.SetBody(offer)
	if transport != "" {
		req.SetTransport(transport)
	}
	proxy := ""
	switch {
	case acc.OutboundProxy != "":
		proxy = hostPort(acc.OutboundProxy, 5060)
	case viaRegistrar:
		proxy = hostPort(srv.Address, srv.Port)
	}
	if proxy != "" {
		// A pre-loaded route (RFC 3261 8.1.2) rather than only a
		// destination: sipgo builds the CANCEL from the INVITE's Route
		// headers, so without one a CANCEL goes to the Request-URI's
		// host whenever the last provisional answer seen carried no
		// Record-Route (responses are handled concurrently, so a late
		// 100 Trying can overtake a 180).
		req.AppendHeader(sip.NewHeader("Route", preloadedRoute(proxy, transport)))
		req.SetDestination(proxy)
	}
	if c.laddr.IP != nil {
		req.Laddr = c.laddr
	}

	waitCtx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	c.mu.Lock()
	stopped := c.stopReason != ""
	c.cancelInvite = cancel
	c.mu.Unlock()
	if stopped {
		return 0, c.reasonOr("cancelled")
	}

	dua := &sipgo.DialogUA{Client: c.client, ContactHDR: c.contact}
	dlg, err := dua.WriteInvite(waitCtx, req)
	if err != nil {
		return 0, "unreachable: " + err.Error()
	}
	defer dlg.Close()
	ringing := false
	err = dlg.WaitAnswer(waitCtx, sipgo.AnswerOptions{
		Username: acc.DigestName(),
		Password: acc.Password.Reveal(),
		OnResponse: func(res *sip.Response) error {
			if res.StatusCode == 180 || res.StatusCode == 183 {
				if len(res.Body()) > 0 {
					if s, err := sdpneg.ParseAnswer(res.Body(), local); err == nil {
						c.startMedia(s) // early media
					}
				}
				if !ringing {
					ringing = true
					c.progress(res.StatusCode, res.Reason)
					c.report(func(c *call) { c.state = CallRinging })
				}
			}
			return nil
		},
	})
	c.mu.Lock()
	c.cancelInvite = nil
	c.mu.Unlock()
	if err != nil {
		var refused *sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &refused):
			return refused.Res.StatusCode, strconv.Itoa(refused.Res.StatusCode) + " " + refused.Res.Reason
		case waitCtx.Err() != nil && c.ctx.Err() == nil:
			return 487, c.reasonOr("cancelled")
		case c.ctx.Err() != nil:
			return 487, "shutdown"
		}
		c.log.Info("invite failed", "err", err)
		return 0, "no answer"
	}

	res := dlg.InviteResponse
	target := uri
	if ct := res.Contact(); ct != nil {
		target = ct.Address
	}
	tag, _ := from.Params.Get("tag")
	c.mu.Lock()
	if len(res.GetHeaders("Record-Route")) == 0 {
		c.proxy = proxy
	}
	c.mu.Unlock()
	remoteTag := ""
	if t := res.To(); t != nil {
		remoteTag, _ = t.Params.Get("tag")
	}
	c.bind(dlg, string(callID), tag, remoteTag, target)
	if t := res.To(); t != nil {
		c.mu.Lock()
		c.remoteParty(t.DisplayName, t.Address)
		c.mu.Unlock()
	}
	if err := dlg.Ack(c.ctx); err != nil {
		c.log.Warn("ack", "err", err)
	}
	s, err := sdpneg.ParseAnswer(res.Body(), local)
	if err != nil {
		c.log.Warn("answer unusable: hanging up", "err", err)
		c.stop("488 Not Acceptable Here")
	} else {
		c.startMedia(s)
	}
	c.progress(200, "OK")
	c.report(func(c *call) { c.state = CallConnected })
	c.established(dlg)
	return 0, ""
}

// preloadedRoute is the Route header value for sending an initial request
// through proxy (host:port) over transport.
func preloadedRoute(proxy, transport string) string {
	uri := "sip:" + proxy + ";lr"
	if t := strings.ToLower(transport); t != "" && t != "udp" {
		uri += ";transport=" + t
	}
	return "<" + uri + ">"
}
