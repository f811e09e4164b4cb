package sip

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// statusIntervalTooBrief is 423: the registrar wants a longer expiry,
// given in Min-Expires.
const statusIntervalTooBrief = 423

// register sends REGISTER for the line's account to server s asking for
// lifetime expires (0 removes the binding), answers a digest challenge,
// and waits at most Options.RegisterTimeout for the final answer.
func (l *line) register(ctx context.Context, s int, expires time.Duration) result {
	ctx, cancel := context.WithTimeout(ctx, l.ua.opts.RegisterTimeout)
	defer cancel()
	res, err := l.transact(ctx, s, expires)
	if err == nil && res.StatusCode == statusIntervalTooBrief {
		if minimum, ok := headerSeconds(res, "Min-Expires"); ok && minimum > expires {
			res, err = l.transact(ctx, s, minimum)
			expires = minimum
		}
	}
	r := result{server: s}
	if err != nil {
		r.reason = "no answer"
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			r.reason = "unreachable: " + err.Error()
		}
		r.err = fmt.Errorf("register %s at %s: %w: %w", l.acc.UserName, l.serverAddr(s), ErrNoAnswer, err)
		return r
	}
	r.code, r.reason = res.StatusCode, res.Reason
	if src, err := netip.ParseAddrPort(res.Source()); err == nil {
		r.source = src.Addr()
	}
	if !res.IsSuccess() {
		r.err = fmt.Errorf("register %s at %s: %w: %d %s", l.acc.UserName, l.serverAddr(s), ErrRefused, res.StatusCode, res.Reason)
		return r
	}
	r.expires = grantedExpires(res, l.binds[s].contact, expires)
	return r
}

// unregister removes the line's binding at server s (Expires: 0).
func (l *line) unregister(ctx context.Context, s int) {
	r := l.register(ctx, s, 0)
	l.binds[s].registered = false
	if r.ok() {
		l.log.Info("unregistered", "server", l.serverAddr(s))
		return
	}
	l.log.Warn("unregister failed", "server", l.serverAddr(s), "code", r.code, "reason", r.reason)
}

