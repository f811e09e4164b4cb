package sip

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"ccphone/media/sdpneg"
	"ccphone/provisioning"
)

// opQueue is how many operations (hold, DTMF, transfer) may wait for a
// call's goroutine; more are refused with ErrCallState.
const opQueue = 32

// dialog is what a call needs of sipgo's client or server dialog
// session: both kinds send in-dialog requests the same way.
type dialog interface {
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	WriteRequest(req *sip.Request) error
	WriteBye(ctx context.Context, bye *sip.Request) error
	ReadBye(req *sip.Request, tx sip.ServerTransaction) error
	Context() context.Context
}

var (
	_ dialog = (*sipgo.DialogClientSession)(nil)
	_ dialog = (*sipgo.DialogServerSession)(nil)
)

// call is one call. Its goroutine (the outgoing dial loop, or the
// INVITE handler of an incoming call) owns the dialog's life: it answers
// or cancels, runs queued operations and sends BYE. Request handlers on
// sipgo's goroutines take in-dialog requests (BYE, re-INVITE, INFO,
// REFER, NOTIFY) and touch the fields below mu only under it.
type call struct {
	ua   *UA
	id   CallID
	line int
	dir  Direction
	acc  provisioning.Account // the line's account when the call began
	log  *slog.Logger

	ctx      context.Context // ends at UA shutdown
	hangup   chan struct{}   // closed by stop
	stopOnce sync.Once
	decide   chan decision                  // incoming: Answer, Reject, Forward
	ops      chan func(ctx context.Context) // run by the call's goroutine in order

	client  *sipgo.Client
	contact sip.ContactHeader
	laddr   sip.Addr // the UDP listener, to send from; zero for TCP/TLS

	emitMu sync.Mutex // orders the call's events

	mu           sync.Mutex
	state        CallState
	ended        bool
	stopReason   string
	remote       string
	remoteName   string
	remoteNumber string
	heldByRemote bool
	autoAnswer   bool
	recordReq    *bool // CallEvent.RecordRequested, for Ringing
	replaced     CallID
	cancelInvite context.CancelFunc // outgoing, before the answer
	dlg          dialog
	key          string  // the dialog's key in UA.dialogs
	target       sip.Uri // the far end's Contact: Request-URI of our requests
	proxy        string  // next hop of in-dialog requests without a route set
	leg          MediaLeg
	local        sdpneg.Local
	sess         sdpneg.Session
	mediaOn      bool
	reinviting   bool                          // our re-INVITE is under way (glare: 491)
	ackWait      map[uint32]chan struct{}      // ACKs awaited for 2xx to re-INVITEs, by CSeq
	inviteCSeq   uint32                        // CSeq of the dialog's first INVITE (incoming)
	referring    bool                          // we sent a REFER and await its NOTIFYs
	onProgress   func(code int, reason string) // being transferred: NOTIFY the transferor
	uas          *sipgo.DialogServerSession    // incoming: for ACK routing
	tx           sip.ServerTransaction         // incoming: the INVITE's transaction
	callID       string
	localTag     string
	remoteTag    string
}

// decision is the phone's answer to a ringing incoming call.
type decision struct {
	answer  bool
	code    int    // reject code
	forward string // 302 to this target
}

// newCall registers a call on line and counts it among the calls Run
// waits for. It fails when Run is not serving.
func (u *UA) newCall(line int, dir Direction, acc provisioning.Account) (*call, error) {
	u.callsMu.Lock()
	defer u.callsMu.Unlock()
	if u.runCtx == nil || u.stopping {
		return nil, ErrNotRunning
	}
	u.lastID++
	c := &call{
		ua: u, id: u.lastID, line: line, dir: dir, acc: acc,
		ctx:    u.runCtx,
		hangup: make(chan struct{}),
		decide: make(chan decision, 1),
		ops:    make(chan func(context.Context), opQueue),
	}
	c.log = u.log.With("call", uint64(c.id), "line", line, "dir", dir.String())
	if dir == Outgoing {
		c.state = CallDialing
	} else {
		c.state = CallRinging
	}
	u.calls[c.id] = c
	u.callWG.Add(1)
	return c, nil
}

// forget removes an ended call from the registries and releases its
// media; the call's goroutine calls it last.
func (c *call) forget() {
	u := c.ua
	c.mu.Lock()
	key, leg := c.key, c.leg
	c.leg = nil
	c.mu.Unlock()
	u.callsMu.Lock()
	delete(u.calls, c.id)
	if key != "" && u.dialogs[key] == c {
		delete(u.dialogs, key)
	}
	u.callsMu.Unlock()
	if leg != nil {
		if err := leg.Close(); err != nil {
			c.log.Warn("close media", "err", err)
		}
	}
	u.callWG.Done()
}

