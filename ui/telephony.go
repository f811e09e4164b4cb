package ui

import "time"

// CallID identifies one call. The telephony layer assigns it; zero is no
// call.
type CallID uint64

// Telephony is what the phone asks of its SIP lines. Every method starts
// the work and returns at once: progress comes back as CallEvents through
// Phone.CallEvent. Methods are called only from the phone's event loop.
type Telephony interface {
	// Dial places a call on line (1-based) to target (digits or a SIP
	// URI) and returns its ID.
	Dial(line int, target string) (CallID, error)
	// Answer answers an incoming call.
	Answer(id CallID) error
	// Reject refuses an incoming call with a SIP status code (486, 480,
	// 603).
	Reject(id CallID, code int) error
	// Hangup ends a call in any state: CANCEL before an answer, BYE
	// after.
	Hangup(id CallID) error
	// Hold puts a call on hold (re-INVITE, sendonly) or resumes it.
	Hold(id CallID, hold bool) error
	// Mute stops (or restarts) sending the agent's microphone.
	Mute(id CallID, mute bool) error
	// SendDTMF sends one digit (0-9, *, #, A-D) on a connected call.
	SendDTMF(id CallID, digit byte) error
	// Transfer sends a connected call to target (blind transfer).
	Transfer(id CallID, target string) error
	// TransferTo joins call id with consult, the agent's second call
	// (attended transfer: REFER with Replaces).
	TransferTo(id, consult CallID) error
}

// CallEvent reports a change of a call. The first event of an incoming
// call has State CallRinging and Direction Incoming.
type CallEvent struct {
	ID           CallID
	Line         int // 1-based
	State        CallState
	Direction    Direction
	Remote       string // the far end's URI
	RemoteName   string // display name, when the far end sent one
	RemoteNumber string // user part of the URI
	HeldByRemote bool   // the far end put us on hold
	Reason       string // why a call ended or failed, e.g. "486 Busy Here"
	AutoAnswer   bool   // a trusted server asked for auto answer (intercom)
}

// Dial plan defaults.
const (
	// DefaultDialTimeout is how long after the last digit a number is
	// dialled without a send key.
	DefaultDialTimeout = 5 * time.Second
	// endedShown is how long an ended call stays on the screen.
	endedShown = 2 * time.Second
)

// Recording is how the agent starts and stops recording a call on demand
// (the Rec softkey, or the feature code dialled during the call). The
// policy decides whether that is allowed; the answer comes back through
// Phone.SetCallRecording. Called only from the phone's event loop; it
// must not block.
type Recording interface {
	Record(id CallID, on bool) error
}

// RecordingInfo is one recording as the Recordings menu lists it.
type RecordingInfo struct {
	ID        string
	Start     time.Time
	Direction Direction
	Number    string
	Duration  time.Duration
	Upload    string // pending, uploading, retrying, failed or done
	Tries     int
	LastError string
}

// Recordings lists the phone's recordings and acts on them for the
// Recordings menu. Methods are called from the phone's event loop and
// must not block for long.
type Recordings interface {
	List() []RecordingInfo
	// Retry uploads a failed recording again now.
	Retry(id string) error
	// Play plays a recording to the agent's headset.
	Play(id string) error
}

// CallQuality is how a call sounds, for the call-quality screen.
type CallQuality struct {
	Codec        string
	SRTP         bool          // the media is encrypted (SRTP)
	MOS          float64       // estimated mean opinion score, 1..4.5
	Loss         float64       // % of the far end's packets lost
	FarLoss      float64       // % of ours the far end lost (when FarReported)
	Jitter       time.Duration // ours
	RTT          time.Duration // 0 until known
	FarReported  bool
	PacketsSent  uint64
	PacketsHeard uint64
}

// QualityReporter is implemented by a Telephony that can tell how a call
// sounds; the phone finds it by type assertion.
type QualityReporter interface {
	CallQuality(id CallID) (CallQuality, bool)
}

// Conferencer is implemented by a Telephony that can join the agent's two
// calls into a local 3-way conference: everyone hears the other two. The
// phone finds it by type assertion.
type Conferencer interface {
	Conference(a, b CallID, on bool) error
}
