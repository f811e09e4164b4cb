package sip

import (
	"context"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// allowed lists the methods the UA answers, for the Allow header.
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY"

// routes installs the request handlers. Every handler goes through guard,
// so the trust policy sees every request first. Calls (INVITE, ACK, BYE,
// CANCEL, REFER...) add their handlers here.
func (u *UA) routes() {
	u.srv.OnOptions(u.guard(u.onOptions))
	u.srv.OnNotify(u.guard(u.onNotify))
	u.srv.OnInvite(u.guard(u.onInvite))
	u.srv.OnAck(u.guard(u.onAck))
	u.srv.OnBye(u.guard(u.onBye))
	u.srv.OnInfo(u.guard(u.onInfo))
	u.srv.OnRefer(u.guard(u.onRefer))
	u.srv.OnNoRoute(u.guard(u.onUnknown))
}

// guard drops requests the trust policy does not admit, silently. Run
// waits for the handlers it lets through before it closes Events.
func (u *UA) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		u.handlers.Add(1)
		defer u.handlers.Done()
		if !u.trust.admit(req) {
			u.log.Debug("dropped request from untrusted source", "method", string(req.Method), "src", req.Source())
			return
		}
		h(req, tx)
	}
}

// onOptions answers keep-alive and capability queries from registrars.
func (u *UA) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	u.respond(tx, res)
}

// notifyEmitTimeout bounds how long a NOTIFY handler waits for room in
// the event channel.
const notifyEmitTimeout = time.Second

// onNotify takes unsolicited NOTIFYs: Event: check-sync (the provisioning
// server's "fetch your configuration now", as Yealink and Polycom phones
// take it) is accepted only from a configured server, whatever the trust
// policy, since it makes the phone change its configuration. Any other
// event is refused with 489 Bad Event.
func (u *UA) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	event := eventPackage(req)
	if event == "refer" {
		if c := u.callFor(req); c != nil {
			u.onReferNotify(c, req, tx)
			return
		}
		u.respond(tx, sip.NewResponseFromRequest(req, 481, reasonPhrase(481), nil))
		return
	}
	if event == "message-summary" {
		u.onMWINotify(req, tx)
		return
	}
	switch {
	case event != "check-sync":
		u.respond(tx, sip.NewResponseFromRequest(req, 489, "Bad Event", nil))
	case !u.trust.fromServer(req):
		u.log.Warn("check-sync refused: not from a configured server", "src", req.Source())
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
	default:
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
		u.log.Info("check-sync", "src", req.Source())
		ctx, cancel := context.WithTimeout(context.Background(), notifyEmitTimeout)
		defer cancel()
		u.emit(ctx, CheckSyncEvent{Source: req.Source()})
	}
}

// onUnknown refuses methods the UA does not handle (yet).
func (u *UA) onUnknown(req *sip.Request, tx sip.ServerTransaction) {
	if req.IsAck() {
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	u.respond(tx, res)
}

func (u *UA) respond(tx sip.ServerTransaction, res *sip.Response) {
	if tx == nil {
		return
	}
	if err := tx.Respond(res); err != nil {
		u.log.Warn("respond", "status", res.StatusCode, "err", err)
	}
}
