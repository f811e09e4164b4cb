package hal

import "fmt"

// AudioPort names one of the phone's audio connections.
type AudioPort uint8

// The CC800's audio ports.
const (
	PortHeadset   AudioPort = iota // the agent's headset: mic and ear
	PortSpeaker                    // loud ringing and hands-free
	PortMonitor                    // the supervisor's monitor headset
	NumAudioPorts = iota
)

var portNames = [NumAudioPorts]string{"headset", "speaker", "monitor"}

func (p AudioPort) String() string {
	if int(p) < len(portNames) {
		return portNames[p]
	}
	return fmt.Sprintf("AudioPort(%d)", uint8(p))
}

// ParseAudioPort returns the port with the given name.
func ParseAudioPort(name string) (AudioPort, bool) {
	for i, n := range portNames {
		if n == name {
			return AudioPort(i), true
		}
	}
	return 0, false
}

// AudioFormat describes 16-bit signed PCM frames.
type AudioFormat struct {
	SampleRate   int // samples per second per channel: 8000 or 16000
	Channels     int // 1 (mono) or 2
	FrameSamples int // samples per channel in one frame, e.g. 160 for 20 ms at 8 kHz
}

// AudioStream is one open audio port. Frames are interleaved int16 of
// FrameSamples*Channels values. The phone's media clock paces the calls:
// a stream must not be relied on to block in real time.
// A stream is used by one goroutine at a time.
type AudioStream interface {
	// ReadFrame fills frame with captured audio (silence where the port
	// has no microphone).
	ReadFrame(frame []int16) error
	// WriteFrame plays frame.
	WriteFrame(frame []int16) error
	Close() error
}

// AudioOpener opens the board's audio ports.
type AudioOpener interface {
	OpenAudio(port AudioPort, f AudioFormat) (AudioStream, error)
}
