package main

import (
	"context"
	"log/slog"
	"net"
	"strconv"

	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/ui"
)

// newUA makes the SIP user agent for the configuration. On the sim board
// it listens on loopback only; on a real board on every interface.
func newUA(cfg *provisioning.Config, board, version string, log *slog.Logger) (*sip.UA, error) {
	host := "0.0.0.0"
	if board == "sim" {
		host = "127.0.0.1"
	}
	opts := sip.DefaultOptions()
	opts.ListenAddr = net.JoinHostPort(host, strconv.Itoa(cfg.Int("sip.listen_port")))
	opts.UserAgent = "ccphone/" + version
	opts.Logger = log
	opts.Trust = trustPolicy(cfg)
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

// forwardSIP passes the user agent's events to the phone until the user
// agent closes its event channel.
func forwardSIP(ctx context.Context, ua *sip.UA, phone *ui.Phone, prov *provisioning.Provisioner, log *slog.Logger) {
	for ev := range ua.Events() {
		switch e := ev.(type) {
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
