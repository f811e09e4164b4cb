package provisioning

import (
	"fmt"
	"strings"
)

// MACFileName returns the per-MAC file name for a MAC address written
// with or without ':' or '-' separators, in any case:
// "00:15:65:AA:BB:CC" gives "001565aabbcc.cfg".
func MACFileName(mac string) (string, error) {
	hex := strings.NewReplacer(":", "", "-", "").Replace(strings.ToLower(mac))
	if len(hex) != 12 || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", fmt.Errorf("per-MAC file name for %q: not a MAC address: %w", mac, ErrSyntax)
	}
	return hex + ".cfg", nil
}
