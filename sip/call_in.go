package sip

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"ccphone/media/sdpneg"
	"ccphone/provisioning"
)

// Answer answers a ringing incoming call: 200 OK with the SDP answer
// (488 when no codec is common, and the call ends). It returns at once;
// CallEvent Connected follows the ACK. Safe for concurrent use.
func (u *UA) Answer(id CallID) error {
	return u.decideCall(id, decision{answer: true})
}

// Reject refuses a ringing incoming call with code: 486 Busy Here, 480
// Temporarily Unavailable or 603 Decline (other 4xx-6xx are sent as
// given). A 486 on a line with busy forwarding (account.N.cfwd.busy) is
// turned into 302 Moved Temporarily to that target. Safe for
// concurrent use.
func (u *UA) Reject(id CallID, code int) error {
	if code < 400 || code > 699 {
		return fmt.Errorf("%w: reject code %d is not 4xx-6xx", ErrCallState, code)
	}
	return u.decideCall(id, decision{code: code})
}

// Forward redirects a ringing incoming call to target (digits or a SIP
// URI) with 302 Moved Temporarily: the agent's "forward" key. Busy and
// no-answer forwarding from the account happen without it. Safe for
// concurrent use.
func (u *UA) Forward(id CallID, target string) error {
	c, err := u.lookupCall(id)
	if err != nil {
		return err
	}
	if _, err := targetURI(target, c.acc, 0); err != nil {
		return err
	}
	return u.decideCall(id, decision{forward: target})
}

// Hangup ends a call in any state: CANCEL before the far end answered an
// outgoing call, 603 Decline for a ringing incoming call, BYE once
// connected. CallEvent Ended follows. Safe for concurrent use.
func (u *UA) Hangup(id CallID) error {
	c, err := u.lookupCall(id)
	if err != nil {
		return err
	}
	c.stop("hangup")
	return nil
}

func (u *UA) decideCall(id CallID, d decision) error {
	c, err := u.lookupCall(id)
	if err != nil {
		return err
	}
	if c.dir != Incoming {
		return fmt.Errorf("%w: call %d is outgoing", ErrCallState, id)
	}
	select {
	case c.decide <- d:
		return nil
	default:
		return fmt.Errorf("%w: call %d is already answered or refused", ErrCallState, id)
	}
}

var reasonPhrases = map[int]string{
	302: "Moved Temporarily", 480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist",
	486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here", 491: "Request Pending",
	503: "Service Unavailable", 603: "Decline",
}

func reasonPhrase(code int) string {
	if r, ok := reasonPhrases[code]; ok {
		return r
	}
	return "Failed"
}

// lineFor picks the line an incoming INVITE is for: the one whose user
// name is the Request-URI's user, else the To header's, else line 1.
func (u *UA) lineFor(req *sip.Request) int {
	users := []string{req.Recipient.User}
	if to := req.To(); to != nil {
		users = append(users, to.Address.User)
	}
	for _, user := range users {
		for i, l := range u.lines {
			acc, _ := l.wanted()
			if acc.Enable && acc.UserName != "" && acc.UserName == user {
				return i + 1
			}
		}
	}
	return 1
}

