// Package portaudio opens the phone's audio ports on PortAudio devices:
// the agent's headset (microphone and ear, one full-duplex stream), the
// speaker (playback only) and the supervisor's monitor headset (full
// duplex, so that the supervisor can whisper or barge).
//
// The common path is one Opener per board, built from the device names of
// the board definition, and one hal.AudioStream per port:
//
//	audio := portaudio.New(portaudio.Opts{Devices: def.Audio})
//	s, err := audio.OpenAudio(hal.PortHeadset, hal.AudioFormat{SampleRate: 8000, Channels: 1, FrameSamples: 160})
//	...
//	s.ReadFrame(mic) // once per 20 ms tick of the media engine
//	s.WriteFrame(ear)
//	s.Close()
//
// Device names are matched against PortAudio's device list: an exact name
// ("cc800-headset", an ALSA PCM of the board's asound.conf), or the ALSA
// name in parentheses of a hardware device ("hw:0,0"); "default" is
// PortAudio's default device.
//
// # Two clocks
//
// The phone's media engine ticks on its own clock and calls ReadFrame and
// WriteFrame once per tick; the device runs on its crystal, or on no clock
// at all (ALSA's null and file plugins complete every transfer at once).
// Each stream therefore keeps a ring buffer per direction between the
// engine and a pump goroutine that does the device's blocking I/O.
// ReadFrame and WriteFrame only copy to or from a ring: they never wait for
// the device and allocate nothing. A ring that runs dry gives silence
// (an underrun), a full ring drops its oldest audio (an overrun); after an
// underrun the ring fills to Opts.Prefill again before it plays, which
// restores the cushion that absorbs jitter. The pump never runs more than
// a few periods ahead of real time, so a device that does not pace itself
// neither speeds up a call nor floods its output with silence. Stats, from
// each stream's StatsReporter, counts all of this and estimates the
// device's clock drift.
//
// Formats: 16-bit PCM at the engine's rate (8 or 16 kHz), mono or stereo.
// The device must run at that rate itself (ALSA "plug" PCMs convert); no
// resampling is done here, and a device that refuses the rate fails with
// ErrFormat.
//
// PortAudio needs cgo. Without cgo (the pure-Go firmware, the simulator)
// the package still builds, and OpenAudio reports hal.ErrUnsupported
// naming the device.
package portaudio
