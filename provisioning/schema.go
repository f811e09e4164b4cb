package provisioning

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Type is the kind of value a setting holds.
type Type int

// The setting types. Every type but TypeString, TypeHost, TypeHostPort,
// TypeURL, TypeKeyList, TypeWindow, TypeBase64, TypeVersion, TypeOptInt,
// TypeNumberPatterns, TypeHostList, TypeDialCode and TypeToken treats an
// empty value as "reset to default".
const (
	TypeBool           Type = iota + 1 // 0 or 1
	TypeInt                            // whole number in Min..Max
	TypeString                         // UTF-8 text of at most MaxLen characters
	TypeEnum                           // one of Values (matched ignoring case)
	TypePort                           // 1..65535
	TypeHost                           // host name or IP address, or empty
	TypeHostPort                       // host[:port], IPv6 in brackets, or empty
	TypeURL                            // http://, https:// or tftp:// URL, or empty
	TypeKeyList                        // "*" or comma-separated user-owned keys
	TypeWindow                         // daily time window "HH:MM-HH:MM", or empty
	TypeBase64                         // Min bytes in standard base64 (keys, signatures), or empty
	TypeVersion                        // dotted numbers ("1.4.2"), or empty
	TypeOptInt                         // whole number in Min..Max, or empty for "not set" (inherit)
	TypeNumberPatterns                 // comma-separated number patterns (see NumberPatterns), or empty
	TypeHostList                       // comma-separated hosts, "*.domain" for subdomains, or empty
	TypeDialCode                       // digits, '*', '#' and '+' as dialled (a feature code), or empty
	TypeToken                          // a SIP token, e.g. a header name ("X-Record"), or empty
)

