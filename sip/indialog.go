package sip

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"

	"ccphone/media/sdpneg"
)

// Hold puts a connected call on hold (re-INVITE with a=sendonly) or
// resumes it (a=sendrecv), and updates the media leg with the answer.
// It returns at once; CallEvent Held or Connected follows the 200 OK.
// Safe for concurrent use.
func (u *UA) Hold(id CallID, hold bool) error {
	c, err := u.lookupCall(id)
	if err != nil {
		return err
	}
	if st := c.current(); st != CallConnected && st != CallHeld {
		return fmt.Errorf("%w: hold a %s call", ErrCallState, st)
	}
	return c.enqueue(func(ctx context.Context) { c.reinvite(ctx, hold) })
}

// SendDTMF sends one digit (0-9, *, #, A-D) on a connected call: as RFC
// 4733 telephone-events through the media leg when both sides agreed on
// them, else (or always, with Options.DTMFInfo or SetDTMFInfo) as SIP
// INFO application/dtmf-relay. Digits go out in the order given. Safe
// for concurrent use.
func (u *UA) SendDTMF(id CallID, digit byte) error {
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	if !validDigit(digit) {
		return fmt.Errorf("%w: %q", ErrDigit, digit)
	}
	c, err := u.lookupCall(id)
	if err != nil {
		return err
	}
	if st := c.current(); st != CallConnected && st != CallHeld {
		return fmt.Errorf("%w: DTMF on a %s call", ErrCallState, st)
	}
	return c.enqueue(func(ctx context.Context) { c.sendDTMF(ctx, digit) })
}

// SetDTMFInfo switches between RFC 4733 when negotiated (false) and SIP
// INFO always (true) for digits sent from now on. Safe for concurrent
// use.
func (u *UA) SetDTMFInfo(on bool) { u.dtmfInfo.Store(on) }

// Transfer sends a connected or held call to target (digits or a SIP
// URI): a blind transfer with REFER. TransferEvents report the REFER's
// failure or the far end's NOTIFY progress; on success (sipfrag 200)
// the UA hangs up the call. Safe for concurrent use.
func (u *UA) Transfer(id CallID, target string) error {
	c, err := u.lookupCall(id)
	if err != nil {
		return err
	}
	if st := c.current(); st != CallConnected && st != CallHeld {
		return fmt.Errorf("%w: transfer a %s call", ErrCallState, st)
	}
	uri, err := targetURI(target, c.acc, int(u.lines[c.line-1].inUse.Load()))
	if err != nil {
		return err
	}
	return c.enqueue(func(ctx context.Context) { c.refer(ctx, "<"+uri.String()+">") })
}

// TransferTo completes an attended transfer: call id (usually held)
// is sent to the far end of consult, the agent's consultation call,
// with a REFER whose Refer-To carries Replaces for the consultation's
// dialog. The far end of consult then gets an INVITE that replaces its
// call with us; TransferEvents report progress as for Transfer. Safe
// for concurrent use.
func (u *UA) TransferTo(id, consult CallID) error {
	c, err := u.lookupCall(id)
	if err != nil {
		return err
	}
	k, err := u.lookupCall(consult)
	if err != nil {
		return err
	}
	k.mu.Lock()
	target, r := k.target, replaces{CallID: k.callID, ToTag: k.remoteTag, FromTag: k.localTag}
	ok := k.dlg != nil && k.state != CallEnded
	k.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: consultation call %d is not connected", ErrCallState, consult)
	}
	if st := c.current(); st != CallConnected && st != CallHeld {
		return fmt.Errorf("%w: transfer a %s call", ErrCallState, st)
	}
	referTo := referToWithReplaces(target, r)
	return c.enqueue(func(ctx context.Context) { c.refer(ctx, referTo) })
}

func (c *call) current() CallState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// reinvite sends our re-INVITE for hold or resume.
func (c *call) reinvite(ctx context.Context, hold bool) {
	c.mu.Lock()
	if c.dlg == nil || c.reinviting {
		c.mu.Unlock()
		return
	}
	c.reinviting = true
	local := c.local
	local.SessionVersion++
	local.Direction = sdpneg.SendRecv
	if hold {
		local.Direction = sdpneg.SendOnly
	}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.reinviting = false
		c.mu.Unlock()
	}()
	offer, err := sdpneg.Offer(local)
	if err != nil {
		c.log.Warn("hold offer", "err", err)
		return
	}
	req := c.newRequest(sip.INVITE)
	req.AppendHeader(&c.contact)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)
	res, err := c.send(ctx, req)
	if err != nil {
		c.log.Warn("re-INVITE", "hold", hold, "err", err)
		return
	}
	if !res.IsSuccess() {
		c.log.Warn("re-INVITE refused", "hold", hold, "code", res.StatusCode, "reason", res.Reason)
		return
	}
	c.ackReinvite(req)
	s, err := sdpneg.ParseAnswer(res.Body(), local)
	if err != nil {
		c.log.Warn("re-INVITE answer", "err", err)
	}
	c.mu.Lock()
	c.local = local
	c.mu.Unlock()
	if err == nil {
		c.startMedia(s)
	}
	c.report(func(c *call) {
		if hold {
			c.state = CallHeld
		} else {
			c.state = CallConnected
		}
	})
}

