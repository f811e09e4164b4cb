package rtpio

import (
	"fmt"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// ReplayWindow is how many packets back SRTP and SRTCP replay
// protection remembers (RFC 3711 §3.3.2 asks for at least 64): 2.5 s of
// 20 ms frames, more than the jitter buffer ever waits for.
const ReplayWindow = 128

// srtpMaxOverhead is the most SRTP adds to an RTP packet: an 80-bit
// authentication tag (no MKI).
const srtpMaxOverhead = 10

// SRTP is the protection of one stream (RFC 3711): a pion/srtp context
// for what the stream sends, keyed with the phone's master key, and one
// with replay protection for what it receives, keyed with the far end's.
// Make it with NewSRTP in any goroutine and hand it to Stream.SetSRTP.
type SRTP struct {
	profile          srtp.ProtectionProfile
	sendKey, recvKey string // master key || salt, to tell a renegotiation that keeps them
	send, recv       *srtp.Context
}

// NewSRTP makes the contexts for profile (AES_CM_128_HMAC_SHA1_80 or
// _32, pion's ProtectionProfileAes128CmHmacSha1_80 and _32) from two
// master keys, each the master key followed by the master salt as
// a=crypto carries them: send is the phone's own, recv the far end's.
func NewSRTP(profile srtp.ProtectionProfile, send, recv []byte) (*SRTP, error) {
	keyLen, err := profile.KeyLen()
	if err != nil {
		return nil, fmt.Errorf("%w: %v: %w", ErrSRTP, profile, err)
	}
	saltLen, err := profile.SaltLen()
	if err != nil {
		return nil, fmt.Errorf("%w: %v: %w", ErrSRTP, profile, err)
	}
	if len(send) != keyLen+saltLen || len(recv) != keyLen+saltLen {
		return nil, fmt.Errorf("%w: %v wants %d bytes of key and salt, got %d and %d", ErrSRTP, profile, keyLen+saltLen, len(send), len(recv))
	}
	p := &SRTP{profile: profile, sendKey: string(send), recvKey: string(recv)}
	if p.send, err = srtp.CreateContext(send[:keyLen], send[keyLen:], profile); err != nil {
		return nil, fmt.Errorf("%w: send context: %w", ErrSRTP, err)
	}
	p.recv, err = srtp.CreateContext(recv[:keyLen], recv[keyLen:], profile,
		srtp.SRTPReplayProtection(ReplayWindow), srtp.SRTCPReplayProtection(ReplayWindow))
	if err != nil {
		return nil, fmt.Errorf("%w: receive context: %w", ErrSRTP, err)
	}
	return p, nil
}

// Profile returns the protection profile.
func (p *SRTP) Profile() srtp.ProtectionProfile { return p.profile }

// srtpState is a Stream's SRTP: the contexts and the headers and buffer
// their calls fill, reused so that nothing is allocated per packet.
type srtpState struct {
	p       *SRTP
	rtpHdr  rtp.Header
	rtcpHdr rtcp.Header
	ctlOut  [MaxPacket]byte // a protected RTCP packet
}

// SetSRTP protects everything the stream sends from now on and accepts
// only what p authenticates (RTP and RTCP, on either port); nil goes
// back to plain RTP. A renegotiation that keeps a key keeps its context,
// so the rollover counter and replay window go on (and no keystream is
// ever used twice); p's own context for that direction is dropped. The
// stream takes p over. Datagrams that fail authentication or replay
// protection are dropped and counted in Stats.Rejected.
func (s *Stream) SetSRTP(p *SRTP) {
	if p == nil {
		s.srtp = nil
		return
	}
	if s.srtp == nil {
		s.srtp = &srtpState{}
	}
	if old := s.srtp.p; old != nil && old.profile == p.profile {
		if old.sendKey == p.sendKey {
			p.send = old.send
		}
		if old.recvKey == p.recvKey {
			p.recv = old.recv
		}
	}
	s.srtp.p = p
}

// Secure reports whether the stream uses SRTP.
func (s *Stream) Secure() bool { return s.srtp != nil }

// protect encrypts and authenticates the RTP packet in s.out[:n] in
// place and returns the SRTP packet.
func (s *Stream) protect(n int) ([]byte, error) {
	b, err := s.srtp.p.send.EncryptRTP(s.out[:n], s.out[:n], &s.srtp.rtpHdr)
	if err != nil {
		return nil, fmt.Errorf("%w: protect RTP: %w", ErrSRTP, err)
	}
	return b, nil
}

// protectControl encrypts and authenticates an RTCP compound packet
// into the stream's own buffer.
func (s *Stream) protectControl(b []byte) ([]byte, error) {
	out, err := s.srtp.p.send.EncryptRTCP(s.srtp.ctlOut[:0], b, &s.srtp.rtcpHdr)
	if err != nil {
		return nil, fmt.Errorf("%w: protect RTCP: %w", ErrSRTP, err)
	}
	return out, nil
}

// unprotect authenticates and decrypts an SRTP packet in place; false
// if it is not authentic (or replayed, or malformed).
func (s *Stream) unprotect(b []byte) ([]byte, bool) {
	out, err := s.srtp.p.recv.DecryptRTP(b, b, &s.srtp.rtpHdr)
	if err != nil {
		s.rejected.Add(1)
		return nil, false
	}
	return out, true
}

// unprotectControl authenticates and decrypts an SRTCP packet in place.
func (s *Stream) unprotectControl(b []byte) ([]byte, bool) {
	out, err := s.srtp.p.recv.DecryptRTCP(b, b, &s.srtp.rtcpHdr)
	if err != nil {
		s.rejected.Add(1)
		return nil, false
	}
	return out, true
}