// onInvite takes INVITEs: a new call, a call replacing one of ours
// (Replaces), or a re-INVITE in a dialog. For a new call it answers 100
// and 180 at once, then blocks for the whole call (sipgo ends the
// transaction when the handler returns).
func (u *UA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil {
		if _, inDialog := to.Params.Get("tag"); inDialog {
			u.onReinvite(req, tx)
			return
		}
	}
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusTrying, "Trying", nil))

	line := u.lineFor(req)
	acc, _ := u.lines[line-1].wanted()
	var old *call
	if v := headerValue(req, "Replaces"); v != "" {
		r, ok := parseReplaces(v)
		if ok {
			u.callsMu.Lock()
			old = u.dialogs[dialogKey(r.CallID, r.ToTag)]
			u.callsMu.Unlock()
		}
		if old == nil || old.remoteTagIs(r.FromTag) == false {
			u.respond(tx, sip.NewResponseFromRequest(req, 481, reasonPhrase(481), nil))
			return
		}
		line, acc = old.line, old.acc
	}
	if fwd := acc.Forward.Always; fwd != "" && old == nil {
		u.redirect(req, tx, acc, fwd)
		return
	}
	if u.opts.Media == nil {
		u.respond(tx, sip.NewResponseFromRequest(req, 503, reasonPhrase(503), nil))
		return
	}
	if err := sdpneg.CheckCrypto(req.Body(), srtpMode(acc)); errors.Is(err, sdpneg.ErrCrypto) {
		// The line's SRTP policy refuses the offer: no ringing.
		u.log.Info("offer refused by the line's SRTP policy", "line", line, "err", err)
		u.respond(tx, sip.NewResponseFromRequest(req, 488, reasonPhrase(488), nil))
		select { // keep the transaction for the caller's ACK, as redirect does
		case <-tx.Acks():
		case <-tx.Done():
		case <-time.After(time.Second):
		}
		return
	}
	c, err := u.newCall(line, Incoming, acc)
	if err != nil {
		u.respond(tx, sip.NewResponseFromRequest(req, 480, reasonPhrase(480), nil))
		return
	}
	defer c.forget()
	src, _ := netip.ParseAddrPort(req.Source())
	if err := c.setupClient(c.ctx, req.Transport(), src.Addr().String(), int(src.Port())); err != nil {
		u.respond(tx, sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
		c.end(500, err.Error())
		return
	}
	dua := &sipgo.DialogUA{Client: c.client, ContactHDR: c.contact}
	dlg, err := dua.ReadInvite(req, tx)
	if err != nil {
		u.respond(tx, sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
		c.end(400, err.Error())
		return
	}
	defer dlg.Close()
	if old == nil {
		if err := dlg.Respond(sip.StatusRinging, "Ringing", nil); err != nil {
			c.end(0, "cancelled")
			return
		}
	}

	from := req.From()
	c.mu.Lock()
	c.uas = dlg
	c.tx = tx
	if cs := req.CSeq(); cs != nil {
		c.inviteCSeq = cs.SeqNo
	}
	if pai := req.GetHeader("P-Asserted-Identity"); pai != nil {
		var name string
		var uri sip.Uri
		params := sip.NewParams()
		if _, err := sip.ParseAddressValue(pai.Value(), &uri, &params); err == nil {
			name = displayName(pai.Value())
			c.remoteParty(name, uri)
		}
	}
	if c.remote == "" && from != nil {
		c.remoteParty(from.DisplayName, from.Address)
	}
	c.autoAnswer = autoAnswerHint(req) && u.trust.fromServer(req)
	if name := u.opts.RecordHeader; name != "" && u.trust.fromServer(req) {
		if v, ok := parseRecordRequest(headerValue(req, name)); ok {
			c.recordReq = &v
		}
	}
	if old != nil {
		c.replaced = old.id
	}
	c.mu.Unlock()

	leg, err := u.opts.Media.NewLeg(c.id)
	if err != nil {
		c.log.Warn("no media", "err", err)
		c.refuse(dlg, 503, "")
		c.end(503, "503 "+reasonPhrase(503))
		return
	}
	c.mu.Lock()
	c.leg = leg
	c.mu.Unlock()
	if len(req.Body()) > 0 {
		// An offer the phone could never answer (no common codec, a
		// broken SDP) is refused now: the agent is not rung for a
		// call that would fail on answering.
		if _, _, err := sdpneg.Answer(req.Body(), c.newLocal(leg)); err != nil {
			c.log.Info("offer not acceptable: refused before ringing", "err", err)
			c.refuse(dlg, 488, "")
			return
		}
	}

	if old != nil {
		// An attended transfer towards us: the new call takes the old
		// one's place at once.
		old.stop("replaced")
		c.report(nil) // Ringing, for the phone to give it a slot
		c.answer(dlg, req)
		return
	}
	c.report(nil) // Ringing

	var noAnswer <-chan time.Time
	if acc.Forward.NoAnswer != "" && acc.Forward.NoAnswerTimeout > 0 {
		t := u.opts.Clock.NewTimer()
		t.Reset(acc.Forward.NoAnswerTimeout)
		defer t.Stop()
		noAnswer = t.C()
	}
	var d decision
	select {
	case d = <-c.decide:
	case <-noAnswer:
		d = decision{forward: acc.Forward.NoAnswer}
	case <-dlg.Context().Done():
		c.end(487, "cancelled")
		return
	case <-c.hangup:
		d = decision{code: 603}
	case <-c.ctx.Done():
		c.refuse(dlg, 480, "")
		c.end(480, "shutdown")
		return
	}
	switch {
	case d.answer:
		c.answer(dlg, req)
	case d.code == 486 && acc.Forward.Busy != "":
		c.refuse(dlg, 302, acc.Forward.Busy)
	case d.forward != "":
		c.refuse(dlg, 302, d.forward)
	default:
		c.refuse(dlg, d.code, "")
	}
}

// refuse sends a final non-2xx answer (302 with a Contact of forward)
// and reports the call ended.
func (c *call) refuse(dlg *sipgo.DialogServerSession, code int, forward string) {
	var hdrs []sip.Header
	reason := fmt.Sprintf("%d %s", code, reasonPhrase(code))
	if code == 302 {
		uri, err := targetURI(forward, c.acc, int(c.ua.lines[c.line-1].inUse.Load()))
		if err != nil {
			c.log.Warn("forward target", "err", err)
			code, reason = 480, "480 "+reasonPhrase(480)
		} else {
			hdrs = append(hdrs, &sip.ContactHeader{Address: uri})
			reason = "forwarded to " + forward
		}
	}
	c.end(code, reason)
	res := sip.NewResponseFromRequest(dlg.InviteRequest, code, reasonPhrase(code), nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := c.tx.Respond(res); err != nil {
		c.log.Debug("refuse", "code", code, "err", err)
		return
	}
	// Keep the transaction (and its retransmissions of the answer) until
	// the caller's ACK, but not past shutdown.
	select {
	case <-c.tx.Acks():
	case <-c.tx.Done():
	case <-c.ctx.Done():
	case <-time.After(ackTimeout):
	}
}

// redirect answers an INVITE with 302 to target without ringing
// (forward always).
func (u *UA) redirect(req *sip.Request, tx sip.ServerTransaction, acc provisioning.Account, target string) {
	uri, err := targetURI(target, acc, 0)
	if err != nil {
		u.log.Warn("forward always: bad target", "target", target, "err", err)
		u.respond(tx, sip.NewResponseFromRequest(req, 480, reasonPhrase(480), nil))
		return
	}
	res := sip.NewResponseFromRequest(req, 302, reasonPhrase(302), nil)
	res.AppendHeader(&sip.ContactHeader{Address: uri})
	u.respond(tx, res)
	u.log.Info("call forwarded (always)", "to", target)
	// Wait for the caller's ACK so the transaction ends cleanly.
	select {
	case <-tx.Acks():
	case <-tx.Done():
	case <-time.After(time.Second):
	}
}

// answer sends 200 with the SDP answer, waits for the ACK and runs the
// call.
func (c *call) answer(dlg *sipgo.DialogServerSession, req *sip.Request) {
	c.mu.Lock()
	leg := c.leg
	c.mu.Unlock()
	local := c.newLocal(leg)
	ans, sess, err := sdpneg.Answer(req.Body(), local)
	if err != nil {
		c.log.Info("offer not acceptable", "err", err)
		c.refuse(dlg, 488, "")
		return
	}
	held := false
	if r, err := sdpneg.Describe(req.Body()); err == nil {
		held = remoteHolds(r)
	}
	localTag, _ := dlg.InviteRequest.To().Params.Get("tag")
	remoteTag := ""
	if f := req.From(); f != nil {
		remoteTag, _ = f.Params.Get("tag")
	}
	target := req.Recipient
	if ct := req.Contact(); ct != nil {
		target = ct.Address
	}
	c.mu.Lock()
	c.local = local
	c.heldByRemote = held
	c.mu.Unlock()
	c.bind(dlg, string(*req.CallID()), localTag, remoteTag, target)
	c.startMedia(sess)
	if err := dlg.RespondSDP(ans); err != nil {
		if dlg.Context().Err() != nil {
			c.end(487, "cancelled")
			return
		}
		c.log.Warn("answer", "err", err)
	}
	c.report(func(c *call) { c.state = CallConnected })
	c.established(dlg)
}

// remoteHolds reports whether an SDP offer puts us on hold.
func remoteHolds(r sdpneg.Remote) bool {
	return r.Direction == sdpneg.SendOnly || r.Direction == sdpneg.Inactive || r.Addr.IsUnspecified()
}

func (c *call) remoteTagIs(tag string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remoteTag == tag
}

// displayName returns the quoted or bare display name of a name-addr.
func displayName(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i > 0 {
		return strings.Trim(strings.TrimSpace(v[:i]), `"`)
	}
	return ""
}