// transact runs one REGISTER transaction, and its digest-authenticated
// repetition when challenged.
func (l *line) transact(ctx context.Context, s int, expires time.Duration) (*sip.Response, error) {
	u := l.ua
	acc := l.acc
	b := &l.binds[s]
	if b.callID == "" {
		b.callID = randomID()
	}
	ep, err := l.endpoint(ctx, s)
	if err != nil {
		return nil, err
	}
	b.contact = ep.contact.String()

	aor := l.aor(s)
	req := sip.NewRequest(sip.REGISTER, ep.recipient)
	from := &sip.FromHeader{DisplayName: acc.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	to := &sip.ToHeader{DisplayName: acc.DisplayName, Address: aor, Params: sip.NewParams()}
	callID := sip.CallIDHeader(b.callID)
	b.cseq++
	cseq := &sip.CSeqHeader{SeqNo: b.cseq, MethodName: sip.REGISTER}
	exp := sip.ExpiresHeader(uint32(expires / time.Second))
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(cseq)
	req.AppendHeader(&sip.ContactHeader{Address: ep.contact})
	req.AppendHeader(&exp)
	req.AppendHeader(sip.NewHeader("User-Agent", u.opts.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	ep.prepare(req, "")
	client := ep.client
	res, err := client.Do(ctx, req)
	if err == nil && (res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired) {
		res, err = client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{
			Username: acc.DigestName(),
			Password: acc.Password.Reveal(),
		})
	}
	if h := req.CSeq(); h != nil {
		b.cseq = h.SeqNo
	}
	return res, err
}

// ping sends OPTIONS to server s the way REGISTER goes, and waits up to
// RegisterTimeout for any final answer.
func (l *line) ping(ctx context.Context, s int) error {
	ctx, cancel := context.WithTimeout(ctx, l.ua.opts.RegisterTimeout)
	defer cancel()
	ep, err := l.endpoint(ctx, s)
	if err != nil {
		return err
	}
	aor := l.aor(s)
	req := sip.NewRequest(sip.OPTIONS, ep.recipient)
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	callID := sip.CallIDHeader(randomID())
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: ep.recipient})
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.OPTIONS})
	req.AppendHeader(&sip.ContactHeader{Address: ep.contact})
	req.AppendHeader(sip.NewHeader("User-Agent", l.ua.opts.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	ep.prepare(req, "")
	_, err = ep.client.Do(ctx, req)
	return err
}

// endpoint is how the line reaches one of its servers: the transport,
// the server's URI, the Contact to give it, and a sipgo client that
// sends from the listening socket.
type endpoint struct {
	transport string // UDP, TCP or TLS
	recipient sip.Uri
	contact   sip.Uri
	proxy     string // the account's outbound proxy, or ""
	laddr     netip.AddrPort
	client    *sipgo.Client
}

// endpoint prepares the line's way to server s.
func (l *line) endpoint(ctx context.Context, s int) (endpoint, error) {
	u := l.ua
	acc := l.acc
	srv := acc.Servers[s]
	ep := endpoint{transport: strings.ToUpper(srv.Transport), proxy: acc.OutboundProxy, laddr: u.laddr}
	if ep.transport == "" {
		ep.transport = "UDP"
	}
	contactHost, err := u.contactHost(ctx, srv.Address, srv.Port, acc.OutboundProxy)
	if err != nil {
		return ep, err
	}
	contactPort := int(u.laddr.Port())
	if ep.transport == "TLS" && u.tlsAP.IsValid() {
		contactPort = int(u.tlsAP.Port())
	}
	ep.recipient = sip.Uri{Scheme: "sip", Host: srv.Address, Port: srv.Port}
	ep.contact = sip.Uri{Scheme: "sip", User: acc.UserName, Host: contactHost, Port: contactPort}
	if ep.transport != "UDP" {
		ep.recipient.UriParams = sip.NewParams()
		ep.recipient.UriParams.Add("transport", strings.ToLower(ep.transport))
		ep.contact.UriParams = sip.NewParams()
		ep.contact.UriParams.Add("transport", strings.ToLower(ep.transport))
	}
	ep.client, err = sipgo.NewClient(u.sua,
		sipgo.WithClientHostname(contactHost),
		sipgo.WithClientPort(contactPort),
		sipgo.WithClientNAT(),
		sipgo.WithClientLogger(u.sipgoLog),
	)
	return ep, err
}

// prepare sets req's transport and next hop (the outbound proxy, else
// dest when not empty), and sends UDP from the listening socket, so the
// server sees the Contact's port as the source (NAT bindings, symmetric
// SIP).
func (ep endpoint) prepare(req *sip.Request, dest string) {
	req.SetTransport(ep.transport)
	switch {
	case ep.proxy != "":
		req.SetDestination(hostPort(ep.proxy, 5060))
	case dest != "":
		req.SetDestination(dest)
	}
	if ep.transport == "UDP" {
		req.Laddr = sip.Addr{IP: net.IP(ep.laddr.Addr().AsSlice()), Port: int(ep.laddr.Port())}
	}
}

// aor is the line's address of record at server s.
func (l *line) aor(s int) sip.Uri {
	return sip.Uri{Scheme: "sip", User: l.acc.UserName, Host: l.acc.Servers[s].Address}
}

// contactHost is the address the registrar should reach the phone at:
// the listening address, or when listening on every interface, the
// local address of the route towards the registrar (or the outbound
// proxy). Finding the route sends nothing.
func (u *UA) contactHost(ctx context.Context, host string, port int, proxy string) (string, error) {
	if a := u.laddr.Addr(); !a.IsUnspecified() {
		return a.String(), nil
	}
	target := hostPort(host, port)
	if proxy != "" {
		target = hostPort(proxy, 5060)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", target)
	if err != nil {
		return "", fmt.Errorf("route to %s: %w", target, err)
	}
	defer c.Close()
	ap, err := netip.ParseAddrPort(c.LocalAddr().String())
	if err != nil {
		return "", err
	}
	return ap.Addr().Unmap().String(), nil
}

// grantedExpires reads the lifetime a 2xx granted: the expires parameter
// of our Contact, else the Expires header, else what was asked.
func grantedExpires(res *sip.Response, contact string, asked time.Duration) time.Duration {
	var ours sip.Uri
	haveOurs := sip.ParseUri(contact, &ours) == nil
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || !haveOurs || !sameContact(c.Address, ours) {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32); err == nil {
				return time.Duration(n) * time.Second
			}
		}
	}
	if d, ok := headerSeconds(res, "Expires"); ok {
		return d
	}
	return asked
}

// sameContact compares the parts of two Contact URIs a registrar keeps.
func sameContact(a, b sip.Uri) bool {
	return a.User == b.User && strings.EqualFold(a.Host, b.Host) && a.Port == b.Port
}

// headerSeconds reads a header holding a number of seconds.
func headerSeconds(res *sip.Response, name string) (time.Duration, bool) {
	h := res.GetHeader(name)
	if h == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32)
	if err != nil {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// randomID returns a fresh Call-ID.
func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
