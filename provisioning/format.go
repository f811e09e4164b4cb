package provisioning

import (
	"fmt"
	"io"
	"strings"
)

// FormatVersion is the version line Config.Format writes.
const FormatVersion = "1.0.0.1"

// Format writes the effective configuration in the file format: every
// setting in schema order, one blank line between subsystems, each value
// canonical (a default too, so the dump is complete). Secret settings are
// written only when showSecrets is true; otherwise each becomes a comment
// "# key = ********", so a dump fed back as a file leaves passwords at
// their default instead of setting them to the mask.
//
// What Format writes, Merge reads back into an equal Config (with
// showSecrets, or when no secret is set).
func (c *Config) Format(w io.Writer, showSecrets bool) error {
	var b strings.Builder
	b.Grow(64 * len(c.state().values))
	b.WriteString(versionPrefix + FormatVersion + "\n")
	b.WriteString("# ccphone effective configuration\n")
	group := ""
	for i := range c.state().schema.settings {
		st := &c.state().schema.settings[i]
		if g := Subsystem(st.Key); g != group {
			b.WriteByte('\n')
			group = g
		}
		v := c.state().values[i]
		if st.Secret && !showSecrets {
			b.WriteString("# " + st.Key + " = " + Mask + "\n")
			continue
		}
		writeEntry(&b, st.Key, v.text)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("provisioning: write config: %w", err)
	}
	return nil
}

// Subsystem returns the group a key belongs to, for grouping the keys
// Diff returns: "account.1" or "account.2" for account keys, else the
// first component ("sip", "rtp", "lcd"...).
func Subsystem(key string) string {
	first, rest, _ := strings.Cut(key, ".")
	if first == "account" {
		n, _, _ := strings.Cut(rest, ".")
		return first + "." + n
	}
	return first
}
