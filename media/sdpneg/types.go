package sdpneg

import (
	"fmt"
	"net/netip"
)

// Direction is the RFC 3264 direction of an audio stream, seen from the
// side that describes it. The zero value is SendRecv.
type Direction uint8

// Directions. Hold is SendOnly from the holding side (or Inactive when
// the other side already holds); resume is SendRecv.
const (
	SendRecv Direction = iota // a=sendrecv
	SendOnly                  // a=sendonly
	RecvOnly                  // a=recvonly
	Inactive                  // a=inactive
)

var directionNames = [...]string{"sendrecv", "sendonly", "recvonly", "inactive"}

// String returns the SDP attribute name.
func (d Direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// ParseDirection returns the direction named by an SDP attribute.
func ParseDirection(s string) (Direction, bool) {
	for i, n := range directionNames {
		if n == s {
			return Direction(i), true
		}
	}
	return SendRecv, false
}

// Sends reports whether media flows out of the describing side.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether media flows into the describing side.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }

// MakeDirection returns the direction with the given abilities.
func MakeDirection(send, recv bool) Direction {
	switch {
	case send && recv:
		return SendRecv
	case send:
		return SendOnly
	case recv:
		return RecvOnly
	}
	return Inactive
}

// Codec is an audio codec the phone can encode and decode.
type Codec uint8

// The codecs the phone has.
const (
	PCMU Codec = iota + 1 // G.711 µ-law, static payload type 0
	PCMA                  // G.711 A-law, static payload type 8
	// G722 is G.722 wideband (16 kHz audio), static payload type 9. Its
	// RTP clock is 8000 Hz by RFC 3551's historical error, so SDP says
	// "a=rtpmap:9 G722/8000" and timestamps advance 160 per 20 ms.
	G722
)

// String returns the RTP encoding name.
func (c Codec) String() string {
	switch c {
	case PCMU:
		return "PCMU"
	case PCMA:
		return "PCMA"
	case G722:
		return "G722"
	}
	return fmt.Sprintf("Codec(%d)", uint8(c))
}

// PayloadType returns the codec's static RTP payload type.
func (c Codec) PayloadType() uint8 {
	switch c {
	case PCMA:
		return 8
	case G722:
		return 9
	}
	return 0
}

// ClockRate returns the RTP clock rate in Hz: 8000 for all three, G.722
// included (see G722).
func (c Codec) ClockRate() uint32 { return 8000 }

// SampleRate returns the rate the codec's audio is sampled at in Hz:
// 16000 for G722, 8000 for G.711.
func (c Codec) SampleRate() int {
	if c == G722 {
		return 16000
	}
	return 8000
}

// Wideband reports whether the codec carries 16 kHz audio.
func (c Codec) Wideband() bool { return c == G722 }

// ParseCodec returns the codec with the given RTP encoding name
// (case-insensitive, as SDP allows).
func ParseCodec(name string) (Codec, bool) {
	switch {
	case equalFold(name, "PCMU"):
		return PCMU, true
	case equalFold(name, "PCMA"):
		return PCMA, true
	case equalFold(name, "G722"):
		return G722, true
	}
	return 0, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// DefaultTelephoneEvent is the dynamic payload type the phone offers for
// RFC 4733 telephone-event when Local.TelephoneEvent is zero.
const DefaultTelephoneEvent = 101

// DefaultPtime is the packet time in milliseconds the phone sends and asks
// for.
const DefaultPtime = 20

// Local describes the phone's side of the audio stream.
type Local struct {
	Addr netip.Addr // connection address for c= (the RTP socket's address)
	Port int        // RTP port for m=audio (even, from rtp.port_min..max)
	// Codecs in preference order; nil means PCMU then PCMA (G722 is
	// offered only when listed).
	Codecs []Codec
	// TelephoneEvent is the dynamic payload type (96..127) for RFC 4733
	// DTMF; 0 means DefaultTelephoneEvent.
	TelephoneEvent uint8
	// NoTelephoneEvent leaves RFC 4733 out of offers and answers.
	NoTelephoneEvent bool
	// Direction the phone wants: SendRecv normally, SendOnly to hold.
	Direction Direction
	// SessionID and SessionVersion go into o=. The SIP layer keeps the ID
	// for the dialog and increments the version with every new offer.
	SessionID      uint64
	SessionVersion uint64
	Username       string // o= user name; "-" if empty
	// SRTP is the line's encryption policy (account.N.srtp) and SRTPKey
	// the phone's master key and salt for the call, from NewMasterKey:
	// offers carry it in each a=crypto line, answers in the one chosen.
	// The SIP layer draws one key per call and keeps it for
	// renegotiations.
	SRTP    SRTPMode
	SRTPKey MasterKey
}

// Session is the negotiated audio stream from the phone's point of view.
type Session struct {
	Remote      netip.AddrPort // where to send RTP; invalid if the remote sends no address
	Codec       Codec          // the one codec both sides use
	PayloadType uint8          // RTP payload type of Codec
	// TelephoneEvent is the payload type to send RFC 4733 events with and
	// LocalTelephoneEvent the one the phone receives them with; both are
	// zero when DTMF goes in-band or by SIP INFO.
	TelephoneEvent      uint8
	LocalTelephoneEvent uint8
	// Direction the phone may use: it sends only if both sides allow.
	Direction Direction
	Ptime     int // the remote's a=ptime in ms, DefaultPtime if absent
	// RTCPMux says the remote's SDP has a=rtcp-mux (RFC 5761): RTCP goes
	// on the RTP port, both ways. An answer to such an offer carries
	// a=rtcp-mux too; the phone's own offers do not ask for it.
	RTCPMux bool
	// SRTP is the crypto suite both sides agreed on; zero means plain
	// RTP. The phone protects its RTP and RTCP with SendKey (its own
	// a=crypto key) and unprotects the far end's with RecvKey.
	SRTP             CryptoSuite
	SendKey, RecvKey MasterKey
}

// Secure reports whether the media is SRTP.
func (s Session) Secure() bool { return s.SRTP != 0 }

// DTMF reports whether both sides agreed on RFC 4733 telephone-event.
func (s Session) DTMF() bool { return s.TelephoneEvent != 0 }

// Format is one payload type of a remote m=audio line.
type Format struct {
	PayloadType uint8
	Name        string // encoding name, "" if unknown
	ClockRate   uint32 // 0 if unknown
	Fmtp        string // format parameters, "" if none
}

// Remote is the audio stream a remote SDP body describes.
type Remote struct {
	Addr      netip.Addr // connection address (media level over session level)
	Port      int        // 0 means the stream is rejected
	Proto     string     // e.g. "RTP/AVP"
	Formats   []Format   // in the remote's preference order
	Direction Direction
	Ptime     int  // 0 if absent
	RTCPMux   bool // a=rtcp-mux (RFC 5761)
	// Crypto are the usable a=crypto lines (RFC 4568) in the remote's
	// order; CryptoLines counts all of them, usable or not.
	Crypto      []Crypto
	CryptoLines int
}
