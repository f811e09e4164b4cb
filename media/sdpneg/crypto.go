package sdpneg

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// SRTPMode is a line's policy for media encryption (account.N.srtp):
// SRTP (RFC 3711) with keys exchanged in the SDP (SDES, RFC 4568).
type SRTPMode uint8

// SRTP modes.
const (
	// SRTPOff offers plain RTP, ignores a=crypto in offers and refuses
	// RTP/SAVP offers (ErrCrypto).
	SRTPOff SRTPMode = iota
	// SRTPOptional offers RTP/AVP with a=crypto lines (best-effort SRTP,
	// as baresip's "srtp" media encryption does) and encrypts whenever
	// the other side agrees; plain RTP otherwise.
	SRTPOptional
	// SRTPRequired offers RTP/SAVP and fails with ErrCrypto (answer 488,
	// or hang up) when the other side has no usable a=crypto line.
	SRTPRequired
)

var srtpModeNames = [...]string{"off", "optional", "required"}

// String returns the mode's provisioning value.
func (m SRTPMode) String() string {
	if int(m) < len(srtpModeNames) {
		return srtpModeNames[m]
	}
	return fmt.Sprintf("SRTPMode(%d)", uint8(m))
}

// ParseSRTPMode returns the mode named s ("off", "optional",
// "required"); "" is SRTPOff.
func ParseSRTPMode(s string) (SRTPMode, bool) {
	if s == "" {
		return SRTPOff, true
	}
	for i, n := range srtpModeNames {
		if n == s {
			return SRTPMode(i), true
		}
	}
	return SRTPOff, false
}

// CryptoSuite is an SRTP crypto suite of RFC 4568 §6.2 the phone
// supports. The zero value means none: plain RTP.
type CryptoSuite uint8

// Crypto suites. Both use AES-128 in counter mode and HMAC-SHA1 with the
// same 30-byte master key; they differ only in the length of the RTP
// authentication tag (SRTCP's is 80 bits with both).
const (
	SuiteAES80 CryptoSuite = iota + 1 // AES_CM_128_HMAC_SHA1_80
	SuiteAES32                        // AES_CM_128_HMAC_SHA1_32
)

var suiteNames = [...]string{"", "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"}

// String returns the suite's name in SDP.
func (c CryptoSuite) String() string {
	if c != 0 && int(c) < len(suiteNames) {
		return suiteNames[c]
	}
	return fmt.Sprintf("CryptoSuite(%d)", uint8(c))
}

// ParseCryptoSuite returns the suite with the given SDP name.
func ParseCryptoSuite(name string) (CryptoSuite, bool) {
	for i, n := range suiteNames {
		if i > 0 && n == name {
			return CryptoSuite(i), true
		}
	}
	return 0, false
}

// offeredSuites are the suites of the phone's offers, in preference
// order; the tag of suite i is i+1.
var offeredSuites = [...]CryptoSuite{SuiteAES80, SuiteAES32}

// MasterKeyLen is the length of an SRTP master key and salt together:
// 16 bytes of AES-128 key, then 14 of salt.
const MasterKeyLen = 30

// MasterKey is an SRTP master key followed by its master salt, as the
// inline key parameter of a=crypto carries it.
type MasterKey [MasterKeyLen]byte

// NewMasterKey returns a fresh random master key and salt from
// crypto/rand.
func NewMasterKey() MasterKey {
	var k MasterKey
	rand.Read(k[:]) // never fails (Go 1.24): it crashes the program instead
	return k
}

// Key returns the 16-byte master key.
func (k *MasterKey) Key() []byte { return k[:16] }

// Salt returns the 14-byte master salt.
func (k *MasterKey) Salt() []byte { return k[16:] }

// Crypto is one usable a=crypto attribute (RFC 4568 §9.1): a tag, a
// suite and one inline master key.
type Crypto struct {
	Tag   uint32 // 0..999999999, unique within the media description
	Suite CryptoSuite
	Key   MasterKey
}

// String returns the attribute's value, e.g.
// "1 AES_CM_128_HMAC_SHA1_80 inline:<base64 key and salt>".
func (c Crypto) String() string {
	return strconv.FormatUint(uint64(c.Tag), 10) + " " + c.Suite.String() + " inline:" + base64.StdEncoding.EncodeToString(c.Key[:])
}

