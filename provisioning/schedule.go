package provisioning

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is a daily maintenance window in the phone's local time, from
// Start up to (not including) End, in minutes after midnight. A window
// whose End is before its Start wraps midnight (22:00-02:00). The zero
// Window is "any time". Windows are plain values.
type Window struct {
	Start, End int // minutes after midnight, 0..1439
	Set        bool
}

// ParseWindow reads "HH:MM-HH:MM"; "" is the zero Window (any time).
func ParseWindow(s string) (Window, error) {
	if s == "" {
		return Window{}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Window{}, fmt.Errorf("window %q: %w: want HH:MM-HH:MM", s, ErrSyntax)
	}
	start, err1 := parseClock(strings.TrimSpace(from))
	end, err2 := parseClock(strings.TrimSpace(to))
	if err1 != nil || err2 != nil || start == end {
		return Window{}, fmt.Errorf("window %q: %w: want HH:MM-HH:MM with different ends", s, ErrSyntax)
	}
	return Window{Start: start, End: end, Set: true}, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, ErrSyntax
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, ErrSyntax
	}
	return hh*60 + mm, nil
}

// length is the window's length in minutes.
func (w Window) length() int {
	if w.End > w.Start {
		return w.End - w.Start
	}
	return w.End + 24*60 - w.Start
}

// Contains reports whether t (in its own location) falls in the window.
// The zero Window contains every time.
func (w Window) Contains(t time.Time) bool {
	if !w.Set {
		return true
	}
	m := t.Hour()*60 + t.Minute()
	if w.End > w.Start {
		return m >= w.Start && m < w.End
	}
	return m >= w.Start || m < w.End
}

// String returns "HH:MM-HH:MM", or "" for the zero Window.
func (w Window) String() string {
	if !w.Set {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// NextCheck returns when the periodic check after now is due: interval
// spread by ±jitterPercent (r in [0,1) picks the point: 0 is the
// earliest, 0.5 exactly interval), then, when that moment is outside
// window, moved into the next opening of window at the point r2 in [0,1)
// picks along it. So a thousand phones with the same settings spread
// over the jitter and the window instead of asking in the same second.
func NextCheck(now time.Time, interval time.Duration, jitterPercent int, window Window, r, r2 float64) time.Time {
	spread := float64(interval) * float64(jitterPercent) / 100
	next := now.Add(interval + time.Duration(spread*(2*r-1)))
	if !window.Set || window.Contains(next) {
		return next
	}
	y, mo, d := next.Date()
	start := time.Date(y, mo, d, 0, 0, 0, 0, next.Location()).Add(time.Duration(window.Start) * time.Minute)
	if !start.After(next) {
		start = start.AddDate(0, 0, 1)
	}
	return start.Add(time.Duration(r2 * float64(window.length()) * float64(time.Minute)))
}

// version is a dotted-number version, compared numerically.
type version []int

func parseVersion(s string) (version, error) {
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	v := make(version, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return nil, fmt.Errorf("version %q: %w: want dotted numbers", s, ErrSyntax)
		}
		v[i] = n
	}
	return v, nil
}

// CompareVersions compares dotted-number versions numerically ("1.10" is
// after "1.9"; "1.2" equals "1.2.0"): -1, 0 or +1. A version that does
// not parse fails with ErrSyntax.
func CompareVersions(a, b string) (int, error) {
	va, err := parseVersion(a)
	if err != nil {
		return 0, err
	}
	vb, err := parseVersion(b)
	if err != nil {
		return 0, err
	}
	for i := 0; i < max(len(va), len(vb)); i++ {
		x, y := 0, 0
		if i < len(va) {
			x = va[i]
		}
		if i < len(vb) {
			y = vb[i]
		}
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		}
	}
	return 0, nil
}
