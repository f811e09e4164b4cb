package main

import (
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
	if err := baresiptest.WriteTone(path, d, hz); err != nil {
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
