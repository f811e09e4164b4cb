package main

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// codecCase is one codec round trip: what each side offers, what must be
// negotiated, and the tones each side sends.
type codecCase struct {
	name       string
	phone      string   // media.codecs
	baresip    []string // baresip's audio_codecs
	want       string   // the codec /api/state must report
	rate       int      // the phone's engine rate: headset files and baresip's WAVs
	agentHz    float64  // the agent's microphone
	baresipHz  float64  // baresip's microphone
	otherProbe []float64
}

var codecCases = []codecCase{
	{name: "PCMU", phone: "pcmu", baresip: []string{"PCMU"}, want: "PCMU", rate: 8000, agentHz: 1000, baresipHz: 700},
	{name: "PCMA", phone: "pcma", baresip: []string{"PCMA"}, want: "PCMA", rate: 8000, agentHz: 1000, baresipHz: 700},
	// G.722 both ways with tones in the upper sub-band (4-8 kHz), which
	// only a true wideband path carries: a narrowband leg or a resampled
	// 8 kHz engine would lose them. The phone also offers PCMU, which
	// baresip does not take.
	{name: "G722", phone: "g722,pcmu", baresip: []string{"G722"}, want: "G722", rate: 16000, agentHz: 5000, baresipHz: 6000},
}

// toneAmplitude is the peak of the tones both sides send; their RMS is
// toneAmplitude/√2.
const toneAmplitude = 8000

// TestCodecRoundTrips places a call from ccphoned (1001) to baresip
// (1002) through Kamailio once per codec, with each side offering only
// what makes the codec under test the one negotiated: a tone sent by
// baresip arrives at the headset port with the right frequency and level,
// and the agent's tone reaches baresip the same way. For G.722 the
// phone's engine runs at 16 kHz: the headset files are 16 kHz and the
// tones lie above 4 kHz, so this is also the interop check of media/g722
// against baresip's g722 module (spandsp).
func TestCodecRoundTrips(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	for _, tc := range codecCases {
		t.Run(tc.name, func(t *testing.T) { codecRoundTrip(t, kam, tc) })
	}
}

func codecRoundTrip(t *testing.T, kam *kamailiotest.Server, tc codecCase) {
	audio := t.TempDir()
	writeRawToneAt(t, filepath.Join(audio, "headset-in.raw"), tc.rate, tc.agentHz, 60*time.Second)
	cfg := singleLineConfig(t, kam)
	appendConfig(t, cfg, "media.codecs = "+tc.phone+"\n")
	p := startPhone(t, "--config", cfg, "--state", t.TempDir(), "--audio-dir", audio)
	p.waitState("line 1 registered", func(s apiState) bool {
		return len(s.Lines) == 2 && s.Lines[0].Registration == "registered"
	})
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: tc.baresipHz, ToneRate: tc.rate, Record: true,
		AudioCodecs: tc.baresip})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	p.press("1", "0", "0", "2", "ok")
	s := p.waitState("connected", func(s apiState) bool {
		return len(s.Calls) == 1 && callField(s, "state") == "connected"
	})
	if got := callField(s, "codec"); got != tc.want {
		t.Errorf("negotiated codec %q, want %q", got, tc.want)
	}
	bs.WaitEvent(t, "CALL_ESTABLISHED")
	time.Sleep(3 * time.Second) // three seconds of conversation
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
	p.stop() // the headset file is complete

	probes := []float64{tc.agentHz, tc.baresipHz, 440, 480, tc.baresipHz / 2, tc.baresipHz * 2, 8000 - tc.baresipHz}
	heard := steadySecond(readRaw(t, filepath.Join(audio, "headset.raw")), tc.rate)
	checkTone(t, "the agent's ear (headset.raw)", heard, tc.rate, tc.baresipHz, probes)

	var far []int16
	farRate := 0
	for _, f := range bs.Recordings() {
		if strings.HasSuffix(filepath.Base(f), "-dec.wav") { // what baresip played
			far, farRate = readWAVRate(t, f)
		}
	}
	if farRate != tc.rate {
		t.Errorf("baresip decoded at %d Hz, want %d (recordings %v)", farRate, tc.rate, bs.Recordings())
	}
	probes = []float64{tc.baresipHz, tc.agentHz, 440, tc.agentHz / 2, tc.agentHz * 2, 8000 - tc.agentHz}
	checkTone(t, "baresip's ear", steadySecond(far, max(farRate, 8000)), max(farRate, 8000), tc.agentHz, probes)
}

// checkTone asserts that hz dominates samples and that their level is
// that of the tone sent, within 1.5 dB.
func checkTone(t *testing.T, where string, samples []int16, rate int, hz float64, probes []float64) {
	t.Helper()
	var others []float64
	for _, o := range probes {
		if o != hz && o > 0 && o < float64(rate)/2 {
			others = append(others, o)
		}
	}
	if !dominant(samples, float64(rate), hz, others...) {
		t.Errorf("%s: %g Hz does not dominate at %d Hz (%d samples)", where, hz, rate, len(samples))
	}
	want := toneAmplitude / math.Sqrt2
	got := rms(samples)
	db := 20 * math.Log10(got/want)
	t.Logf("%s: %g Hz at RMS %.0f (sent %.0f, %+.2f dB)", where, hz, got, want, db)
	if math.IsNaN(db) || math.Abs(db) > 1.5 {
		t.Errorf("%s: RMS %.0f, sent %.0f (%+.2f dB, want within ±1.5 dB)", where, got, want, db)
	}
}

func rms(s []int16) float64 {
	if len(s) == 0 {
		return 0
	}
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(s)))
}

// steadySecond returns a second of samples from the middle of the last
// stretch with sound: it ends half a second before the sound stops, away
// from the call's start, its end, and any concealment fading out.
func steadySecond(s []int16, rate int) []int16 {
	end := len(s)
	for end > 0 && abs16(s[end-1]) < 100 {
		end--
	}
	end -= rate / 2
	if end < rate {
		return nil
	}
	return s[end-rate : end]
}

// singleLineConfig is registrarConfig with line 2 (also 1002) off, so
// that calls to 1002 reach baresip alone.
func singleLineConfig(t *testing.T, kam *kamailiotest.Server) string {
	t.Helper()
	path := registrarConfig(t, kam)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "account.2.enable = 1", "account.2.enable = 0", 1)
	if text == string(data) {
		t.Fatal("registrarConfig no longer enables account 2")
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeRawToneAt writes d of an hz sine (peak toneAmplitude) as s16le at
// rate: the sim board's headset microphone, read at the engine's rate.
func writeRawToneAt(t *testing.T, path string, rate int, hz float64, d time.Duration) {
	t.Helper()
	n := int(d.Seconds() * float64(rate))
	buf := make([]byte, 2*n)
	for i := range n {
		v := int16(toneAmplitude * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readWAVRate returns a 16-bit mono WAV's samples and sample rate.
func readWAVRate(t *testing.T, path string) ([]int16, int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rate := 0
	for i := 12; i+8 <= len(data); {
		id, size := string(data[i:i+4]), int(binary.LittleEndian.Uint32(data[i+4:]))
		i += 8
		if id == "fmt " && i+8 <= len(data) {
			rate = int(binary.LittleEndian.Uint32(data[i+4:]))
		}
		i += size + size%2
	}
	return readWAV(t, path), rate
}
