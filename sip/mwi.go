package sip

import (
	"context"

	"github.com/emiago/sipgo/sip"
)

// onMWINotify takes a NOTIFY with Event: message-summary: from a
// configured server only (subscribed or not, as many PBXes send them
// unsolicited), for the line its Request-URI or To names.
func (u *UA) onMWINotify(req *sip.Request, tx sip.ServerTransaction) {
	if !u.trust.fromServer(req) {
		u.log.Warn("message-summary refused: not from a configured server", "src", req.Source())
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
		return
	}
	waiting, n, o, ok := parseMessageSummary(req.Body())
	if !ok {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad message-summary", nil))
		return
	}
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	ctx, cancel := context.WithTimeout(context.Background(), notifyEmitTimeout)
	defer cancel()
	u.emit(ctx, MWIEvent{Line: u.lineFor(req), Waiting: waiting, New: n, Old: o})
}
