package sip_test

import (
	"net/netip"
	"testing"

	"ccphone/sip"
)

func TestAdmit(t *testing.T) {
	servers := []netip.Addr{netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("2001:db8::1")}
	off := sip.TrustPolicy{}
	only := sip.TrustPolicy{TrustedServersOnly: true}
	ipCalls := sip.TrustPolicy{TrustedServersOnly: true, AllowIPCalls: true}
	tests := []struct {
		name     string
		policy   sip.TrustPolicy
		src      string
		method   string
		inDialog bool
		want     bool
	}{
		{"policy off admits strangers", off, "192.0.2.9", "INVITE", false, true},
		{"policy off admits OPTIONS", off, "192.0.2.9", "OPTIONS", false, true},
		{"server INVITE", only, "10.0.0.5", "INVITE", false, true},
		{"server OPTIONS", only, "10.0.0.5", "OPTIONS", false, true},
		{"server NOTIFY", only, "10.0.0.5", "NOTIFY", true, true},
		{"server IPv6", only, "2001:db8::1", "INVITE", false, true},
		{"server as IPv4-mapped IPv6", only, "::ffff:10.0.0.5", "INVITE", false, true},
		{"scanner INVITE", only, "192.0.2.9", "INVITE", false, false},
		{"scanner OPTIONS", only, "192.0.2.9", "OPTIONS", false, false},
		{"scanner in-dialog BYE", only, "192.0.2.9", "BYE", true, false},
		{"neighbour of server", only, "10.0.0.6", "INVITE", false, false},
		{"IP call INVITE", ipCalls, "192.0.2.9", "INVITE", false, true},
		{"IP call ACK", ipCalls, "192.0.2.9", "ACK", false, true},
		{"IP call CANCEL", ipCalls, "192.0.2.9", "CANCEL", false, true},
		{"IP call in-dialog BYE", ipCalls, "192.0.2.9", "BYE", true, true},
		{"IP call in-dialog INFO", ipCalls, "192.0.2.9", "INFO", true, true},
		{"IP calls still drop OPTIONS", ipCalls, "192.0.2.9", "OPTIONS", false, false},
		{"IP calls still drop MESSAGE", ipCalls, "192.0.2.9", "MESSAGE", false, false},
		{"IP calls still drop out-of-dialog BYE", ipCalls, "192.0.2.9", "BYE", false, false},
		{"no servers", only, "10.0.0.5", "INVITE", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := servers
			if tt.name == "no servers" {
				list, tt.want = nil, false
			}
			got := sip.Admit(tt.policy, list, netip.MustParseAddr(tt.src), tt.method, tt.inDialog)
			if got != tt.want {
				t.Errorf("Admit(%+v, %s, %s, inDialog=%v) = %v, want %v", tt.policy, tt.src, tt.method, tt.inDialog, got, tt.want)
			}
		})
	}
}
