package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"ccphone/provisioning"
)

// readyTimeout bounds the wait for sipgo to take over the UDP listener.
const readyTimeout = 2 * time.Second

// UA is the phone's SIP user agent: one sipgo user agent with one
// listening socket per transport (UDP and TCP on one port, TLS
// optionally), shared by both lines. It registers each line's account
// with its primary registrar or, failing that, its backup, keeps the
// registrations fresh, and reports every change as an Event.
//
// New binds the sockets; Run serves them and drives the lines until its
// context ends. SetAccount, SetEnabled and SetTrustPolicy may be called
// from any goroutine, before or during Run; they never block on the
// network. Events must be drained by one reader, the phone's event loop.
type UA struct {
	opts     Options
	log      *slog.Logger
	sipgoLog *slog.Logger // for sipgo: junk from the network demoted to Debug

	sua *sipgo.UserAgent
	srv *sipgo.Server

	udp   *net.UDPConn
	tcp   *net.TCPListener
	tlsL  net.Listener // nil without a TLS certificate
	laddr netip.AddrPort
	tlsAP netip.AddrPort // zero without a TLS listener

	events chan Event
	// handlers counts request handlers running, so that Events is closed
	// only after the last one that might send on it.
	handlers sync.WaitGroup
	lines    [Lines]*line
	trust    trust

	started atomic.Bool
	closeMu sync.Mutex
	closed  bool

	// Calls. callsMu guards the maps and the run state; it is never held
	// across network I/O or a channel send.
	callsMu  sync.Mutex
	runCtx   context.Context // Run's context while it serves; nil before
	stopping bool            // Run is ending: no new calls
	lastID   CallID
	calls    map[CallID]*call
	dialogs  map[string]*call // by dialogKey
	callWG   sync.WaitGroup   // call goroutines and incoming-call handlers
	dtmfInfo atomic.Bool      // SetDTMFInfo

	// subs maps message-summary subscriptions (dialogKey) to their line,
	// for in-dialog NOTIFYs; subsMu guards it.
	subsMu sync.Mutex
	subs   map[string]int
}

