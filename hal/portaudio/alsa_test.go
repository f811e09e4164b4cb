//go:build cgo

package portaudio_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pa "github.com/gordonklaus/portaudio"

	"ccphone/hal"
	"ccphone/hal/portaudio"
)

// The ALSA round trip runs PortAudio in a child process (this test binary
// again, with childEnv set): ALSA reads its configuration once per
// process, so the child gets a fresh HOME holding the test's .asoundrc.
// The child only moves audio and writes what it heard; the parent checks.
const childEnv = "CCPHONE_PORTAUDIO_CHILD"

// Marker the child prints when this machine has no usable PortAudio/ALSA.
const missingMarker = "PORTAUDIO-ALSA-MISSING:"

const (
	rate      = 8000
	frameLen  = 160 // 20 ms
	toneAmp   = 10000
	micAmp    = 8000
	playTicks = 50  // 1 s of tone
	allTicks  = 125 // then silence while the tail drains
)

// childReport is what a child leaves in report.json.
type childReport struct {
	Elapsed     time.Duration // from the first open to the last close
	Stats       map[string]portaudio.Stats
	ReadAllocs  float64 // headset only
	WriteAllocs float64
}

// portsEnv names the ports a child opens, comma-separated.
const portsEnv = "CCPHONE_PORTAUDIO_PORTS"

