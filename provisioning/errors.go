package provisioning

import "errors"

// Sentinel errors. Every problem the package reports is an *Issue that
// wraps one of these, so errors.Is works on a single Issue and on an
// ErrorList alike.
var (
	// ErrSyntax: a line is not "key = value", or a key has bad characters.
	ErrSyntax = errors.New("provisioning: syntax error")
	// ErrEncoding: the file is not UTF-8 text (binary data, NUL bytes,
	// invalid UTF-8, control characters).
	ErrEncoding = errors.New("provisioning: not UTF-8 text")
	// ErrTooLarge: the file is larger than MaxFileSize.
	ErrTooLarge = errors.New("provisioning: file too large")
	// ErrDuplicate: a key is set twice in one file.
	ErrDuplicate = errors.New("provisioning: duplicate key")
	// ErrUnknownKey: the key is not in the schema. In files it is only a
	// warning; the entry is ignored.
	ErrUnknownKey = errors.New("provisioning: unknown key")
	// ErrType: the value is not of the setting's type.
	ErrType = errors.New("provisioning: wrong type")
	// ErrRange: a number is outside the setting's range.
	ErrRange = errors.New("provisioning: out of range")
	// ErrEnum: the value is not one of the setting's choices.
	ErrEnum = errors.New("provisioning: not an allowed value")
	// ErrTooLong: a string is longer than the setting allows.
	ErrTooLong = errors.New("provisioning: value too long")
	// ErrConflict: settings that are each valid contradict each other
	// (rtp.port_min not below rtp.port_max, an enabled account without a
	// server).
	ErrConflict = errors.New("provisioning: settings conflict")
	// ErrNotUserOwned: a local change on the phone names an admin-owned
	// setting.
	ErrNotUserOwned = errors.New("provisioning: setting is admin-owned")
	// ErrLocked: a local change names a user-owned setting that the admin
	// locked with provisioning.override_local.
	ErrLocked = errors.New("provisioning: setting locked by provisioning.override_local")
)
