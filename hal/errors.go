package hal

import "errors"

// Errors shared by drivers.
var (
	ErrClosed      = errors.New("hal: closed")
	ErrOutOfRange  = errors.New("hal: value out of range")
	ErrUnsupported = errors.New("hal: not supported by this hardware")
)
