package gpiokeys

import (
	"errors"
	"fmt"
)

// Errors returned by the constructors and Run, wrapped with context.
var (
	// ErrBadConfig reports pins or Opts the constructor cannot use.
	ErrBadConfig = errors.New("gpiokeys: invalid configuration")
	// ErrPin reports a pin that refused to be configured.
	ErrPin = errors.New("gpiokeys: pin setup failed")
)

func wrapf(err error, format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{err}, a...)...)
}
