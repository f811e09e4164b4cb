package cc800

import (
	"errors"
	"strings"
	"testing"

	"ccphone/hal"
	"ccphone/hal/portaudio"
)

func TestAudioNamesBoardDevices(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	o, ok := newAudio(d.Audio).(*portaudio.Opener)
	if !ok {
		t.Fatalf("newAudio = %T, want *portaudio.Opener", newAudio(d.Audio))
	}
	for p := range hal.AudioPort(hal.NumAudioPorts) {
		if got, want := o.Device(p), "cc800-"+p.String(); got != want {
			t.Errorf("%v device %q, want %q", p, got, want)
		}
	}
	// Opening needs PortAudio (cgo) and the board's ALSA PCMs; neither is
	// here, so the error must name the device and say which.
	_, err = o.OpenAudio(hal.PortMonitor, hal.AudioFormat{SampleRate: 8000, Channels: 1, FrameSamples: 160})
	if !errors.Is(err, hal.ErrUnsupported) && !errors.Is(err, portaudio.ErrNoDevice) || !strings.Contains(err.Error(), "cc800-monitor") {
		t.Errorf("OpenAudio = %v, want ErrUnsupported (no cgo) or ErrNoDevice naming cc800-monitor", err)
	}
}
