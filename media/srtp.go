package media

import (
	"fmt"

	"github.com/pion/srtp/v3"

	"ccphone/media/rtpio"
	"ccphone/media/sdpneg"
)

// newSRTP makes the SRTP contexts for a session that negotiated a crypto
// suite (in the caller's goroutine: key derivation allocates).
func newSRTP(s sdpneg.Session) (*rtpio.SRTP, error) {
	var profile srtp.ProtectionProfile
	switch s.SRTP {
	case sdpneg.SuiteAES80:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_80
	case sdpneg.SuiteAES32:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_32
	default:
		return nil, fmt.Errorf("%w: crypto suite %v", ErrSRTP, s.SRTP)
	}
	p, err := rtpio.NewSRTP(profile, s.SendKey[:], s.RecvKey[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSRTP, err)
	}
	return p, nil
}