// ackReinvite sends the ACK for the 2xx to our re-INVITE inv.
func (c *call) ackReinvite(inv *sip.Request) {
	c.mu.Lock()
	d := c.dlg
	c.mu.Unlock()
	ack := c.newRequest(sip.ACK)
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.ACK})
	ack.AppendHeader(&c.contact)
	if err := d.WriteRequest(ack); err != nil {
		c.log.Warn("ack re-INVITE", "err", err)
	}
}

// sendDTMF sends one digit, by RTP or INFO.
func (c *call) sendDTMF(ctx context.Context, d byte) {
	c.mu.Lock()
	leg, rtp := c.leg, c.sess.DTMF() && c.mediaOn
	c.mu.Unlock()
	if rtp && !c.ua.dtmfInfo.Load() && leg != nil {
		if err := leg.SendDTMF(d); err != nil {
			c.log.Warn("dtmf rtp", "err", err)
		}
		return
	}
	req := c.newRequest(sip.INFO)
	req.AppendHeader(&c.contact)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	req.SetBody(dtmfInfoBody(d))
	res, err := c.send(ctx, req)
	switch {
	case err != nil:
		c.log.Warn("dtmf info", "err", err)
	case !res.IsSuccess():
		c.log.Warn("dtmf info refused", "code", res.StatusCode, "reason", res.Reason)
	}
}

// refer sends REFER with referTo and reports its failure; the far end's
// NOTIFYs report the rest (onNotify).
func (c *call) refer(ctx context.Context, referTo string) {
	req := c.newRequest(sip.REFER)
	req.AppendHeader(&c.contact)
	req.AppendHeader(sip.NewHeader("Refer-To", referTo))
	aor := sip.Uri{Scheme: "sip", User: c.acc.UserName, Host: c.acc.Servers[0].Address}
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+aor.String()+">"))
	c.mu.Lock()
	c.referring = true
	c.mu.Unlock()
	res, err := c.send(ctx, req)
	switch {
	case err != nil:
		c.ua.emit(ctx, TransferEvent{ID: c.id, Code: 408, Reason: "no answer to REFER"})
	case !res.IsSuccess():
		c.ua.emit(ctx, TransferEvent{ID: c.id, Code: res.StatusCode, Reason: res.Reason})
	default:
		c.ua.emit(ctx, TransferEvent{ID: c.id, Code: res.StatusCode, Reason: res.Reason})
	}
}

// onAck routes ACKs: for the 2xx of an incoming call's INVITE to its
// dialog session (RespondSDP waits for it), for a 2xx to a re-INVITE to
// the handler retransmitting it.
func (u *UA) onAck(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		return
	}
	seq := req.CSeq().SeqNo
	c.mu.Lock()
	uas, first := c.uas, seq == c.inviteCSeq
	ch := c.ackWait[seq]
	delete(c.ackWait, seq)
	c.mu.Unlock()
	if ch != nil {
		close(ch)
		return
	}
	if uas != nil && first {
		if err := uas.ReadAck(req, tx); err != nil {
			c.log.Debug("ack", "err", err)
		}
	}
}

// onBye ends a call the far end hangs up.
func (u *UA) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		u.respond(tx, sip.NewResponseFromRequest(req, 481, reasonPhrase(481), nil))
		return
	}
	c.mu.Lock()
	d := c.dlg
	c.mu.Unlock()
	if err := d.ReadBye(req, tx); err != nil {
		c.log.Debug("bye", "err", err)
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	}
}

// ackTimeout is how long the answer to a re-INVITE is retransmitted
// without an ACK (64 × T1).
const ackTimeout = 32 * time.Second

// onReinvite answers a re-INVITE: hold or resume by the far end, or a
// new remote address. The answer keeps our own hold.
func (u *UA) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		u.respond(tx, sip.NewResponseFromRequest(req, 481, reasonPhrase(481), nil))
		return
	}
	c.mu.Lock()
	if c.reinviting {
		c.mu.Unlock()
		u.respond(tx, sip.NewResponseFromRequest(req, 491, reasonPhrase(491), nil))
		return
	}
	local := c.local
	local.SessionVersion++
	local.Direction = sdpneg.SendRecv
	if c.state == CallHeld {
		local.Direction = sdpneg.SendOnly
	}
	c.mu.Unlock()

	body := req.Body()
	var ans []byte
	var sess sdpneg.Session
	held := false
	var err error
	if len(body) == 0 {
		// No offer: ours goes in the 200, the answer in the ACK (which
		// we do not need to read to keep sending to the same place).
		ans, err = sdpneg.Offer(local)
	} else {
		ans, sess, err = sdpneg.Answer(body, local)
		if r, derr := sdpneg.Describe(body); derr == nil {
			held = remoteHolds(r)
		}
	}
	if err != nil {
		c.log.Info("re-INVITE not acceptable", "err", err)
		u.respond(tx, sip.NewResponseFromRequest(req, 488, reasonPhrase(488), nil))
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", ans)
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	res.AppendHeader(&c.contact)
	ack := make(chan struct{})
	seq := req.CSeq().SeqNo
	c.mu.Lock()
	if c.ackWait == nil {
		c.ackWait = map[uint32]chan struct{}{}
	}
	c.ackWait[seq] = ack
	c.local = local
	if ct := req.Contact(); ct != nil {
		c.target = ct.Address
	}
	c.mu.Unlock()
	if len(body) > 0 {
		c.startMedia(sess)
	}
	c.report(func(c *call) { c.heldByRemote = held })
	u.respond(tx, res)
	// RFC 6026: the UA core retransmits its 2xx until the ACK.
	wait := sip.T1
	deadline := time.After(ackTimeout)
	for {
		select {
		case <-ack:
			return
		case <-time.After(wait):
			u.respond(tx, res)
			wait = min(2*wait, sip.T2)
		case <-deadline:
			c.mu.Lock()
			delete(c.ackWait, seq)
			c.mu.Unlock()
			return
		case <-c.ctx.Done():
			return
		}
	}
}

