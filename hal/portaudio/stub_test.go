//go:build !cgo

package portaudio_test

import (
	"errors"
	"strings"
	"testing"

	"ccphone/hal"
	"ccphone/hal/portaudio"
)

func TestWithoutCgo(t *testing.T) {
	o := portaudio.New(portaudio.Opts{Devices: [hal.NumAudioPorts]string{"cc800-headset", "cc800-speaker", "cc800-monitor"}})
	_, err := o.OpenAudio(hal.PortHeadset, hal.AudioFormat{SampleRate: 8000, Channels: 1, FrameSamples: 160})
	if !errors.Is(err, hal.ErrUnsupported) || !strings.Contains(err.Error(), "cc800-headset") {
		t.Errorf("OpenAudio = %v, want hal.ErrUnsupported naming the device", err)
	}
}