func TestALSAFileRoundTrip(t *testing.T) {
	if dir := os.Getenv(childEnv); dir != "" {
		runChild(t, dir, strings.Split(os.Getenv(portsEnv), ","))
		return
	}
	// One child opens all three ports at once, as the phone does. Under
	// the race detector the binding trips checkptr on any stream but a
	// process's first (it passes a small integer as a C pointer), so each
	// port then gets a child of its own.
	groups := [][]string{{"headset", "speaker", "monitor"}}
	if raceEnabled {
		groups = [][]string{{"headset"}, {"speaker"}, {"monitor"}}
	}
	// Longer than the run: after the end of its infile the file plugin
	// (null slave) repeats stale buffer contents rather than silence.
	headsetIn := cosine(440, micAmp, 3*rate)
	monitorIn := cosine(600, micAmp, 3*rate)
	dirs := map[string]string{}
	reps := map[string]childReport{}
	errs := make(chan error, len(groups))
	for _, ports := range groups {
		dir := t.TempDir()
		for _, p := range ports {
			dirs[p] = dir
		}
		conf, err := os.ReadFile("testdata/asoundrc")
		if err != nil {
			t.Fatal(err)
		}
		conf = []byte(strings.NewReplacer("@OUT@", dir, "@IN@", dir).Replace(string(conf)))
		if err := os.WriteFile(filepath.Join(dir, ".asoundrc"), conf, 0o644); err != nil {
			t.Fatal(err)
		}
		writeRaw(t, filepath.Join(dir, "headset-in.raw"), headsetIn)
		writeRaw(t, filepath.Join(dir, "monitor-in.raw"), monitorIn)
		go func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestALSAFileRoundTrip$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "HOME="+dir, childEnv+"="+dir, portsEnv+"="+strings.Join(ports, ","))
			out, err := cmd.CombinedOutput()
			if i := strings.Index(string(out), missingMarker); i >= 0 {
				errs <- errors.New(strings.SplitN(string(out[i:]), "\n", 2)[0])
				return
			}
			if err != nil {
				errs <- fmt.Errorf("child %v: %v\n%s", ports, err, out)
				return
			}
			errs <- nil
		}()
	}
	for range groups {
		err := <-errs
		if err != nil && strings.HasPrefix(err.Error(), missingMarker) {
			if testing.Short() {
				t.Skipf("%v (install libportaudio2 and libasound2)", err)
			}
			t.Fatalf("%v: install the apt packages libportaudio2 libasound2 (portaudio19-dev and pkg-config to build)", err)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for p, dir := range dirs {
		var rep childReport
		if b, err := os.ReadFile(filepath.Join(dir, "report.json")); err != nil {
			t.Fatal(err)
		} else if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		reps[p] = rep
	}
	played := func(p string) []int16 { return readRaw(t, filepath.Join(dirs[p], p+"-out.raw")) }
	captured := func(p string) []int16 { return readRaw(t, filepath.Join(dirs[p], p+"-captured.raw")) }

	t.Run("headset plays 1 kHz into the file", func(t *testing.T) {
		r := reps["headset"]
		checkPlayed(t, played("headset"), cosine(1000, toneAmp, playTicks*frameLen), 1000, toneAmp, r.Elapsed, r.Stats["headset"])
	})
	t.Run("speaker plays 2 kHz, playback only", func(t *testing.T) {
		r := reps["speaker"]
		checkPlayed(t, played("speaker"), cosine(2000, toneAmp, playTicks*frameLen), 2000, toneAmp, r.Elapsed, r.Stats["speaker"])
		if r.Stats["speaker"].Capture != (portaudio.RingStats{}) {
			t.Errorf("speaker capture stats %+v, want none", r.Stats["speaker"].Capture)
		}
	})
	t.Run("monitor on the default device plays 1.5 kHz", func(t *testing.T) {
		r := reps["monitor"]
		checkPlayed(t, played("monitor"), cosine(1500, toneAmp, playTicks*frameLen), 1500, toneAmp, r.Elapsed, r.Stats["monitor"])
	})
	t.Run("headset mic hears 440 Hz from the file", func(t *testing.T) {
		checkCaptured(t, captured("headset"), headsetIn, 440, reps["headset"].Stats["headset"])
	})
	t.Run("monitor mic hears 600 Hz from the file", func(t *testing.T) {
		checkCaptured(t, captured("monitor"), monitorIn, 600, reps["monitor"].Stats["monitor"])
	})
	t.Run("no allocations per frame", func(t *testing.T) {
		if r := reps["headset"]; r.ReadAllocs != 0 || r.WriteAllocs != 0 {
			t.Errorf("ReadFrame %v, WriteFrame %v allocations per call, want 0", r.ReadAllocs, r.WriteAllocs)
		}
	})
	st := reps["headset"].Stats["headset"]
	t.Logf("headset: %+v", st)
}

// checkPlayed checks that a playback file holds want, whole and in order
// after the leading silence of the prefill, and nothing but silence
// after it; that its tone is freq at amp by Goertzel; and that the device
// ran at about real time although the file plugin does not pace.
func checkPlayed(t *testing.T, got, want []int16, freq float64, amp int, elapsed time.Duration, st portaudio.Stats) {
	t.Helper()
	start := firstSound(got)
	if start < 0 {
		t.Fatalf("%d samples of silence, want the tone (stats %+v)", len(got), st)
	}
	if len(got)-start < len(want) {
		t.Fatalf("tone cut short: %d samples from %d, want %d (stats %+v)", len(got)-start, start, len(want), st)
	}
	for i, v := range want {
		if got[start+i] != v {
			t.Fatalf("sample %d of the tone = %d, want %d: audio lost or altered (stats %+v)", i, got[start+i], v, st)
		}
	}
	if tail := firstSound(got[start+len(want):]); tail >= 0 {
		t.Errorf("sound %d samples after the tone ended", tail)
	}
	lvl := level(got[start:start+len(want)], freq)
	if math.Abs(lvl-float64(amp))/float64(amp) > 0.02 {
		t.Errorf("%v Hz at amplitude %.0f, want %d", freq, lvl, amp)
	}
	if other := level(got[start:start+len(want)], freq*1.37); other > float64(amp)/100 {
		t.Errorf("amplitude %.0f at %v Hz, want the tone alone", other, freq*1.37)
	}
	// Unpaced, the null slave would take audio as fast as the pump could
	// write it: megabytes of silence in a second.
	real := elapsed.Seconds() * rate
	if n := float64(len(got)); n > real+0.3*rate || n < real-0.5*rate {
		t.Errorf("device took %.0f samples in %v (%.0f at real time): not paced", n, elapsed, real)
	}
	if st.Playback.Overruns != 0 || st.Playback.Underruns != 0 {
		t.Errorf("playback ring %+v, want no overruns or underruns", st.Playback)
	}
}

// checkCaptured checks that what ReadFrame delivered is the input file,
// in order and without a gap, after the prefill's silence.
func checkCaptured(t *testing.T, got, want []int16, freq float64, st portaudio.Stats) {
	t.Helper()
	start := firstSound(got)
	if start < 0 {
		t.Fatalf("%d samples of silence, want %v Hz (stats %+v)", len(got), freq, st)
	}
	got = got[start:]
	// All but the prefill (100 ms) and the time to open the devices.
	if min := allTicks*frameLen - rate/2; len(got) < min {
		t.Fatalf("%d samples captured after %d of silence, want at least %d (stats %+v)", len(got), start, min, st)
	}
	for i, v := range got {
		if v != want[i] {
			t.Fatalf("captured sample %d = %d, want %d: audio lost or altered (stats %+v)", i, v, want[i], st)
		}
	}
	if lvl := level(got, freq); math.Abs(lvl-micAmp)/micAmp > 0.02 {
		t.Errorf("%v Hz at amplitude %.0f, want %d", freq, lvl, micAmp)
	}
	if other := level(got, 1000); other > micAmp/100 {
		t.Errorf("amplitude %.0f at 1 kHz (the ear's tone), want %v Hz alone", other, freq)
	}
	if st.Capture.Overruns != 0 || st.Capture.Underruns != 0 {
		t.Errorf("capture ring %+v, want no overruns or underruns", st.Capture)
	}
}

// runChild opens the ports, runs 20 ms ticks as the media engine does,
// and writes what the microphones gave and the stats to dir.
func runChild(t *testing.T, dir string, portNames []string) {
	if err := pa.Initialize(); err != nil {
		t.Logf("%s Pa_Initialize: %v", missingMarker, err)
		return
	}
	devs, err := pa.Devices()
	_, alsaErr := pa.HostApi(pa.ALSA)
	if err != nil || alsaErr != nil || len(devs) == 0 {
		t.Logf("%s no ALSA devices in PortAudio (%v, %v)", missingMarker, err, alsaErr)
		_ = pa.Terminate()
		return
	}
	var names []string
	for _, d := range devs {
		names = append(names, d.Name)
	}
	t.Logf("PortAudio %s; devices %q", pa.VersionText(), names)
	if err := pa.Terminate(); err != nil {
		t.Fatal(err)
	}

	opener := portaudio.New(portaudio.Opts{
		Devices: [hal.NumAudioPorts]string{"ccphone-headset", "ccphone-speaker", "default"},
		// Generous for a test machine shared with other builds: a tick
		// late by less than this loses nothing.
		Prefill: 100 * time.Millisecond,
		Buffer:  400 * time.Millisecond,
	})
	format := hal.AudioFormat{SampleRate: rate, Channels: 1, FrameSamples: frameLen}
	tones := [hal.NumAudioPorts][]int16{
		cosine(1000, toneAmp, playTicks*frameLen),
		cosine(2000, toneAmp, playTicks*frameLen),
		cosine(1500, toneAmp, playTicks*frameLen),
	}
	begin := time.Now()
	var ports []hal.AudioPort
	var streams []hal.AudioStream
	for _, name := range portNames {
		p, ok := hal.ParseAudioPort(name)
		if !ok {
			t.Fatalf("port %q", name)
		}
		s, err := opener.OpenAudio(p, format)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ports = append(ports, p)
		streams = append(streams, s)
	}
	mics := make([][]int16, len(streams))
	frame := make([]int16, frameLen)
	silence := make([]int16, frameLen)
	start := time.Now()
	for tick := range allTicks {
		time.Sleep(time.Until(start.Add(time.Duration(tick) * 20 * time.Millisecond)))
		for i, s := range streams {
			if err := s.ReadFrame(frame); err != nil {
				t.Fatal(err)
			}
			mics[i] = append(mics[i], frame...)
			out := silence
			if tick < playTicks {
				out = tones[ports[i]][tick*frameLen : (tick+1)*frameLen]
			}
			if err := s.WriteFrame(out); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep := childReport{Stats: map[string]portaudio.Stats{}}
	for i, s := range streams {
		rep.Stats[ports[i].String()] = s.(portaudio.StatsReporter).Stats()
		if ports[i] != hal.PortHeadset {
			continue
		}
		// After the measured run: silence written in a burst overruns
		// the ring, which is what it is for.
		rep.ReadAllocs = testing.AllocsPerRun(100, func() { _ = s.ReadFrame(frame) })
		rep.WriteAllocs = testing.AllocsPerRun(100, func() { _ = s.WriteFrame(silence) })
		if st := s.(portaudio.StatsReporter).Stats(); st.Playback.Overruns == 0 {
			t.Errorf("200 frames written at once: no overrun counted (%+v)", st.Playback)
		}
	}
	for _, s := range streams {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteFrame(silence); !errors.Is(err, hal.ErrClosed) {
			t.Errorf("write after Close: %v, want hal.ErrClosed", err)
		}
	}
	rep.Elapsed = time.Since(begin)
	for i, p := range ports {
		if p != hal.PortSpeaker {
			writeRaw(t, filepath.Join(dir, p.String()+"-captured.raw"), mics[i])
			continue
		}
		for j, v := range mics[i] {
			if v != 0 {
				t.Fatalf("speaker mic sample %d = %d, want silence", j, v)
			}
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenErrors covers what fails before a device is touched.
func TestOpenErrors(t *testing.T) {
	o := portaudio.New(portaudio.Opts{Devices: [hal.NumAudioPorts]string{"x", "", "y"}})
	f := hal.AudioFormat{SampleRate: 8000, Channels: 1, FrameSamples: 160}
	if _, err := o.OpenAudio(hal.NumAudioPorts, f); !errors.Is(err, hal.ErrOutOfRange) {
		t.Errorf("bad port: %v, want hal.ErrOutOfRange", err)
	}
	if _, err := o.OpenAudio(hal.PortSpeaker, f); !errors.Is(err, portaudio.ErrNoDevice) {
		t.Errorf("unnamed port: %v, want ErrNoDevice", err)
	}
	for _, bad := range []hal.AudioFormat{
		{SampleRate: 8000, Channels: 3, FrameSamples: 160},
		{SampleRate: 0, Channels: 1, FrameSamples: 160},
		{SampleRate: 8000, Channels: 1, FrameSamples: 0},
	} {
		if _, err := o.OpenAudio(hal.PortHeadset, bad); !errors.Is(err, portaudio.ErrFormat) {
			t.Errorf("format %+v: %v, want ErrFormat", bad, err)
		}
	}
}

func cosine(freq float64, amp, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(math.Round(float64(amp) * math.Cos(2*math.Pi*freq*float64(i)/rate)))
	}
	return s
}

// level returns the amplitude of the freq component of x (Goertzel).
func level(x []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / rate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	power := s1*s1 + s2*s2 - c*s1*s2
	return 2 * math.Sqrt(power) / float64(len(x))
}

func firstSound(x []int16) int {
	for i, v := range x {
		if v != 0 {
			return i
		}
	}
	return -1
}

func writeRaw(t *testing.T, path string, s []int16) {
	t.Helper()
	b := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readRaw(t *testing.T, path string) []int16 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return s
}
