package cc800

import "errors"

// Problems a board file or Open can report. Each arrives wrapped in a
// *Problem naming the file, line and setting; test with errors.Is.
var (
	ErrSyntax         = errors.New("cc800: not a key = value line")
	ErrUnknownSetting = errors.New("cc800: unknown setting")
	ErrBadValue       = errors.New("cc800: bad value")
	ErrMissing        = errors.New("cc800: missing setting")
	ErrTwice          = errors.New("cc800: set twice")
	ErrPinReused      = errors.New("cc800: pin used twice")
	ErrUnknownKey     = errors.New("cc800: unknown key name")
	ErrKeyReused      = errors.New("cc800: key mapped twice")
	ErrNoPin          = errors.New("cc800: no such pin")
	ErrNoSPI          = errors.New("cc800: cannot open SPI port")
)