// ParseCrypto parses the value of an a=crypto attribute. It accepts
// lines the phone can use: a suite it has, exactly one inline key of the
// right length, an optional lifetime (ignored: the phone never rekeys and
// a call ends long before 2^31 packets), no MKI and no session
// parameters. Anything else fails with ErrCrypto.
func ParseCrypto(value string) (Crypto, error) {
	var c Crypto
	f := strings.Fields(value)
	if len(f) < 3 {
		return c, fmt.Errorf("%w: %q: want tag, suite and key", ErrCrypto, value)
	}
	if len(f) > 3 {
		return c, fmt.Errorf("%w: %q: session parameters are not supported", ErrCrypto, value)
	}
	if len(f[0]) > 9 {
		return c, fmt.Errorf("%w: tag %q", ErrCrypto, f[0])
	}
	tag, err := strconv.ParseUint(f[0], 10, 32)
	if err != nil {
		return c, fmt.Errorf("%w: tag %q", ErrCrypto, f[0])
	}
	c.Tag = uint32(tag)
	var ok bool
	if c.Suite, ok = ParseCryptoSuite(f[1]); !ok {
		return c, fmt.Errorf("%w: suite %q is not supported", ErrCrypto, f[1])
	}
	if strings.Contains(f[2], ";") {
		return c, fmt.Errorf("%w: more than one key", ErrCrypto)
	}
	method, info, ok := strings.Cut(f[2], ":")
	if !ok || method != "inline" {
		return c, fmt.Errorf("%w: key method %q", ErrCrypto, method)
	}
	keySalt, rest, _ := strings.Cut(info, "|")
	if rest != "" {
		lifetime, mki, _ := strings.Cut(rest, "|")
		if strings.Contains(lifetime, ":") {
			mki, lifetime = lifetime, ""
		}
		if mki != "" {
			return c, fmt.Errorf("%w: MKI is not supported", ErrCrypto)
		}
		if !validLifetime(lifetime) {
			return c, fmt.Errorf("%w: lifetime %q", ErrCrypto, lifetime)
		}
	}
	key, err := base64.StdEncoding.Strict().DecodeString(keySalt)
	if err != nil || len(key) != MasterKeyLen {
		return c, fmt.Errorf("%w: inline key is not %d bytes of base64", ErrCrypto, MasterKeyLen)
	}
	copy(c.Key[:], key)
	return c, nil
}

// validLifetime reports whether s is a key lifetime: decimal or 2^n.
func validLifetime(s string) bool {
	digits := strings.TrimPrefix(s, "2^")
	if digits == "" || len(digits) > 20 {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// secureProto reports whether an m= line's transport is SRTP's.
func secureProto(proto string) bool { return proto == "RTP/SAVP" || proto == "RTP/SAVPF" }

// answerCrypto picks the crypto for answering r under mode: the first
// usable a=crypto line of the offer, or none for plain RTP.
func answerCrypto(r Remote, mode SRTPMode) (Crypto, error) {
	secure := secureProto(r.Proto)
	if mode == SRTPOff {
		if secure {
			return Crypto{}, fmt.Errorf("%w: the offer is %s and SRTP is off", ErrCrypto, r.Proto)
		}
		return Crypto{}, nil
	}
	if len(r.Crypto) > 0 {
		return r.Crypto[0], nil
	}
	if secure || mode == SRTPRequired {
		return Crypto{}, fmt.Errorf("%w: the %s offer has no usable a=crypto line (%d in all); SRTP is %v", ErrCrypto, r.Proto, r.CryptoLines, mode)
	}
	return Crypto{}, nil
}

// CheckCrypto reports whether an offer can be answered under mode as
// far as encryption goes (ErrCrypto if not), so that a line requiring
// SRTP refuses a plain call with 488 before it rings. Codecs are checked
// when the call is answered.
func CheckCrypto(offer []byte, mode SRTPMode) error {
	r, err := Describe(offer)
	if err != nil {
		return err
	}
	_, err = answerCrypto(r, mode)
	return err
}

// answeredCrypto reads the crypto of an answer to the phone's offer
// under mode: the first line whose tag and suite are one the phone
// offered.
func answeredCrypto(r Remote, mode SRTPMode) (Crypto, error) {
	if mode == SRTPOff {
		return Crypto{}, nil // nothing was offered
	}
	for _, c := range r.Crypto {
		if c.Tag >= 1 && int(c.Tag) <= len(offeredSuites) && offeredSuites[c.Tag-1] == c.Suite {
			return c, nil
		}
	}
	if r.CryptoLines > 0 || secureProto(r.Proto) || mode == SRTPRequired {
		return Crypto{}, fmt.Errorf("%w: the %s answer has no a=crypto line matching the offer (%d in all); SRTP is %v", ErrCrypto, r.Proto, r.CryptoLines, mode)
	}
	return Crypto{}, nil
}
