package provisioning

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
)

// challenge is an HTTP authentication challenge (RFC 7617 Basic, RFC 7616
// Digest with MD5 or SHA-256, optionally -sess, qop=auth or none), and
// the nonce count of the answers given to it.
type challenge struct {
	scheme    string // "basic" or "digest"
	realm     string
	nonce     string
	opaque    string
	algorithm string // "MD5", "SHA-256", "MD5-sess", "SHA-256-sess"
	qopAuth   bool   // the server offered qop=auth
	stale     bool
	userhash  bool

	mu sync.Mutex
	nc uint32
}

// parseChallenges picks the strongest challenge the Fetcher can answer
// from the WWW-Authenticate header values: Digest SHA-256, then Digest
// MD5, then Basic. Each value is read as one challenge.
func parseChallenges(values []string) (*challenge, error) {
	var best *challenge
	rank := func(c *challenge) int {
		switch {
		case c.scheme == "basic":
			return 1
		case strings.HasPrefix(c.algorithm, "SHA-256"):
			return 3
		}
		return 2
	}
	for _, v := range values {
		c, ok := parseChallenge(v)
		if !ok {
			continue
		}
		if best == nil || rank(c) > rank(best) {
			best = c
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: no supported challenge (basic, digest MD5 or SHA-256 with qop=auth)", ErrAuth)
	}
	return best, nil
}

func parseChallenge(v string) (*challenge, bool) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	c := &challenge{scheme: strings.ToLower(scheme)}
	params := parseAuthParams(rest)
	c.realm = params["realm"]
	switch c.scheme {
	case "basic":
		return c, true
	case "digest":
	default:
		return nil, false
	}
	c.nonce = params["nonce"]
	c.opaque = params["opaque"]
	c.stale = strings.EqualFold(params["stale"], "true")
	c.userhash = strings.EqualFold(params["userhash"], "true")
	c.algorithm = "MD5"
	if a := params["algorithm"]; a != "" {
		switch strings.ToUpper(a) {
		case "MD5":
			c.algorithm = "MD5"
		case "MD5-SESS":
			c.algorithm = "MD5-sess"
		case "SHA-256":
			c.algorithm = "SHA-256"
		case "SHA-256-SESS":
			c.algorithm = "SHA-256-sess"
		default:
			return nil, false
		}
	}
	if qop, ok := params["qop"]; ok {
		for _, q := range strings.Split(qop, ",") {
			if strings.TrimSpace(q) == "auth" {
				c.qopAuth = true
			}
		}
		if !c.qopAuth {
			return nil, false // auth-int only
		}
	}
	if c.nonce == "" {
		return nil, false
	}
	return c, true
}

// parseAuthParams reads `name=value, name="quoted, value"` lists.
func parseAuthParams(s string) map[string]string {
	out := make(map[string]string)
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return out
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var value string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			value = b.String()
			if i < len(s) {
				i++
			}
			s = s[i:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			value = strings.TrimSpace(s[:end])
			s = s[end:]
		}
		out[name] = value
	}
}

// authorize returns the Authorization header answering c for a request.
// The password goes into hashes only, never into an error.
func (c *challenge) authorize(method, uri, user, pass string, rand io.Reader) (string, error) {
	if c.scheme == "basic" {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)), nil
	}
	newHash := md5.New
	if strings.HasPrefix(c.algorithm, "SHA-256") {
		newHash = sha256.New
	}
	h := func(parts ...string) string { return hashHex(newHash(), strings.Join(parts, ":")) }
	var cn [16]byte
	if _, err := io.ReadFull(rand, cn[:]); err != nil {
		return "", fmt.Errorf("digest client nonce: %w", err)
	}
	cnonce := hex.EncodeToString(cn[:])
	c.mu.Lock()
	c.nc++
	nc := fmt.Sprintf("%08x", c.nc)
	c.mu.Unlock()

	ha1 := h(user, c.realm, pass)
	if strings.HasSuffix(c.algorithm, "-sess") {
		ha1 = h(ha1, c.nonce, cnonce)
	}
	ha2 := h(method, uri)
	var response string
	if c.qopAuth {
		response = h(ha1, c.nonce, nc, cnonce, "auth", ha2)
	} else {
		response = h(ha1, c.nonce, ha2)
	}
	name := user
	if c.userhash {
		name = h(user, c.realm)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `Digest username=%s, realm=%s, nonce=%s, uri=%s, algorithm=%s, response="%s"`,
		quoteParam(name), quoteParam(c.realm), quoteParam(c.nonce), quoteParam(uri), c.algorithm, response)
	if c.opaque != "" {
		fmt.Fprintf(&b, ", opaque=%s", quoteParam(c.opaque))
	}
	if c.qopAuth {
		fmt.Fprintf(&b, `, qop=auth, nc=%s, cnonce="%s"`, nc, cnonce)
	}
	if c.userhash {
		b.WriteString(", userhash=true")
	}
	return b.String(), nil
}

func hashHex(h hash.Hash, s string) string {
	_, _ = io.WriteString(h, s) // a hash.Hash never fails to write
	return hex.EncodeToString(h.Sum(nil))
}

func quoteParam(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
