package sip

import (
	"ccphone/hal"
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"
)

// Lines is how many SIP lines (accounts) the phone has.
const Lines = 2

// Options configure a UA. Zero durations, fractions and sizes take the
// value from DefaultOptions; the two policy booleans are taken as given.
type Options struct {
	// ListenAddr is the local host:port for the UDP and TCP listeners
	// (setting sip.listen_port). An empty host or 0.0.0.0 listens on every
	// interface (Go opens a dual-stack socket); port 0 lets the kernel
	// choose (tests).
	ListenAddr string

	// TLSConfig, when not nil, is used for TLS connections to registrars
	// (transport tls). When it also holds a certificate, the UA listens
	// for TLS on TLSListenAddr.
	TLSConfig *tls.Config
	// TLSListenAddr is the local host:port for TLS; empty means the
	// ListenAddr host and its port + 1 (5061 beside 5060).
	TLSListenAddr string

	// UserAgent is sent in the User-Agent header, e.g. "ccphone/1.4".
	UserAgent string
	// Logger receives the UA's and sipgo's logs. Passwords never reach it.
	Logger *slog.Logger
	// Clock drives refresh, retry and probing timers.
	Clock hal.Clock

	// Trust is the policy for incoming requests.
	Trust TrustPolicy

	// RegisterTimeout is how long one REGISTER (its digest round
	// included) may wait for a final answer before the registrar counts
	// as not answering and the line fails over. Shorter than SIP's 32 s
	// transaction timeout so an agent is back on a registrar quickly.
	RegisterTimeout time.Duration
	// RefreshFraction is the part of the granted expiry after which a
	// registration is refreshed (0 < f < 1); 0.85 leaves time for a
	// failover before the binding lapses.
	RefreshFraction float64
	// ProbeInterval is how often a line registered at its backup tries
	// the primary again, to fail back.
	ProbeInterval time.Duration
	// Keepalive, when not zero, is how often a registered line sends
	// OPTIONS to its registrar over the registration's own socket or
	// connection: NAT bindings and TCP/TLS connections stay open for
	// incoming calls, and a registrar that stopped answering is found
	// within one interval (the line then refreshes at once, and fails
	// over when that fails too) instead of at the next refresh.
	Keepalive time.Duration
	// RetryMin and RetryMax bound the back-off of a failed line: the
	// first retry waits RetryMin, each next one twice as long, up to
	// RetryMax, each with up to 20% random jitter so a whole floor of
	// phones does not retry at once after a registrar outage.
	RetryMin, RetryMax time.Duration
	// UnregisterTimeout bounds unregistering both lines when Run ends.
	UnregisterTimeout time.Duration
	// EventBuffer is the capacity of the Events channel.
	EventBuffer int

	// Media gives calls their RTP endpoints (the media engine). Without
	// it Dial fails with ErrNoMedia and incoming calls are refused with
	// 503.
	Media Media
	// DTMFInfo sends every digit by SIP INFO (application/dtmf-relay),
	// even when RFC 4733 telephone-event was negotiated: for PBXes that
	// read only INFO. SetDTMFInfo changes it while running.
	DTMFInfo bool
	// SubscribeExpires is the lifetime asked for message-summary (MWI)
	// subscriptions. A line whose account has a voicemail number
	// subscribes to its own AOR at the registrar it is registered with
	// (through the outbound proxy, if any), refreshes after
	// RefreshFraction of what the server granted, subscribes again after
	// a failure with the RetryMin-RetryMax back-off, and unsubscribes
	// when Run ends. Negative turns subscriptions off (servers that send
	// unsolicited NOTIFYs).
	SubscribeExpires time.Duration
	// RecordHeader names an INVITE header by which a configured server
	// (registrar or outbound proxy) asks for the call to be recorded or
	// not, e.g. "X-Record": on, yes, true or 1 ask for it; off, no,
	// false or 0 ask against it (any case). Its answer is
	// CallEvent.RecordRequested of the incoming call's Ringing event.
	// Empty ignores every such header.
	RecordHeader string
}

// DefaultOptions returns the options of a phone listening on port 5060
// with trusted-servers-only on, as the schema's defaults say.
func DefaultOptions() Options {
	return Options{
		ListenAddr:        "0.0.0.0:5060",
		UserAgent:         "ccphone",
		Logger:            slog.Default(),
		Clock:             hal.SystemClock{},
		Trust:             TrustPolicy{TrustedServersOnly: true},
		RegisterTimeout:   5 * time.Second,
		RefreshFraction:   0.85,
		ProbeInterval:     30 * time.Second,
		RetryMin:          5 * time.Second,
		RetryMax:          5 * time.Minute,
		UnregisterTimeout: 2 * time.Second,
		EventBuffer:       32,
		SubscribeExpires:  time.Hour,
	}
}

// withDefaults fills zero fields from DefaultOptions and checks the rest.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions()
	if o.ListenAddr == "" {
		o.ListenAddr = d.ListenAddr
	}
	if o.UserAgent == "" {
		o.UserAgent = d.UserAgent
	}
	if o.Logger == nil {
		o.Logger = d.Logger
	}
	if o.Clock == nil {
		o.Clock = d.Clock
	}
	setDur := func(p *time.Duration, def time.Duration) {
		if *p == 0 {
			*p = def
		}
	}
	setDur(&o.RegisterTimeout, d.RegisterTimeout)
	setDur(&o.ProbeInterval, d.ProbeInterval)
	setDur(&o.RetryMin, d.RetryMin)
	setDur(&o.RetryMax, d.RetryMax)
	setDur(&o.UnregisterTimeout, d.UnregisterTimeout)
	setDur(&o.SubscribeExpires, d.SubscribeExpires)
	if o.RefreshFraction == 0 {
		o.RefreshFraction = d.RefreshFraction
	}
	if o.EventBuffer == 0 {
		o.EventBuffer = d.EventBuffer
	}
	switch {
	case o.RefreshFraction <= 0 || o.RefreshFraction >= 1:
		return o, fmt.Errorf("%w: RefreshFraction %v is not between 0 and 1", ErrOptions, o.RefreshFraction)
	case o.RegisterTimeout < 0 || o.ProbeInterval < 0 || o.RetryMin < 0 || o.UnregisterTimeout < 0:
		return o, fmt.Errorf("%w: negative duration", ErrOptions)
	case o.RetryMax < o.RetryMin:
		return o, fmt.Errorf("%w: RetryMax %v below RetryMin %v", ErrOptions, o.RetryMax, o.RetryMin)
	case o.EventBuffer < 0:
		return o, fmt.Errorf("%w: negative EventBuffer", ErrOptions)
	}
	return o, nil
}