// bind files the established dialog under its key so that in-dialog
// requests find the call.
func (c *call) bind(d dialog, callID, localTag, remoteTag string, target sip.Uri) {
	key := dialogKey(callID, localTag)
	c.mu.Lock()
	c.dlg, c.key, c.target = d, key, target
	c.callID, c.localTag, c.remoteTag = callID, localTag, remoteTag
	c.mu.Unlock()
	c.ua.callsMu.Lock()
	c.ua.dialogs[key] = c
	c.ua.callsMu.Unlock()
}

// dialogKey identifies a dialog by Call-ID and our own tag.
func dialogKey(callID, localTag string) string { return callID + "\x00" + localTag }

// lookupCall returns the call with id.
func (u *UA) lookupCall(id CallID) (*call, error) {
	u.callsMu.Lock()
	defer u.callsMu.Unlock()
	c, ok := u.calls[id]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrNoCall, id)
	}
	return c, nil
}

// callFor returns the call whose dialog an incoming in-dialog request
// belongs to (our tag is the To tag), or nil.
func (u *UA) callFor(req *sip.Request) *call {
	cid := req.CallID()
	to := req.To()
	if cid == nil || to == nil {
		return nil
	}
	tag, _ := to.Params.Get("tag")
	u.callsMu.Lock()
	defer u.callsMu.Unlock()
	return u.dialogs[dialogKey(string(*cid), tag)]
}

// report applies change to the call's fields and sends the resulting
// CallEvent, unless the call already reported its end.
func (c *call) report(change func(c *call)) {
	c.emitMu.Lock()
	defer c.emitMu.Unlock()
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	if change != nil {
		change(c)
	}
	ev := c.eventLocked()
	if ev.State == CallEnded {
		c.ended = true
	}
	c.mu.Unlock()
	c.log.Info("call", "state", ev.State.String(), "remote", ev.Remote, "reason", ev.Reason, "held_by_remote", ev.HeldByRemote)
	c.ua.emit(c.ctx, ev)
}

func (c *call) eventLocked() CallEvent {
	ev := CallEvent{
		ID: c.id, Line: c.line, State: c.state, Direction: c.dir,
		Remote: c.remote, RemoteName: c.remoteName, RemoteNumber: c.remoteNumber,
		HeldByRemote: c.heldByRemote, AutoAnswer: c.autoAnswer, Replaces: c.replaced,
	}
	if c.state == CallRinging {
		ev.RecordRequested = c.recordReq
	}
	return ev
}

// end reports the call ended with code and reason.
func (c *call) end(code int, reason string) {
	c.emitMu.Lock()
	defer c.emitMu.Unlock()
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	c.state = CallEnded
	ev := c.eventLocked()
	ev.Code, ev.Reason = code, reason
	c.mu.Unlock()
	c.log.Info("call ended", "code", code, "reason", reason)
	c.ua.emit(c.ctx, ev)
}

// stop asks the call's goroutine to end the call (CANCEL, BYE or a
// rejection, as the state needs) with reason.
func (c *call) stop(reason string) {
	c.stopOnce.Do(func() {
		c.mu.Lock()
		c.stopReason = reason
		cancel := c.cancelInvite
		c.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		close(c.hangup)
	})
}

func (c *call) reasonOr(def string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopReason != "" {
		return c.stopReason
	}
	return def
}

// enqueue hands op to the call's goroutine without waiting.
func (c *call) enqueue(op func(ctx context.Context)) error {
	select {
	case c.ops <- op:
		return nil
	default:
		return fmt.Errorf("%w: call %d has too many operations pending", ErrCallState, c.id)
	}
}

// established runs the call's life after the dialog is up: queued
// operations, until either side hangs up or the UA shuts down. Then it
// sends BYE if the far end did not.
func (c *call) established(d dialog) {
	for {
		select {
		case <-d.Context().Done():
			c.end(0, c.reasonOr("remote hangup"))
			return
		case op := <-c.ops:
			op(c.ctx)
		case <-c.hangup:
			c.bye(d)
			c.end(0, c.reasonOr("hangup"))
			return
		case <-c.ctx.Done():
			c.bye(d)
			c.end(0, "shutdown")
			return
		}
	}
}

