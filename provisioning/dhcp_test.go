package provisioning

import (
	"errors"
	"testing"
)

func TestParseLease(t *testing.T) {
	dhclient := `lease {
  interface "eth0";
  fixed-address 10.0.0.50;
  option tftp-server-name "old.example.net";
}
lease {
  interface "eth0";
  fixed-address 10.0.0.51;
  option subnet-mask 255.255.255.0;
  option tftp-server-name "10.0.0.2";
  option unknown-160 "https://prov.example.net/{model}/";
  renew 2 2026/01/16 10:00:00;
}
`
	raw := make([]byte, 240)
	copy(raw[236:], []byte{99, 130, 83, 99})
	raw = append(raw, 53, 1, 5, 66, 8)
	raw = append(raw, "10.0.0.9"...)
	raw = append(raw, 160, 19)
	raw = append(raw, "http://10.0.0.9/p/"...)
	raw = append(raw, 0, 255)
	tests := []struct {
		name       string
		data       string
		want       DHCPOptions
		auto, only string
	}{
		{"dhclient, last lease wins", dhclient, DHCPOptions{TFTPServerName: "10.0.0.2", ProvisioningURL: "https://prov.example.net/{model}/"},
			"https://prov.example.net/{model}/", "tftp://10.0.0.2/"},
		{"dhclient hex option 160", "lease {\n  option unknown-160 74:66:74:70:3a:2f:2f:68:2f;\n}\n", DHCPOptions{ProvisioningURL: "tftp://h/"}, "tftp://h/", ""},
		{"dhclient named option 160", "lease {\n  option provisioning-server \"http://p/\";\n}\n", DHCPOptions{ProvisioningURL: "http://p/"}, "http://p/", ""},
		{"dhcpcd dumplease", "ip_address='10.0.0.5'\ntftp_server_name='boot.example.net'\n", DHCPOptions{TFTPServerName: "boot.example.net"}, "tftp://boot.example.net/", "tftp://boot.example.net/"},
		{"env style 160", "OPTION_160=\"https://p.example/\"\n", DHCPOptions{ProvisioningURL: "https://p.example/"}, "https://p.example/", ""},
		{"raw DHCP message", string(raw), DHCPOptions{TFTPServerName: "10.0.0.9", ProvisioningURL: "http://10.0.0.9/p/"}, "http://10.0.0.9/p/", "tftp://10.0.0.9/"},
		{"option 66 with a scheme", "tftp_server_name=https://x.example/c/\n", DHCPOptions{TFTPServerName: "https://x.example/c/"}, "https://x.example/c/", "https://x.example/c/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLease([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseLease = %+v, want %+v", got, tt.want)
			}
			if u := got.ServerURL("auto"); u != tt.auto {
				t.Errorf("ServerURL(auto) = %q, want %q", u, tt.auto)
			}
			if u := got.ServerURL("66"); u != tt.only {
				t.Errorf("ServerURL(66) = %q, want %q", u, tt.only)
			}
			if u := got.ServerURL("off"); u != "" {
				t.Errorf("ServerURL(off) = %q", u)
			}
		})
	}
	if _, err := ParseLease([]byte{0xff, 0xfe, 0x00, 0x80}); !errors.Is(err, ErrLease) {
		t.Errorf("garbage: err = %v, want ErrLease", err)
	}
	bad := append(make([]byte, 236), 99, 130, 83, 99, 160, 50, 'x')
	if _, err := ParseLease(bad); !errors.Is(err, ErrLease) {
		t.Errorf("option past the end: err = %v, want ErrLease", err)
	}
}
