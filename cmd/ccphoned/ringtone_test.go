package main

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ccphone/provisioning/nginxtest"
	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// writeWAV writes d of an hz sine as a 16-bit mono 8 kHz WAV.
func writeWAV(t *testing.T, path string, hz float64, d time.Duration) {
	t.Helper()
	n := int(d.Seconds() * 8000)
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], 8000)
	binary.LittleEndian.PutUint32(b[28:], 16000)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i := range n {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(8000*math.Sin(2*math.Pi*hz*float64(i)/8000))))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRingtoneFromURL rings an incoming call with the provisioned
// ringtone (a 900 Hz WAV from the web server) instead of the built-in
// ring, in the agent's headset.
func TestRingtoneFromURL(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	root := t.TempDir()
	writeWAV(t, filepath.Join(root, "ring.wav"), 900, time.Second)
	web := nginxtest.Start(t, nginxtest.Options{Root: root})
	audio := t.TempDir()
	cfg := registrarConfig(t, kam)
	appendConfig(t, cfg, "ringer.ringtone_url = "+web.URL+"/ring.wav\n")
	p := startPhone(t, "--config", cfg, "--state", t.TempDir(), "--audio-dir", audio)
	p.waitState("registered", bothRegistered)
	web.WaitRequests(t, 1) // the ringtone was fetched
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), ToneHz: 700})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	bs.Command(t, "dial", "sip:1001@"+kam.Host())
	p.waitState("ringing", func(s apiState) bool { return callField(s, "state") == "ringing" })
	time.Sleep(500 * time.Millisecond) // half a second of ringing
	heard := lastSecondWithSound(readRaw(t, filepath.Join(audio, "headset.raw")))
	if !dominant(heard, 8000, 900, 400, 450, 700) {
		t.Error("the headset does not ring with the provisioned 900 Hz ringtone")
	}
	bs.Command(t, "hangup", "")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
}
