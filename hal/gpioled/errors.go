package gpioled

import "errors"

// ErrBadPins reports a pin map New cannot use: an unknown LED or an LED
// without a pin. New wraps it with the LED at fault.
var ErrBadPins = errors.New("gpioled: invalid pin map")
