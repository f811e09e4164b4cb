package sip

import (
	"context"

	"github.com/emiago/sipgo/sip"
)

// onMWINotify takes a NOTIFY with Event: message-summary: inside one of
// the lines' subscriptions, or unsolicited from a configured server only
// (as many PBXes send them), for the line its Request-URI or To names.
// Subscription-State: terminated makes the line subscribe again.
func (u *UA) onMWINotify(req *sip.Request, tx sip.ServerTransaction) {
	line := u.subscriptionLine(req)
	if line == 0 && !u.trust.fromServer(req) {
		u.log.Warn("message-summary refused: not from a configured server", "src", req.Source())
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
		return
	}
	waiting, n, o, ok := parseMessageSummary(req.Body())
	if !ok && (line == 0 || len(req.Body()) > 0) {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad message-summary", nil))
		return
	}
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	if line != 0 && subscriptionTerminated(req) {
		u.lines[line-1].subscriptionEnded(string(*req.CallID()))
	}
	if !ok {
		return // a subscription's NOTIFY without a body: nothing known yet
	}
	if line == 0 {
		line = u.lineFor(req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), notifyEmitTimeout)
	defer cancel()
	u.emit(ctx, MWIEvent{Line: line, Waiting: waiting, New: n, Old: o})
}