// requestTimeout bounds an in-dialog request made by the call itself
// (BYE, re-INVITE, REFER, INFO, NOTIFY): less than SIP's 32 s, so a dead
// far end does not hold up the agent.
const requestTimeout = 8 * time.Second

// bye sends BYE in the dialog.
func (c *call) bye(d dialog) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), c.ua.opts.UnregisterTimeout+requestTimeout/4)
	defer cancel()
	req := c.newRequest(sip.BYE)
	if err := d.WriteBye(ctx, req); err != nil {
		c.log.Warn("bye", "err", err)
	}
}

// newRequest builds an in-dialog request to the far end's target, sent
// from the listener (UDP) and through the outbound proxy when the dialog
// has no route set.
func (c *call) newRequest(method sip.RequestMethod) *sip.Request {
	c.mu.Lock()
	target, proxy := c.target, c.proxy
	c.mu.Unlock()
	req := sip.NewRequest(method, *target.Clone())
	if c.laddr.IP != nil {
		req.Laddr = c.laddr
	}
	if proxy != "" {
		req.SetDestination(proxy)
	}
	req.AppendHeader(sip.NewHeader("User-Agent", c.ua.opts.UserAgent))
	return req
}

// send makes an in-dialog request and waits for its final response.
func (c *call) send(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	c.mu.Lock()
	d := c.dlg
	c.mu.Unlock()
	if d == nil {
		return nil, fmt.Errorf("%w: call %d has no dialog", ErrCallState, c.id)
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	return d.Do(ctx, req)
}

// setupClient prepares the sipgo client and our Contact for a call on
// the line, towards host (the registrar, proxy or far end).
func (c *call) setupClient(ctx context.Context, transport, host string, port int) error {
	u := c.ua
	contactHost, err := u.contactHost(ctx, host, port, c.acc.OutboundProxy)
	if err != nil {
		return err
	}
	contactPort := int(u.laddr.Port())
	transport = strings.ToUpper(transport)
	if transport == "TLS" && u.tlsAP.IsValid() {
		contactPort = int(u.tlsAP.Port())
	}
	user := c.acc.UserName
	if user == "" {
		user = "ccphone"
	}
	c.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: contactHost, Port: contactPort}}
	if transport != "" && transport != "UDP" {
		c.contact.Address.UriParams = sip.NewParams()
		c.contact.Address.UriParams.Add("transport", strings.ToLower(transport))
	} else {
		c.laddr = sip.Addr{IP: net.IP(u.laddr.Addr().AsSlice()), Port: int(u.laddr.Port())}
	}
	c.client, err = sipgo.NewClient(u.sua,
		sipgo.WithClientHostname(contactHost),
		sipgo.WithClientPort(contactPort),
		sipgo.WithClientNAT(),
		sipgo.WithClientLogger(u.sipgoLog),
	)
	return err
}

// newLocal asks the leg for its description and fills in the session
// fields the SIP layer keeps: among them the line's SRTP policy and the
// call's own SRTP master key.
func (c *call) newLocal(leg MediaLeg) sdpneg.Local {
	l := leg.Local()
	l.SessionID = rand.Uint64() >> 2
	l.SessionVersion = 1
	l.Direction = sdpneg.SendRecv
	l.SRTP = srtpMode(c.acc)
	if l.SRTP != sdpneg.SRTPOff {
		l.SRTPKey = sdpneg.NewMasterKey()
	}
	if l.Username == "" {
		l.Username = "ccphone"
	}
	return l
}

// srtpMode returns the account's SRTP policy (account.N.srtp, validated
// by provisioning; anything else counts as off).
func srtpMode(acc provisioning.Account) sdpneg.SRTPMode {
	m, _ := sdpneg.ParseSRTPMode(acc.SRTP)
	return m
}

// startMedia starts the leg with s, or updates it when already started.
func (c *call) startMedia(s sdpneg.Session) {
	c.mu.Lock()
	leg, on := c.leg, c.mediaOn
	c.sess, c.mediaOn = s, true
	c.mu.Unlock()
	if leg == nil {
		return
	}
	var err error
	if on {
		err = leg.Update(s)
	} else {
		err = leg.Start(s)
	}
	if err != nil {
		c.log.Warn("media", "err", err)
	}
}

// remoteParty fills the remote fields from a name-addr header.
func (c *call) remoteParty(name string, uri sip.Uri) {
	u := uri.Clone()
	u.UriParams = nil
	u.Headers = nil
	c.remote = u.String()
	c.remoteName = strings.Trim(name, `" `)
	c.remoteNumber = uri.User
}
