package st7565

import "errors"

// ErrBadOpts reports Opts outside the controller's ranges. New wraps it
// with the offending field.
var ErrBadOpts = errors.New("st7565: invalid options")
