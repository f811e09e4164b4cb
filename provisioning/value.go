package provisioning

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mask is what secrets print as.
const Mask = "********"

// Secret is a string that never prints itself: String, GoString and every
// fmt verb show Mask. Call Reveal where the real text is needed (to
// answer a digest challenge), and nowhere near a log.
type Secret string

// String returns Mask.
func (Secret) String() string { return Mask }

// GoString returns Mask, quoted, so %#v hides the secret too.
func (Secret) GoString() string { return strconv.Quote(Mask) }

// Format prints Mask for every verb, so that even %d or %x, which fmt
// would otherwise answer with the raw text, hide the secret.
func (Secret) Format(f fmt.State, verb rune) { writeMasked(f, verb, Mask) }

// Reveal returns the secret's text.
func (s Secret) Reveal() string { return string(s) }

// Value is a setting's validated value. Values are immutable and safe for
// concurrent use. String hides secrets; Text does not.
type Value struct {
	text   string // canonical text, as Format writes it
	num    int    // the number for bool, int, port and numeric enums
	secret bool
}

// String returns the canonical text, or Mask for a secret setting.
func (v Value) String() string {
	if v.secret {
		return Mask
	}
	return v.text
}

// GoString is like String, for %#v.
func (v Value) GoString() string { return strconv.Quote(v.String()) }

// Format prints String for every verb (quoted for %q), so that no fmt
// verb shows a secret's text.
func (v Value) Format(f fmt.State, verb rune) { writeMasked(f, verb, v.String()) }

func writeMasked(f fmt.State, verb rune, text string) {
	if verb == 'q' || verb == 'v' && f.Flag('#') {
		text = strconv.Quote(text)
	}
	// fmt.State writes into fmt's own buffer; the caller's Fprintf
	// reports any error of the underlying writer.
	_, _ = io.WriteString(f, text)
}

// Text returns the canonical text, even of a secret. Do not log it.
func (v Value) Text() string { return v.text }

// Int returns the number of a bool (0 or 1), int, port or numeric enum
// value, and 0 for other types.
func (v Value) Int() int { return v.num }

// Bool reports whether the number of the value is not zero.
func (v Value) Bool() bool { return v.num != 0 }

// Secret reports whether the value belongs to a secret setting.
func (v Value) Secret() bool { return v.secret }

// valueProblem is what is wrong with a value: a sentence and a sentinel.
type valueProblem struct {
	problem string
	err     error
}

