package dtmf

import "fmt"

// Digit is a DTMF key, numbered as the RFC 4733 event code: 0-9, then *,
// #, A-D, and Flash (hook flash, RFC 4733 event 16).
type Digit uint8

// The digits.
const (
	Digit0 Digit = iota
	Digit1
	Digit2
	Digit3
	Digit4
	Digit5
	Digit6
	Digit7
	Digit8
	Digit9
	Star  // *
	Pound // #
	DigitA
	DigitB
	DigitC
	DigitD
	Flash // hook flash; RFC 4733 only, no tone pair
)

const digitRunes = "0123456789*#ABCD!"

// String returns the key as text: "0".."9", "*", "#", "A".."D", "flash".
func (d Digit) String() string {
	switch {
	case d == Flash:
		return "flash"
	case d < Flash:
		return digitRunes[d : d+1]
	}
	return fmt.Sprintf("Digit(%d)", uint8(d))
}

// Rune returns the key's character ('!' for Flash, as SIP INFO and
// dial strings write it), or 0 if d is not a digit.
func (d Digit) Rune() rune {
	if d <= Flash {
		return rune(digitRunes[d])
	}
	return 0
}

// Valid reports whether d is a digit.
func (d Digit) Valid() bool { return d <= Flash }

// ParseDigit returns the digit for a key character: 0-9, *, #, A-D (or
// a-d), and '!' for Flash.
func ParseDigit(r rune) (Digit, error) {
	switch {
	case r >= '0' && r <= '9':
		return Digit(r - '0'), nil
	case r == '*':
		return Star, nil
	case r == '#':
		return Pound, nil
	case r >= 'A' && r <= 'D':
		return DigitA + Digit(r-'A'), nil
	case r >= 'a' && r <= 'd':
		return DigitA + Digit(r-'a'), nil
	case r == '!':
		return Flash, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrDigit, r)
}

// ParseSignal reads the Signal value of an application/dtmf-relay SIP
// INFO body: a key character, or the event code 10 (*), 11 (#) or 16
// (flash) that some phones send instead.
func ParseSignal(s string) (Digit, error) {
	switch s {
	case "10":
		return Star, nil
	case "11":
		return Pound, nil
	case "16":
		return Flash, nil
	}
	if len(s) != 1 {
		return 0, fmt.Errorf("%w: signal %q", ErrDigit, s)
	}
	return ParseDigit(rune(s[0]))
}

// Frequencies returns the row (low) and column (high) frequency in Hz of
// the digit's tone pair, and false for Flash, which has none.
func (d Digit) Frequencies() (low, high float64, ok bool) {
	if d >= Flash {
		return 0, 0, false
	}
	r, c := keypadPosition(d)
	return rowFreqs[r], colFreqs[c], true
}

// The keypad grid (ITU-T Q.23).
var (
	rowFreqs = [4]float64{697, 770, 852, 941}
	colFreqs = [4]float64{1209, 1336, 1477, 1633}
	// keypad[row][col] is the digit at that key.
	keypad = [4][4]Digit{
		{Digit1, Digit2, Digit3, DigitA},
		{Digit4, Digit5, Digit6, DigitB},
		{Digit7, Digit8, Digit9, DigitC},
		{Star, Digit0, Pound, DigitD},
	}
)

func keypadPosition(d Digit) (row, col int) {
	for r := range keypad {
		for c := range keypad[r] {
			if keypad[r][c] == d {
				return r, c
			}
		}
	}
	return 0, 0
}
