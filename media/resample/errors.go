package resample

import "errors"

// ErrRate means a sample rate, or the pair of them, is not supported.
var ErrRate = errors.New("resample: unsupported rate")
