//go:build !cgo

package portaudio

import (
	"fmt"

	"ccphone/hal"
)

// open reports that this build has no PortAudio: it was built without cgo.
func (o *Opener) open(port hal.AudioPort, name string, _ hal.AudioFormat) (hal.AudioStream, error) {
	return nil, fmt.Errorf("portaudio: open %v (%q): built without cgo: %w", port, name, hal.ErrUnsupported)
}