// String names the type as the admin reference does.
func (t Type) String() string {
	switch t {
	case TypeBool:
		return "bool"
	case TypeInt:
		return "int"
	case TypeString:
		return "string"
	case TypeEnum:
		return "enum"
	case TypePort:
		return "port"
	case TypeHost:
		return "host"
	case TypeHostPort:
		return "host[:port]"
	case TypeURL:
		return "url"
	case TypeKeyList:
		return "key list"
	case TypeWindow:
		return "time window"
	case TypeBase64:
		return "base64"
	case TypeVersion:
		return "version"
	case TypeOptInt:
		return "int or empty"
	case TypeNumberPatterns:
		return "number patterns"
	case TypeHostList:
		return "host list"
	case TypeDialCode:
		return "dial code"
	case TypeToken:
		return "token"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// emptyIsDefault reports whether "key =" resets the setting to its default
// rather than setting it to the empty string.
func (t Type) emptyIsDefault() bool {
	switch t {
	case TypeBool, TypeInt, TypeEnum, TypePort:
		return true
	}
	return false
}

// Owner says who may change a setting.
type Owner int

// The owners. Admin-owned settings come only from provisioning files.
// User-owned settings can also be changed on the phone; such a local
// change survives re-provisioning unless the admin locks the key with
// provisioning.override_local.
const (
	Admin Owner = iota + 1
	User
)

// String returns "admin" or "user".
func (o Owner) String() string {
	switch o {
	case Admin:
		return "admin"
	case User:
		return "user"
	}
	return "Owner(" + strconv.Itoa(int(o)) + ")"
}

// Setting describes one key of the schema. Settings returned by a Schema
// are copies; changing them changes nothing.
type Setting struct {
	Key     string   // full key, e.g. "account.1.sip_server.2.port"
	Pattern string   // key with placeholders, e.g. "account.N.sip_server.M.port"
	Type    Type     // kind of value
	Min     int      // TypeInt: smallest allowed value; TypeBase64: bytes decoded
	Max     int      // TypeInt: largest allowed value
	MaxLen  int      // longest value: characters for strings, bytes for hosts, URLs, key lists
	Values  []string // TypeEnum: the choices, canonical spelling
	Default string   // value when no layer sets it, canonical text
	Help    string   // one or two sentences for the admin reference
	Owner   Owner    // Admin or User
	Secret  bool     // never shown in logs, errors, String or dumps
}

// Allowed describes the values the setting accepts, as error messages and
// the admin reference print it ("1..65535", "udp, tcp, tls").
func (st *Setting) Allowed() string {
	switch st.Type {
	case TypeBool:
		return "0 or 1"
	case TypeInt:
		return strconv.Itoa(st.Min) + ".." + strconv.Itoa(st.Max)
	case TypePort:
		return "1..65535"
	case TypeEnum:
		return strings.Join(st.Values, ", ")
	case TypeString:
		return "up to " + strconv.Itoa(st.MaxLen) + " characters"
	case TypeHost:
		return "a host name or IP address"
	case TypeHostPort:
		return "host or host:port"
	case TypeURL:
		return "an http://, https:// or tftp:// URL"
	case TypeKeyList:
		return "* or comma-separated user-owned keys"
	case TypeWindow:
		return "HH:MM-HH:MM"
	case TypeBase64:
		return strconv.Itoa(st.Min) + " bytes in base64"
	case TypeVersion:
		return "dotted numbers, e.g. 1.4.2"
	case TypeOptInt:
		return strconv.Itoa(st.Min) + ".." + strconv.Itoa(st.Max) + ", or empty to inherit"
	case TypeNumberPatterns:
		return "comma-separated patterns of 0-9 * # +, x (any digit), [1-5] (one of), a final . (repeat the last)"
	case TypeHostList:
		return "comma-separated host names or IP addresses; *.domain matches its subdomains"
	case TypeDialCode:
		return "0-9 * # +"
	case TypeToken:
		return "a SIP token (letters, digits, - . ! % * _ + ` ' ~)"
	}
	return ""
}

// Schema is the table of every setting the phone knows. A Schema is
// immutable once built and safe for concurrent use; methods that add to
// it return a new Schema.
type Schema struct {
	settings []Setting
	index    map[string]int // key → position in settings
	masks    []uint64       // charMask of each key, for suggest
}

// DefaultSchema returns the phone's schema: every setting with its type,
// range, default, owner and help. Each call builds a fresh Schema, so
// build one at start-up and share it.
func DefaultSchema() *Schema {
	return newSchema(defaultSettings())
}

func newSchema(settings []Setting) *Schema {
	s := &Schema{settings: settings, index: make(map[string]int, len(settings)), masks: make([]uint64, len(settings))}
	for i := range settings {
		s.index[settings[i].Key] = i
		s.masks[i] = charMask(settings[i].Key)
	}
	return s
}

// Setting returns the setting for key.
func (s *Schema) Setting(key string) (Setting, bool) {
	i, ok := s.index[key]
	if !ok {
		return Setting{}, false
	}
	st := s.settings[i]
	st.Values = slices.Clone(st.Values)
	return st, true
}

// Settings returns every setting in schema order: account 1 (its servers
// together), account 2, then the phone-wide settings by subsystem.
func (s *Schema) Settings() []Setting {
	out := slices.Clone(s.settings)
	for i := range out {
		out[i].Values = slices.Clone(out[i].Values)
	}
	return out
}

// WithEnumValues returns a copy of s in which the enum setting key also
// accepts values. The UI uses it to register the language codes it has
// translations for:
//
//	schema, err = schema.WithEnumValues("phone.language", "de", "fr")
//
// Values already allowed are skipped. A value must be non-empty and hold
// no whitespace, '#' or ','.
func (s *Schema) WithEnumValues(key string, values ...string) (*Schema, error) {
	i, ok := s.index[key]
	if !ok {
		return nil, fmt.Errorf("add values to %s: %w", key, ErrUnknownKey)
	}
	if s.settings[i].Type != TypeEnum {
		return nil, fmt.Errorf("add values to %s: %s is not an enum: %w", key, s.settings[i].Type, ErrType)
	}
	add := slices.Clone(s.settings[i].Values)
	for _, v := range values {
		if v == "" || strings.ContainsAny(v, " \t#,") || checkValueText(v) != "" {
			return nil, fmt.Errorf("add values to %s: %q: %w", key, v, ErrSyntax)
		}
		if !slices.ContainsFunc(add, func(have string) bool { return strings.EqualFold(have, v) }) {
			add = append(add, v)
		}
	}
	out := &Schema{settings: slices.Clone(s.settings), index: s.index, masks: s.masks}
	out.settings[i].Values = add
	return out, nil
}
