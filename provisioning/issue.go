package provisioning

import (
	"strconv"
	"strings"
)

// Issue is one problem found in a provisioning file or a local change:
// where it is, which key, what is wrong and what would be allowed. Its
// Error text reads
//
//	file:line: key: problem; allowed what
//
// leaving out the parts that are empty. An Issue never holds the value of
// a secret setting. Issues are plain values, safe to share once built.
type Issue struct {
	File    string // file name as given to Parse; "local" for local changes
	Line    int    // 1-based line number, or 0 when the issue has no line
	Key     string // the setting's key, or "" when the line has none
	Problem string // what is wrong
	Allowed string // what would be accepted, or ""
	Err     error  // the sentinel: ErrSyntax, ErrRange, ...
	Warning bool   // true for problems that do not reject the file
}

// Error formats the issue as "file:line: key: problem; allowed what".
func (i *Issue) Error() string {
	var b strings.Builder
	b.Grow(len(i.File) + len(i.Key) + len(i.Problem) + len(i.Allowed) + 24)
	if i.File != "" {
		b.WriteString(i.File)
		if i.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(i.Line))
		}
		b.WriteString(": ")
	}
	if i.Key != "" {
		b.WriteString(i.Key)
		b.WriteString(": ")
	}
	b.WriteString(i.Problem)
	if i.Allowed != "" {
		b.WriteString("; allowed ")
		b.WriteString(i.Allowed)
	}
	return b.String()
}

// Unwrap returns the sentinel error, for errors.Is.
func (i *Issue) Unwrap() error { return i.Err }

// ErrorList is every issue found in one pass, in file and line order. Its
// Error text has one issue per line. errors.Is and errors.As look through
// it at each Issue. An ErrorList is not safe for concurrent modification.
type ErrorList []*Issue

// Error prints one issue per line.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for n, i := range l {
		if n > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(i.Error())
	}
	return b.String()
}

// Unwrap returns the issues, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for n, i := range l {
		errs[n] = i
	}
	return errs
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// split separates errors from warnings.
func (l ErrorList) split() (errs, warnings ErrorList) {
	for _, i := range l {
		if i.Warning {
			warnings = append(warnings, i)
		} else {
			errs = append(errs, i)
		}
	}
	return errs, warnings
}