// value checks text against the setting and returns its canonical Value.
// Problem sentences never quote a secret's text.
func (s *Schema) value(st *Setting, text string) (Value, *valueProblem) {
	if text == "" && st.Type.emptyIsDefault() {
		text = st.Default
	}
	if p := checkValueText(text); p != "" {
		return Value{}, &valueProblem{p, ErrSyntax}
	}
	v := Value{text: text, secret: st.Secret}
	quoted := quote(st, text)
	switch st.Type {
	case TypeBool:
		switch text {
		case "0", "1":
			v.num = int(text[0] - '0')
		default:
			return Value{}, &valueProblem{quoted + " is not a boolean", ErrType}
		}
	case TypeInt, TypePort:
		n, err := strconv.Atoi(text)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return Value{}, &valueProblem{quoted + " is out of range", ErrRange}
			}
			return Value{}, &valueProblem{quoted + " is not a whole number", ErrType}
		}
		if n < st.Min || n > st.Max {
			return Value{}, &valueProblem{quoted + " is out of range", ErrRange}
		}
		v.num = n
		v.text = strconv.Itoa(n)
	case TypeEnum:
		i := indexFold(st.Values, text)
		if i < 0 {
			return Value{}, &valueProblem{quoted + " is not one of the choices", ErrEnum}
		}
		v.text = st.Values[i]
		v.num, _ = strconv.Atoi(v.text)
	case TypeString:
		if n := utf8.RuneCountInString(text); n > st.MaxLen {
			if st.Secret {
				return Value{}, &valueProblem{"value is too long", ErrTooLong}
			}
			return Value{}, &valueProblem{"value is too long (" + strconv.Itoa(n) + " characters)", ErrTooLong}
		}
	case TypeHost:
		if text != "" && !validHost(text) {
			return Value{}, &valueProblem{quoted + " is not a host name or IP address", ErrType}
		}
	case TypeHostPort:
		if text != "" && !validHostPort(text) {
			return Value{}, &valueProblem{quoted + " is not host or host:port", ErrType}
		}
	case TypeURL:
		if text != "" && !validURL(text) {
			return Value{}, &valueProblem{quoted + " is not an http, https or tftp URL", ErrType}
		}
	case TypeWindow:
		if text != "" {
			w, err := ParseWindow(text)
			if err != nil {
				return Value{}, &valueProblem{quoted + " is not a time window", ErrType}
			}
			v.text = w.String()
		}
	case TypeBase64:
		if text != "" {
			if raw, err := base64.StdEncoding.DecodeString(text); err != nil || len(raw) != st.Min {
				return Value{}, &valueProblem{quoted + " is not " + strconv.Itoa(st.Min) + " bytes in base64", ErrType}
			}
		}
	case TypeVersion:
		if text != "" {
			if _, err := parseVersion(text); err != nil {
				return Value{}, &valueProblem{quoted + " is not a version", ErrType}
			}
		}
	case TypeOptInt:
		if text != "" {
			n, err := strconv.Atoi(text)
			switch {
			case errors.Is(err, strconv.ErrRange):
				return Value{}, &valueProblem{quoted + " is out of range", ErrRange}
			case err != nil:
				return Value{}, &valueProblem{quoted + " is not a whole number", ErrType}
			case n < st.Min || n > st.Max:
				return Value{}, &valueProblem{quoted + " is out of range", ErrRange}
			}
			v.num, v.text = n, strconv.Itoa(n)
		}
	case TypeNumberPatterns:
		canon, problem := parseNumberPatterns(text)
		if problem != "" {
			return Value{}, &valueProblem{problem, ErrType}
		}
		v.text = canon.String()
	case TypeHostList:
		canon, bad := hostList(text)
		if bad != "" {
			return Value{}, &valueProblem{strconv.Quote(shorten(bad)) + " is not a host name, IP address or *.domain", ErrType}
		}
		v.text = canon
	case TypeDialCode:
		if strings.Trim(text, "0123456789*#+") != "" {
			return Value{}, &valueProblem{quoted + " is not a dial code", ErrType}
		}
	case TypeToken:
		if !validToken(text) {
			return Value{}, &valueProblem{quoted + " is not a SIP token", ErrType}
		}
	case TypeKeyList:
		canon, bad := s.keyList(text)
		if bad != "" {
			return Value{}, &valueProblem{strconv.Quote(shorten(bad)) + " is not a user-owned setting", ErrEnum}
		}
		v.text = canon
	}
	if st.MaxLen > 0 && st.Type != TypeString && len(v.text) > st.MaxLen {
		return Value{}, &valueProblem{"value is too long (" + strconv.Itoa(len(v.text)) + " bytes)", ErrTooLong}
	}
	return v, nil
}

// allowed is the "allowed" part of a value error; for key lists it is
// the generic rule, not the list of every key.
func allowed(st *Setting) string {
	if st.Type == TypeString && st.MaxLen > 0 {
		return "up to " + strconv.Itoa(st.MaxLen) + " characters"
	}
	return st.Allowed()
}

func quote(st *Setting, text string) string {
	if st.Secret {
		return "value"
	}
	return strconv.Quote(shorten(text))
}

func indexFold(values []string, s string) int {
	for i, v := range values {
		if v == s {
			return i
		}
	}
	for i, v := range values {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return -1
}

// keyList canonicalises "a, b ,c" to "a,b,c" and returns the first entry
// that is not "*" or a user-owned key.
func (s *Schema) keyList(text string) (canon, bad string) {
	if text == "" {
		return "", ""
	}
	parts := strings.Split(text, ",")
	for i, p := range parts {
		p = trimSpace(p)
		parts[i] = p
		if p == "*" {
			continue
		}
		j, ok := s.index[p]
		if !ok || s.settings[j].Owner != User {
			return "", p
		}
	}
	return strings.Join(parts, ","), ""
}

// validHost accepts an IP address or an RFC 1123 host name whose last
// label is not all digits (so a mistyped IP address is not a name).
func validHost(h string) bool {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Zone() == ""
	}
	if len(h) > 253 {
		return false
	}
	h = strings.TrimSuffix(h, ".")
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// validHostPort accepts host, host:port, a bare IPv6 address and
// [IPv6]:port.
func validHostPort(hp string) bool {
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return false
		}
		a, err := netip.ParseAddr(hp[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return false
		}
		rest := hp[end+1:]
		return rest == "" || rest[0] == ':' && validPort(rest[1:])
	}
	if strings.Count(hp, ":") > 1 {
		return validHost(hp)
	}
	host, port, hasPort := strings.Cut(hp, ":")
	return validHost(host) && (!hasPort || validPort(port))
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && p[0] != '+'
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "http", "https", "tftp":
	default:
		return false
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return false
	}
	return validHost(u.Hostname())
}
