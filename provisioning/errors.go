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

// Sentinel errors of fetching, trust and firmware. Errors returned by
// Fetcher, Provisioner and Firmware wrap one of these with the URL or file
// at fault (never a password or key).
var (
	// ErrNotFound: the server has no such file (HTTP 404, TFTP "file not
	// found", no such local file).
	ErrNotFound = errors.New("provisioning: file not found")
	// ErrHTTPStatus: the server answered with a status other than 200,
	// 304 or 404; FetchError.Status holds it.
	ErrHTTPStatus = errors.New("provisioning: server error")
	// ErrTimeout: the fetch took longer than its timeout (connect,
	// request and transfer together), or a TFTP server did not answer.
	ErrTimeout = errors.New("provisioning: timed out")
	// ErrStalled: the server stopped sending in the middle of a file.
	ErrStalled = errors.New("provisioning: server stalled")
	// ErrTruncated: the transfer ended before the length the server
	// announced.
	ErrTruncated = errors.New("provisioning: download truncated")
	// ErrAuth: the server refused the credentials (HTTP 401 after
	// answering its challenge) or asked for an unsupported scheme.
	ErrAuth = errors.New("provisioning: authentication failed")
	// ErrUnsupportedURL: the URL's scheme is not http, https, tftp or
	// file.
	ErrUnsupportedURL = errors.New("provisioning: unsupported URL")
	// ErrNoServer: neither provisioning.server_url nor DHCP names a
	// provisioning server.
	ErrNoServer = errors.New("provisioning: no provisioning server")
	// ErrSignature: a file's signature is missing, malformed or does not
	// verify with provisioning.signing_key.
	ErrSignature = errors.New("provisioning: bad signature")
	// ErrDecrypt: an encrypted file does not decrypt with this phone's
	// device key (made for another phone, altered, or not encrypted when
	// it must be).
	ErrDecrypt = errors.New("provisioning: cannot decrypt")
	// ErrBadKey: a key (signing, device, firmware) is not of the right
	// form.
	ErrBadKey = errors.New("provisioning: bad key")
	// ErrLease: the DHCP lease file cannot be read or understood.
	ErrLease = errors.New("provisioning: bad DHCP lease")
	// ErrDowngrade: the firmware offered is older than the running one and
	// firmware.allow_downgrade is off.
	ErrDowngrade = errors.New("provisioning: firmware downgrade not allowed")
	// ErrFirmware: the firmware layout is not in a state that allows the
	// operation (nothing staged, nothing to roll back to).
	ErrFirmware = errors.New("provisioning: firmware")
)
