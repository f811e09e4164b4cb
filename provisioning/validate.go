package provisioning

import (
	"math/bits"
	"strings"
)

// layerValue is one validated entry of a file.
type layerValue struct {
	index int // position in Schema.settings
	line  int
	value Value
}

// layer is a validated file: its name and values in line order.
type layer struct {
	name   string
	values []layerValue
}

// Check validates every entry of f against s and returns all problems,
// errors and warnings together (Issue.Warning tells them apart), in line
// order. Unknown keys are warnings carrying a "did you mean" hint when a
// known key is close. Check sees one file: rules that span settings
// (rtp.port_min below rtp.port_max) are checked by Merge, which sees the
// merged result. Check is what "ccprov validate" reports.
func (s *Schema) Check(f *File) ErrorList {
	_, issues := s.validate(f)
	return issues
}

func (s *Schema) validate(f *File) (layer, ErrorList) {
	l := layer{name: f.Name, values: make([]layerValue, 0, len(f.Entries))}
	var issues ErrorList
	for _, e := range f.Entries {
		i, ok := s.index[e.Key]
		if !ok {
			issues = append(issues, s.unknownKey(f.Name, e.Line, e.Key))
			continue
		}
		st := &s.settings[i]
		v, p := s.value(st, e.Value)
		if p != nil {
			issues = append(issues, &Issue{File: f.Name, Line: e.Line, Key: e.Key,
				Problem: p.problem, Allowed: allowed(st), Err: p.err})
			continue
		}
		l.values = append(l.values, layerValue{index: i, line: e.Line, value: v})
	}
	return l, issues
}

func (s *Schema) unknownKey(file string, line int, key string) *Issue {
	i := &Issue{File: file, Line: line, Key: key, Problem: "unknown setting, ignored", Err: ErrUnknownKey, Warning: true}
	if near := s.suggest(key); near != "" {
		i.Problem += "; did you mean " + near + "?"
	}
	return i
}

// suggest returns the known key closest to key, or "" when none is close
// enough to be a typo: within 1 edit for short keys, 2 up to 12
// characters, 3 beyond. Files full of keys for other phone models are
// common, so candidates are first sifted cheaply by length and by the set
// of characters they use (one edit changes that set by at most two).
func (s *Schema) suggest(key string) string {
	lower := strings.ToLower(key)
	limit := 3
	switch {
	case len(lower) <= 5:
		limit = 1
	case len(lower) <= 12:
		limit = 2
	}
	mask := charMask(lower)
	best, bestDist := "", limit+1
	for i := range s.settings {
		cand := s.settings[i].Key
		if d := len(cand) - len(lower); d >= bestDist || -d >= bestDist {
			continue
		}
		if bits.OnesCount64(mask^s.masks[i]) > 2*(bestDist-1) {
			continue
		}
		if d := editDistance(lower, cand, bestDist-1); d < bestDist {
			best, bestDist = cand, d
		}
	}
	return best
}

// charMask has one bit per kind of character in s.
func charMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		var bit uint
		switch {
		case c >= 'a' && c <= 'z':
			bit = uint(c - 'a')
		case c >= '0' && c <= '9':
			bit = 26 + uint(c-'0')
		case c == '.':
			bit = 36
		case c == '_':
			bit = 37
		case c == '-':
			bit = 38
		default:
			bit = 39 + uint(c)%25
		}
		m |= 1 << bit
	}
	return m
}

// editDistance is the optimal-string-alignment distance of a and b in
// bytes (insertions, deletions, substitutions and swaps of neighbours each
// cost 1), or limit+1 as soon as it is certain to exceed limit. Only the
// band of cells within limit of the diagonal is computed.
func editDistance(a, b string, limit int) int {
	const maxLen = 128
	if limit < 0 || len(b)+1 > maxLen || len(a)-len(b) > limit || len(b)-len(a) > limit {
		return limit + 1
	}
	far := limit + 1 // stands for every cell outside the band
	var rows [3][maxLen]int
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = min(j, far)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		cur[0] = min(i, far)
		if lo > 1 {
			cur[lo-1] = far
		}
		rowMin := cur[0]
		if lo > 1 {
			rowMin = far
		}
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j-1]+cost, prev[j]+1, cur[j-1]+1)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			d = min(d, far)
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		if hi < len(b) {
			cur[hi+1] = far
		}
		if rowMin > limit {
			return far
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], far)
}
