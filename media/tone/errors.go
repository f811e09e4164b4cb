package tone

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrSyntax means a tone string does not follow the notation.
	ErrSyntax = errors.New("tone: bad tone")
	// ErrCountry means there is no built-in plan for a country.
	ErrCountry = errors.New("tone: unknown country")
)
