package sip

import (
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// allowed lists the methods the UA answers, for the Allow header.
const allowed = "OPTIONS"

// routes installs the request handlers. Every handler goes through guard,
// so the trust policy sees every request first. Calls (INVITE, ACK, BYE,
// CANCEL, REFER...) add their handlers here.
func (u *UA) routes() {
	u.srv.OnOptions(u.guard(u.onOptions))
	u.srv.OnAck(u.guard(func(*sip.Request, sip.ServerTransaction) {}))
	u.srv.OnNoRoute(u.guard(u.onUnknown))
}

// guard drops requests the trust policy does not admit, silently.
func (u *UA) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
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