// New binds the UDP and TCP listeners at opts.ListenAddr (and TLS when
// opts.TLSConfig has a certificate) and prepares the lines, all disabled
// until SetAccount. Call Run to serve; a UA whose Run is never called
// must be released with Close.
func New(opts Options) (*UA, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	log := opts.Logger.With("component", "sip")
	sipgoLog := slog.New(sipgoHandler{opts.Logger.Handler()}).With("component", "sipgo")

	uaOpts := []sipgo.UserAgentOption{
		sipgo.WithUserAgent(opts.UserAgent),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(sipgoLog)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(sipgoLog)),
	}
	if opts.TLSConfig != nil {
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(opts.TLSConfig))
	}
	sua, err := sipgo.NewUA(uaOpts...)
	if err != nil {
		return nil, fmt.Errorf("sip: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(sua, sipgo.WithServerLogger(sipgoLog))
	if err != nil {
		sua.Close()
		return nil, fmt.Errorf("sip: server: %w", err)
	}

	u := &UA{opts: opts, log: log, sipgoLog: sipgoLog, sua: sua, srv: srv, events: make(chan Event, opts.EventBuffer),
		calls: map[CallID]*call{}, dialogs: map[string]*call{}, subs: map[string]int{}}
	if err := u.listen(); err != nil {
		sua.Close()
		return nil, err
	}
	u.trust.setPolicy(opts.Trust)
	u.dtmfInfo.Store(opts.DTMFInfo)
	for i := range u.lines {
		u.lines[i] = newLine(u, i+1)
	}
	u.routes()
	return u, nil
}

// listen binds UDP and TCP on one port, and TLS when configured.
func (u *UA) listen() error {
	host, portText, err := net.SplitHostPort(u.opts.ListenAddr)
	if err != nil {
		return fmt.Errorf("%w: ListenAddr %q: %v", ErrOptions, u.opts.ListenAddr, err)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return fmt.Errorf("%w: ListenAddr %q: bad port", ErrOptions, u.opts.ListenAddr)
	}
	// With port 0 the kernel picks a UDP port that TCP may not have free;
	// then try another.
	tries := 1
	if port == 0 {
		tries = 20
	}
	for i := 0; ; i++ {
		u.udp, err = listenUDP(host, port)
		if err != nil {
			return fmt.Errorf("%w: udp %s: %v", ErrListen, net.JoinHostPort(host, strconv.Itoa(port)), err)
		}
		ap := u.udp.LocalAddr().(*net.UDPAddr).AddrPort()
		u.tcp, err = net.ListenTCP("tcp", net.TCPAddrFromAddrPort(ap))
		if err == nil {
			u.laddr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
			break
		}
		u.udp.Close()
		if i+1 >= tries {
			return fmt.Errorf("%w: tcp %s: %v", ErrListen, ap, err)
		}
	}
	if u.opts.TLSConfig == nil || (len(u.opts.TLSConfig.Certificates) == 0 && u.opts.TLSConfig.GetCertificate == nil) {
		return nil
	}
	tlsAddr := u.opts.TLSListenAddr
	if tlsAddr == "" {
		tlsAddr = net.JoinHostPort(host, strconv.Itoa(int(u.laddr.Port())+1))
		if port == 0 {
			tlsAddr = net.JoinHostPort(host, "0")
		}
	}
	l, err := tls.Listen("tcp", tlsAddr, u.opts.TLSConfig)
	if err != nil {
		u.udp.Close()
		u.tcp.Close()
		return fmt.Errorf("%w: tls %s: %v", ErrListen, tlsAddr, err)
	}
	u.tlsL = l
	ap := l.Addr().(*net.TCPAddr).AddrPort()
	u.tlsAP = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	return nil
}

func listenUDP(host string, port int) (*net.UDPConn, error) {
	addr, err := net.ResolveUDPAddr("udp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	return net.ListenUDP("udp", addr)
}

// Addr returns the local address of the UDP and TCP listeners. It is
// safe for concurrent use.
func (u *UA) Addr() netip.AddrPort { return u.laddr }

// Events returns the channel on which the UA reports line changes
// (RegistrationEvent). One goroutine, the phone's event loop, must drain
// it: a full channel holds up the lines' state machines (never the SIP
// transport). Run closes it when it returns.
func (u *UA) Events() <-chan Event { return u.events }

// SetAccount applies account acc to line (1 or 2). An account whose
// registration settings (user, auth name, password, display name,
// servers, outbound proxy, enable) are unchanged is left alone; a changed
// one is unregistered and registered again; a disabled one is
// unregistered and reported disabled. It returns at once; the line's
// goroutine does the work once Run runs. Safe for concurrent use.
func (u *UA) SetAccount(line int, acc provisioning.Account) error {
	l, err := u.line(line)
	if err != nil {
		return err
	}
	l.setAccount(acc)
	return nil
}

// SetEnabled switches line's registration on or off without changing its
// account: the long press on a line key. A line starts enabled. It
// returns at once. Safe for concurrent use.
func (u *UA) SetEnabled(line int, on bool) error {
	l, err := u.line(line)
	if err != nil {
		return err
	}
	l.setEnabled(on)
	return nil
}

// SetTrustPolicy changes the policy for incoming requests (settings
// sip.trusted_servers_only and sip.allow_ip_calls); it applies to the
// next request. Safe for concurrent use.
func (u *UA) SetTrustPolicy(p TrustPolicy) { u.trust.setPolicy(p) }

func (u *UA) line(n int) (*line, error) {
	if n < 1 || n > Lines {
		return nil, fmt.Errorf("%w: %d", ErrLine, n)
	}
	return u.lines[n-1], nil
}

// Run serves the listeners and runs both lines until ctx is done. Then it
// unregisters the lines (within Options.UnregisterTimeout), closes the
// listeners and the Events channel, and returns ctx's error. Run may be
// called once.
func (u *UA) Run(ctx context.Context) error {
	if !u.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	u.closeMu.Lock()
	closed := u.closed
	u.closeMu.Unlock()
	if closed {
		close(u.events)
		return ErrClosed
	}

	u.callsMu.Lock()
	u.runCtx = ctx
	u.callsMu.Unlock()

	var serving sync.WaitGroup
	serve := func(network string, f func() error) {
		serving.Go(func() {
			if err := f(); err != nil && !errors.Is(err, net.ErrClosed) {
				u.log.Error("listener stopped", "network", network, "err", err)
			}
		})
	}
	serve("udp", func() error { return u.srv.ServeUDP(u.udp) })
	serve("tcp", func() error { return u.srv.ServeTCP(u.tcp) })
	if u.tlsL != nil {
		serve("tls", func() error { return u.srv.ServeTLS(u.tlsL) })
	}
	if err := u.waitReady(ctx); err != nil {
		u.log.Error("udp listener not ready", "err", err)
	}
	if u.tlsAP.IsValid() {
		u.log.Info("listening", "addr", u.laddr.String(), "tls", u.tlsAP.String())
	} else {
		u.log.Info("listening", "addr", u.laddr.String())
	}

	var lines sync.WaitGroup
	for _, l := range u.lines {
		lines.Go(func() { l.run(ctx) })
	}
	<-ctx.Done()
	// Calls end first (BYE, CANCEL, 480), while the lines unregister.
	u.callsMu.Lock()
	u.stopping = true
	u.callsMu.Unlock()
	u.callWG.Wait()
	lines.Wait()

	u.Close()
	serving.Wait()
	u.handlers.Wait()
	close(u.events)
	return ctx.Err()
}

// waitReady waits until sipgo has put the UDP listener into its
// connection pool: a REGISTER sent from the listener's address before
// that would make sipgo bind a second socket there and fail.
func (u *UA) waitReady(ctx context.Context) error {
	addr := u.udp.LocalAddr().String()
	deadline := time.Now().Add(readyTimeout)
	for {
		if c, err := u.sua.TransportLayer().GetConnection("udp", addr); err == nil {
			if _, err := c.TryClose(); err != nil {
				u.log.Debug("release pool reference", "err", err)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: udp %s not served after %v", ErrListen, addr, readyTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// Close closes the listeners and the sipgo user agent. Run calls it when
// it ends; call it yourself only for a UA whose Run is never called.
// Closing twice does nothing. Safe for concurrent use.
func (u *UA) Close() error {
	u.closeMu.Lock()
	defer u.closeMu.Unlock()
	if u.closed {
		return nil
	}
	u.closed = true
	var errs []error
	for _, c := range []interface{ Close() error }{u.udp, u.tcp} {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if u.tlsL != nil {
		if err := u.tlsL.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if err := u.sua.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sip: close: %w", err)
	}
	return nil
}

// emit sends ev to the phone. While ctx is live it waits for room; once
// ctx is done (shutdown) it sends only if there is room.
func (u *UA) emit(ctx context.Context, ev Event) {
	if ctx.Err() != nil {
		select {
		case u.events <- ev:
		default:
		}
		return
	}
	select {
	case u.events <- ev:
	case <-ctx.Done():
	}
}
