package sip

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
)

// TrustPolicy says which incoming SIP requests may reach the phone
// (settings sip.trusted_servers_only and sip.allow_ip_calls).
type TrustPolicy struct {
	// TrustedServersOnly admits requests only from the hosts of the
	// configured registrars and outbound proxies (any port), so SIP
	// scanners cannot ring agents' phones. Requests from anyone else are
	// dropped silently: no response tells a scanner that a phone is here,
	// and a real server never sends them.
	TrustedServersOnly bool
	// AllowIPCalls also admits, from anyone, what a direct (peer to peer)
	// call needs: INVITE, ACK, CANCEL and requests inside a dialog (a To
	// tag). Other requests from strangers (OPTIONS, MESSAGE, NOTIFY...)
	// stay dropped.
	AllowIPCalls bool
}

// Admit reports whether a request with this method from src may reach the
// phone under policy p, when servers are the trusted hosts. inDialog
// tells that the request carries a To tag. Admit is a pure function.
func Admit(p TrustPolicy, servers []netip.Addr, src netip.Addr, method string, inDialog bool) bool {
	if !p.TrustedServersOnly {
		return true
	}
	if slices.Contains(servers, src.Unmap()) {
		return true
	}
	if p.AllowIPCalls {
		switch sip.RequestMethod(method) {
		case sip.INVITE, sip.ACK, sip.CANCEL:
			return true
		}
		return inDialog
	}
	return false
}

// trust is the UA's current policy and trusted hosts, per line. Readers
// (the transport's goroutines) load a snapshot; writers (the lines and
// SetTrustPolicy) replace it under mu.
type trust struct {
	mu      sync.Mutex
	policy  TrustPolicy
	byLine  [Lines][]netip.Addr
	current atomic.Pointer[trustSnapshot]
}

type trustSnapshot struct {
	policy  TrustPolicy
	servers []netip.Addr
}

func (t *trust) setPolicy(p TrustPolicy) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.policy = p
	t.publish()
}

// setLine replaces line n's trusted hosts.
func (t *trust) setLine(n int, addrs []netip.Addr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byLine[n-1] = addrs
	t.publish()
}

// addLine adds one host to line n's trusted hosts (the address a
// registrar actually answered from).
func (t *trust) addLine(n int, a netip.Addr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a = a.Unmap()
	if slices.Contains(t.byLine[n-1], a) {
		return
	}
	t.byLine[n-1] = append(slices.Clip(t.byLine[n-1]), a)
	t.publish()
}

// publish builds a new snapshot; t.mu must be held.
func (t *trust) publish() {
	var all []netip.Addr
	for _, addrs := range t.byLine {
		for _, a := range addrs {
			if !slices.Contains(all, a) {
				all = append(all, a)
			}
		}
	}
	t.current.Store(&trustSnapshot{policy: t.policy, servers: all})
}

// admit applies the current policy to an incoming request.
func (t *trust) admit(req *sip.Request) bool {
	snap := t.current.Load()
	if snap == nil || !snap.policy.TrustedServersOnly {
		return true
	}
	src, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return false
	}
	inDialog := false
	if to := req.To(); to != nil {
		_, inDialog = to.Params.Get("tag")
	}
	return Admit(snap.policy, snap.servers, src.Addr(), string(req.Method), inDialog)
}

// fromServer reports whether req comes from a configured server, whatever
// the policy: requests that change the phone (check-sync) need it.
func (t *trust) fromServer(req *sip.Request) bool {
	snap := t.current.Load()
	if snap == nil {
		return false
	}
	src, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return false
	}
	return slices.Contains(snap.servers, src.Addr().Unmap())
}

// resolveTimeout bounds the DNS lookups for the trusted hosts.
const resolveTimeout = 2 * time.Second

// resolveHosts returns the IP addresses of host:port or host strings; IP
// literals need no lookup. Hosts that do not resolve are left out: their
// registrar cannot be reached either, and the address a registrar
// answers from is added when it does.
func resolveHosts(ctx context.Context, hosts []string) []netip.Addr {
	var out []netip.Addr
	add := func(a netip.Addr) {
		a = a.Unmap()
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, h := range hosts {
		if h == "" {
			continue
		}
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		if a, err := netip.ParseAddr(h); err == nil {
			add(a)
			continue
		}
		lctx, cancel := context.WithTimeout(ctx, resolveTimeout)
		addrs, err := net.DefaultResolver.LookupNetIP(lctx, "ip", h)
		cancel()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			add(a)
		}
	}
	return out
}

// hostPort joins a host and port, leaving a host that already has a port
// alone.
func hostPort(host string, port int) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}
