package provisioning

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DHCPOptions are the provisioning options of a DHCP lease.
type DHCPOptions struct {
	TFTPServerName  string // option 66: a host name or IP, sometimes a URL
	ProvisioningURL string // option 160: a URL (Polycom, Yealink and others)
}

// ServerURL returns the provisioning URL that option selects: "160",
// "66", or "auto" (160, else 66). A bare option 66 host becomes
// "tftp://host/"; one with a scheme is taken as is. It returns "" when
// the lease has no such option or option is "off".
func (o DHCPOptions) ServerURL(option string) string {
	from160 := func() string { return strings.TrimSpace(o.ProvisioningURL) }
	from66 := func() string {
		v := strings.TrimSpace(o.TFTPServerName)
		if v == "" || strings.Contains(v, "://") {
			return v
		}
		return "tftp://" + strings.TrimSuffix(v, "/") + "/"
	}
	switch option {
	case "160":
		return from160()
	case "66":
		return from66()
	case "auto":
		if u := from160(); u != "" {
			return u
		}
		return from66()
	}
	return ""
}

// ReadLease reads the DHCP options from the lease file at path; see
// ParseLease for the formats.
func ReadLease(path string) (DHCPOptions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return DHCPOptions{}, fmt.Errorf("%w: %w", ErrLease, err)
	}
	o, err := ParseLease(data)
	if err != nil {
		return DHCPOptions{}, fmt.Errorf("%s: %w", path, err)
	}
	return o, nil
}

// ParseLease reads options 66 and 160 from a lease file in one of the
// formats Linux DHCP clients write:
//
//   - ISC dhclient (dhclient.leases): "lease { ... }" blocks; the last
//     block wins. Option 66 is "option tftp-server-name "...";". Option
//     160 is "option unknown-160 "...";" (or colon-separated hex) unless
//     dhclient.conf names it, conventionally "option provisioning-server
//     code 160 = text;", which dhclient then writes by that name.
//   - key=value lines (dhcpcd --dumplease, udhcpc and networkd style):
//     tftp_server_name / TFTP_SERVER_NAME / option_66 and option_160 /
//     OPTION_160 / provisioning_server, values optionally quoted.
//   - a raw DHCP message (dhcpcd's binary .lease files): the options after
//     the magic cookie, option 66 also from the sname field.
func ParseLease(data []byte) (DHCPOptions, error) {
	switch {
	case len(data) >= 240 && bytes.Equal(data[236:240], []byte{99, 130, 83, 99}):
		return parseRawLease(data)
	case bytes.Contains(data, []byte("lease {")) || bytes.Contains(data, []byte("lease{")):
		return parseDhclientLease(string(data)), nil
	case utf8.Valid(data):
		return parseKeyValueLease(string(data)), nil
	}
	return DHCPOptions{}, fmt.Errorf("%w: neither dhclient, key=value nor a DHCP message", ErrLease)
}

func parseDhclientLease(text string) DHCPOptions {
	var o DHCPOptions
	// The last lease block is the most recent one.
	if i := strings.LastIndex(text, "lease {"); i >= 0 {
		text = text[i:]
	} else if i := strings.LastIndex(text, "lease{"); i >= 0 {
		text = text[i:]
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "option ")
		if !ok {
			continue
		}
		name, value, _ := strings.Cut(rest, " ")
		value = strings.TrimSuffix(strings.TrimSpace(value), ";")
		switch name {
		case "tftp-server-name", "unknown-66":
			o.TFTPServerName = dhclientValue(value)
		case "unknown-160", "provisioning-server", "provisioning-url", "option-160":
			o.ProvisioningURL = dhclientValue(value)
		}
	}
	return o
}

// dhclientValue unquotes "text" or decodes colon-separated hex bytes.
func dhclientValue(v string) string {
	if s, err := strconv.Unquote(v); err == nil {
		return s
	}
	if strings.HasPrefix(v, `"`) {
		return strings.Trim(v, `"`)
	}
	if raw, err := hex.DecodeString(strings.ReplaceAll(v, ":", "")); err == nil {
		return string(bytes.TrimRight(raw, "\x00"))
	}
	return v
}

func parseKeyValueLease(text string) DHCPOptions {
	var o DHCPOptions
	for _, line := range strings.Split(text, "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '\'' || value[0] == '"') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "tftp_server_name", "tftp", "option_66", "tftpserver":
			o.TFTPServerName = value
		case "option_160", "provisioning_server", "provisioning_url":
			o.ProvisioningURL = value
		}
	}
	return o
}

func parseRawLease(msg []byte) (DHCPOptions, error) {
	var o DHCPOptions
	sname := msg[44:108]
	overloadSname := false
	opts := msg[240:]
	for len(opts) > 0 {
		code := opts[0]
		if code == 0 {
			opts = opts[1:]
			continue
		}
		if code == 255 {
			break
		}
		if len(opts) < 2 || len(opts) < 2+int(opts[1]) {
			return DHCPOptions{}, fmt.Errorf("%w: option %d runs past the end", ErrLease, code)
		}
		value := opts[2 : 2+int(opts[1])]
		switch code {
		case 52: // option overload: sname and/or file hold options
			overloadSname = len(value) == 1 && value[0]&2 != 0
		case 66:
			o.TFTPServerName = string(bytes.TrimRight(value, "\x00"))
		case 160:
			o.ProvisioningURL = string(bytes.TrimRight(value, "\x00"))
		}
		opts = opts[2+int(opts[1]):]
	}
	if o.TFTPServerName == "" && !overloadSname {
		o.TFTPServerName = string(bytes.TrimRight(sname, "\x00"))
		if i := bytes.IndexByte(sname, 0); i >= 0 {
			o.TFTPServerName = string(sname[:i])
		}
	}
	return o, nil
}
