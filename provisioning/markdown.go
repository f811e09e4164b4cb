package provisioning

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the admin reference for s: the file format, the
// merge and override rules, then one table per subsystem listing every
// key (with its N and M placeholders) with type, allowed values, default,
// owner and help. "ccprov docs" writes docs/provisioning.md with it.
func (s *Schema) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString(markdownIntro)
	b.WriteString(markdownFetching)
	seen := make(map[string]bool, len(s.settings))
	section := ""
	for i := range s.settings {
		st := &s.settings[i]
		if seen[st.Pattern] {
			continue
		}
		seen[st.Pattern] = true
		if g, _, _ := strings.Cut(st.Pattern, "."); g != section {
			section = g
			fmt.Fprintf(&b, "\n## %s\n\n", sectionTitle(g))
			b.WriteString("| Key | Type | Allowed | Default | Owner | Description |\n")
			b.WriteString("|---|---|---|---|---|---|\n")
		}
		def := "`" + st.Default + "`"
		if st.Default == "" {
			def = "(empty)"
		}
		help := st.Help
		if st.Secret {
			help += " **Secret.**"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n",
			st.Pattern, st.Type, cell(st.Allowed()), def, st.Owner, cell(help))
	}
	b.WriteString(markdownRecording)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("provisioning: write reference: %w", err)
	}
	return nil
}

func sectionTitle(group string) string {
	switch group {
	case "account":
		return "Accounts (`account.N.`, N = 1 or 2; server M = 1 primary, 2 backup)"
	case "sip":
		return "SIP"
	case "rtp":
		return "RTP"
	case "phone":
		return "Phone"
	case "lcd":
		return "Display"
	case "ringer", "headset", "speaker":
		return "Audio: " + group
	case "provisioning":
		return "Provisioning"
	case "firmware":
		return "Firmware"
	case "recording":
		return "Recording (see Call recording below)"
	}
	return group
}

func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

const markdownIntro = `# ccphone provisioning reference

This reference is generated from the phone's schema; do not edit it by hand.

## File format

One setting per line, ` + "`key = value`" + `, with Yealink-style dotted keys:

` + "```" + `
#!version:1.0.0.1
# Sales floor, account 1
account.1.enable = 1
account.1.label = Sales 10          # shown on the LCD
account.1.password = s3cr#t
account.2.password =#starts-with-hash
` + "```" + `

- The optional ` + "`#!version:`" + ` line must be the first line.
- A line starting with ` + "`#`" + ` is a comment. A ` + "`#`" + ` after a space or
  tab starts a comment at the end of a line; any other ` + "`#`" + ` is part of the
  value. So ` + "`password = s3cr#t`" + ` keeps its ` + "`#`" + `, a value that starts
  with ` + "`#`" + ` is written right after the ` + "`=`" + ` (` + "`password =#x`" + `),
  ` + "`key = # note`" + ` is an empty value, and no value can contain a space
  followed by ` + "`#`" + `.
- Spaces around keys and values are ignored. Files are UTF-8; LF or CRLF;
  the last line needs no newline.
- ` + "`key =`" + ` with nothing after it sets a text setting (string, host, URL)
  to empty and resets any other setting (bool, int, port, choice) to its
  default.
- A key may appear once per file. A line without ` + "`=`" + `, a wrong type, a value
  out of range, invalid UTF-8 or binary data rejects the whole file: the
  phone keeps its last good configuration and reports
  ` + "`file:line: key: problem; allowed ...`" + `. Unknown keys are only warned
  about, with a suggestion when one is close.
- Bools are ` + "`0`" + ` or ` + "`1`" + `; choices match ignoring case.

## Which value wins

1. the default below;
2. the common file;
3. the per-MAC file, ` + "`<mac>.cfg`" + ` in lower-case hex (e.g. ` + "`001565aabbcc.cfg`" + `);
4. changes the user made on the phone, for settings owned by **user**.

Settings owned by **admin** come only from files. A user's change on the
phone survives re-provisioning; to override it on purpose, list the key in
` + "`provisioning.override_local`" + ` (or ` + "`*`" + ` for all user settings): the
user's change is dropped and the phone refuses new changes to that key until
it is removed from the list.

Rules across settings: ` + "`rtp.port_min`" + ` must be below ` + "`rtp.port_max`" + `; an
enabled account needs ` + "`sip_server.1.address`" + ` and ` + "`user_name`" + `.
`
