package g722

import "fmt"

// Stream parameters of G.722 in RTP (RFC 3551 §4.5.2).
const (
	// SampleRate is the audio sampling rate of G.722, in Hz.
	SampleRate = 16000

	// RTPClockRate is the RTP timestamp clock rate of G.722, in Hz. It is
	// 8000, not 16000: RFC 3551 keeps the value of RFC 1890, which was set
	// in error, for compatibility. An RTP timestamp therefore advances by
	// 160 per 20 ms frame of 320 samples, and SDP says
	// "a=rtpmap:9 G722/8000".
	RTPClockRate = 8000

	// PayloadType is the static RTP payload type of G.722.
	PayloadType = 9

	// FrameSamples is the number of 16 kHz samples in a 20 ms frame.
	FrameSamples = 320

	// FrameBytes is the size of a 20 ms frame at 64 kbit/s (Mode1): one
	// byte per pair of samples.
	FrameBytes = FrameSamples / 2

	// FrameTimestamp is how far the RTP timestamp advances per 20 ms
	// frame, in RTPClockRate units.
	FrameTimestamp = RTPClockRate / 50

	// Delay is the algorithmic delay of an Encoder followed by a Decoder,
	// in 16 kHz samples (1.375 ms): the group delay of the two 24-tap QMFs.
	Delay = 22
)

// Mode is a G.722 operating mode (§1.4): how many bits of each octet carry
// the lower sub-band. Its methods are safe for concurrent use.
type Mode uint8

// The three modes of G.722. Every mode carries one octet per pair of
// samples; in Mode2 and Mode3 the one or two least significant bits of
// the octet belong to an auxiliary data channel and are ignored by the
// decoder. The encoder always produces Mode1 octets, which a Mode2 or
// Mode3 decoder can read.
const (
	Mode1 Mode = 1 // 64 kbit/s: 6 bits lower band, 2 bits higher band
	Mode2 Mode = 2 // 56 kbit/s: 5 bits lower band, 1 bit auxiliary data
	Mode3 Mode = 3 // 48 kbit/s: 4 bits lower band, 2 bits auxiliary data
)

// String returns "mode 1 (64 kbit/s)" and so on.
func (m Mode) String() string {
	switch m {
	case Mode1:
		return "mode 1 (64 kbit/s)"
	case Mode2:
		return "mode 2 (56 kbit/s)"
	case Mode3:
		return "mode 3 (48 kbit/s)"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// BitRate returns the audio bit rate of the mode in bit/s, or 0 for an
// unknown mode.
func (m Mode) BitRate() int {
	switch m {
	case Mode1:
		return 64000
	case Mode2:
		return 56000
	case Mode3:
		return 48000
	}
	return 0
}

// Valid reports whether m is Mode1, Mode2 or Mode3.
func (m Mode) Valid() bool { return m >= Mode1 && m <= Mode3 }
