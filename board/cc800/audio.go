package cc800

import (
	"ccphone/hal"
	"ccphone/hal/portaudio"
)

// newAudio returns the opener of the board's audio ports: PortAudio
// devices by the names of audio.headset, audio.speaker and audio.monitor,
// with hal/portaudio's default timing. Built without cgo (the pure-Go
// firmware) every port reports hal.ErrUnsupported naming its device.
func newAudio(devices [hal.NumAudioPorts]string) hal.AudioOpener {
	return portaudio.New(portaudio.Opts{Devices: devices})
}
