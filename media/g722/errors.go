package g722

import "errors"

// ErrMode reports a G.722 mode other than Mode1, Mode2 or Mode3.
var ErrMode = errors.New("g722: unknown mode")