// onInfo takes INFO in a dialog: DTMF (application/dtmf-relay,
// application/dtmf) becomes a DTMFEvent, Record: on/off a RecordEvent.
func (u *UA) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		u.respond(tx, sip.NewResponseFromRequest(req, 481, reasonPhrase(481), nil))
		return
	}
	var events []Event
	if on, ok := recordHeader(req); ok {
		events = append(events, RecordEvent{ID: c.id, On: on})
	}
	ct := headerValue(req, "Content-Type")
	if d, ok := parseDTMFInfo(ct, req.Body()); ok {
		events = append(events, DTMFEvent{ID: c.id, Digit: d})
	} else if len(req.Body()) > 0 && len(events) == 0 {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusUnsupportedMediaType, "Unsupported Media Type", nil))
		return
	}
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	for _, ev := range events {
		u.emit(c.ctx, ev)
	}
}

// onRefer takes a REFER from the far end of a call (we are being
// transferred): 202, then a new call on the same line to the Refer-To
// target (with Referred-By, and Replaces when given), NOTIFYs with its
// progress, and BYE to the original call once the new one is answered.
func (u *UA) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		u.respond(tx, sip.NewResponseFromRequest(req, 481, reasonPhrase(481), nil))
		return
	}
	uri, rep, err := parseReferTo(headerValue(req, "Refer-To"))
	if err != nil {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Refer-To", nil))
		return
	}
	if st := c.current(); st != CallConnected && st != CallHeld {
		u.respond(tx, sip.NewResponseFromRequest(req, 491, reasonPhrase(491), nil))
		return
	}
	u.respond(tx, sip.NewResponseFromRequest(req, 202, "Accepted", nil))
	var extra []sip.Header
	if by := headerValue(req, "Referred-By"); by != "" {
		extra = append(extra, sip.NewHeader("Referred-By", by))
	}
	if rep != nil {
		extra = append(extra, sip.NewHeader("Replaces", rep.String()))
	}
	c.log.Info("being transferred", "to", uri.String())
	if err := c.enqueue(func(ctx context.Context) { c.transferee(ctx, uri, extra) }); err != nil {
		c.log.Warn("transfer", "err", err)
	}
}

// transferee places the call a REFER asked for and keeps the
// transferor informed.
func (c *call) transferee(ctx context.Context, uri sip.Uri, extra []sip.Header) {
	c.notifyRefer(ctx, 100, "Trying")
	done := false
	progress := func(code int, reason string) {
		if done {
			return
		}
		if code >= 200 {
			done = true
		}
		c.notifyRefer(context.WithoutCancel(ctx), code, reason)
		if code >= 200 && code < 300 {
			c.stop("transferred")
		}
	}
	if _, err := c.ua.dial(c.line, uri.String(), extra, progress); err != nil {
		c.log.Warn("transfer call", "err", err)
		progress(503, "Service Unavailable")
	}
}

// notifyRefer sends the NOTIFY of the implicit refer subscription.
func (c *call) notifyRefer(ctx context.Context, code int, reason string) {
	req := c.newRequest(sip.NOTIFY)
	req.AppendHeader(&c.contact)
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if code >= 200 {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody(sipfrag(code, reason))
	res, err := c.send(ctx, req)
	if err != nil {
		c.log.Debug("notify refer", "err", err)
		return
	}
	if !res.IsSuccess() {
		c.log.Debug("notify refer refused", "code", res.StatusCode)
	}
}

// onReferNotify takes the NOTIFYs of a transfer we asked for.
func (u *UA) onReferNotify(c *call, req *sip.Request, tx sip.ServerTransaction) {
	code, reason, ok := parseSipfrag(req.Body())
	if ok && code >= 200 && code < 300 {
		// Before the 200: the transferee's BYE may follow it at once.
		c.stop("transferred")
	}
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	if ok {
		u.emit(c.ctx, TransferEvent{ID: c.id, Code: code, Reason: reason})
	}
}
