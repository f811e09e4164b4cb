package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/ui"
)

// newUA makes the SIP user agent for the configuration. On the sim board
// it listens on loopback only; on a real board on every interface.
func newUA(cfg *provisioning.Config, board, version string, m sip.Media, log *slog.Logger) (*sip.UA, error) {
	host := "0.0.0.0"
	if board == "sim" {
		host = "127.0.0.1"
	}
	opts := sip.DefaultOptions()
	if m != nil {
		opts.Media = m
	}
	opts.ListenAddr = net.JoinHostPort(host, strconv.Itoa(cfg.Int("sip.listen_port")))
	opts.UserAgent = "ccphone/" + version
	opts.Logger = log
	opts.Trust = trustPolicy(cfg)
	opts.DTMFInfo = cfg.Bool("sip.dtmf_info")
	opts.RecordHeader = cfg.RecordingOptions().ServerHeader
	opts.Keepalive = time.Duration(cfg.Int("sip.keepalive_interval")) * time.Second
	if path := cfg.String("sip.tls_ca_file"); path != "" {
		pool, err := provisioning.CertPoolFile(path)
		if err != nil {
			// Fail closed: with no CA to trust, lines over TLS fail to
			// register and say so; the rest of the phone works.
			log.Error("sip.tls_ca_file: no TLS server can be trusted", "err", err)
			pool = x509.NewCertPool()
		}
		opts.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	ua, err := sip.New(opts)
	if err != nil {
		return nil, err
	}
	if err := applyAccounts(ua, cfg); err != nil {
		ua.Close()
		return nil, err
	}
	return ua, nil
}

func trustPolicy(cfg *provisioning.Config) sip.TrustPolicy {
	return sip.TrustPolicy{
		TrustedServersOnly: cfg.Bool("sip.trusted_servers_only"),
		AllowIPCalls:       cfg.Bool("sip.allow_ip_calls"),
	}
}

// applyAccounts hands both accounts to the user agent; it leaves an
// unchanged account alone.
func applyAccounts(ua *sip.UA, cfg *provisioning.Config) error {
	for n := 1; n <= sip.Lines; n++ {
		if err := ua.SetAccount(n, cfg.Account(n)); err != nil {
			return err
		}
	}
	return nil
}

// heldAccounts applies provisioned accounts without dropping a call: a
// line with a call keeps its account until the call ends. It is safe for
// concurrent use.
type heldAccounts struct {
	ua    *sip.UA
	store *configStore
	log   *slog.Logger

	mu   sync.Mutex
	held [sip.Lines + 1]bool // line n's account waits for the line to be idle
}

// apply hands each line its account from cfg now, or when the line is
// idle again if busy says it has a call. The UA leaves an unchanged
// account alone, so only changed lines re-register.
func (h *heldAccounts) apply(cfg *provisioning.Config, busy func(line int) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for n := 1; n <= sip.Lines; n++ {
		if busy(n) {
			h.held[n] = true
			h.log.Info("line busy: its new account waits for the call to end", "line", n)
			continue
		}
		h.held[n] = false
		if err := h.ua.SetAccount(n, cfg.Account(n)); err != nil {
			h.log.Warn("apply account", "line", n, "err", err)
		}
	}
}

// lineIdle applies a held account once its line is idle. The phone calls
// it from its event loop; SetAccount does not block.
func (h *heldAccounts) lineIdle(line int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if line < 1 || line > sip.Lines || !h.held[line] {
		return
	}
	h.held[line] = false
	h.log.Info("line idle: applying its new account", "line", line)
	if err := h.ua.SetAccount(line, h.store.Config().Account(line)); err != nil {
		h.log.Warn("apply account", "line", line, "err", err)
	}
}

// forwardSIP passes the user agent's events to the phone until the user
// agent closes its event channel.
func forwardSIP(ctx context.Context, ua *sip.UA, phone *ui.Phone, prov *provisioning.Provisioner, recs *recordings, log *slog.Logger) {
	for ev := range ua.Events() {
		switch e := ev.(type) {
		case sip.CallEvent:
			if recs != nil {
				recs.callEvent(e)
			}
			log.Info("call", "call", e.ID, "line", e.Line, "state", e.State, "dir", e.Direction, "remote", e.RemoteNumber, "reason", e.Reason)
			if err := phone.CallEvent(ctx, callEvent(e)); err != nil {
				continue
			}
		case sip.DTMFEvent:
			log.Info("dtmf received", "call", e.ID, "digit", string(e.Digit))
		case sip.TransferEvent:
			log.Info("transfer progress", "call", e.ID, "code", e.Code, "reason", e.Reason)
			if err := phone.TransferProgress(ctx, ui.CallID(e.ID), e.Code, e.Reason); err != nil {
				continue
			}
		case sip.RecordEvent:
			log.Info("recording requested by the far end", "call", e.ID, "on", e.On)
			if recs != nil {
				recs.serverRequest(e.ID, e.On)
			}
		case sip.MWIEvent:
			log.Info("voicemail", "line", e.Line, "new", e.New, "old", e.Old)
			if err := phone.SetVoicemail(ctx, e.Line, e.New); err != nil {
				continue
			}
		case sip.CheckSyncEvent:
			log.Info("check-sync: checking provisioning now", "from", e.Source)
			prov.CheckNow()
		case sip.RegistrationEvent:
			log.Info("registration", "line", e.Line, "state", e.State, "server", e.Server, "code", e.Code, "reason", e.Reason)
			if err := phone.SetRegistration(ctx, e.Line, e.State, e.Server); err != nil {
				// The phone has stopped; keep draining so the lines can
				// unregister.
				continue
			}
		}
	}
}

// mediaAddr is the address RTP binds to and SDP names: loopback on the sim
// board; on a real board the local address of the route to line 1's
// registrar (nothing is sent to find it), or every interface.
func mediaAddr(cfg *provisioning.Config, board string) netip.Addr {
	if board == "sim" {
		return netip.MustParseAddr("127.0.0.1")
	}
	srv := cfg.Account(1).Servers[0]
	if srv.Configured() {
		if c, err := net.Dial("udp", net.JoinHostPort(srv.Address, strconv.Itoa(srv.Port))); err == nil {
			defer c.Close()
			if ap, err := netip.ParseAddrPort(c.LocalAddr().String()); err == nil {
				return ap.Addr().Unmap()
			}
		}
	}
	return netip.IPv4Unspecified()
}
