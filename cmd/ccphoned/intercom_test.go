package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"ccphone/sip/kamailiotest"
	"ccphone/sip/sipptest"
)

// TestSettingsAutoAnswerBeep: phone.auto_answer_beep reaches the UI's
// settings (it defaults to on).
func TestSettingsAutoAnswerBeep(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   bool
	}{
		{"", true},
		{"phone.auto_answer_beep = 0\n", false},
		{"phone.auto_answer_beep = 1\n", true},
	} {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "phone.cfg")
		if err := os.WriteFile(cfg, []byte(tc.config), 0o644); err != nil {
			t.Fatal(err)
		}
		store, err := openConfig(cfg, dir, "00:15:65:00:00:01", []string{"en"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if got := store.Settings().AutoAnswerBeep; got != tc.want {
			t.Errorf("config %q: AutoAnswerBeep %v, want %v", tc.config, got, tc.want)
		}
	}
}

// TestIntercomAutoAnswer drives auto answer through the whole phone.
// An INVITE asking for auto answer (Call-Info answer-after=0, Alert-Info,
// Answer-Mode) from the trusted server's host is answered at once, with a
// 1 kHz beep in the headset; sipp fails without the 200. The same INVITE
// from a stranger (127.0.0.2, let in by sip.allow_ip_calls) only rings:
// the agent's Reject must reach sipp as 486, where an automatic 200
// would fail it. The Auto Answer key lights its LED and answers a plain
// call by itself, and turns both off again. With phone.allow_intercom = 0
// the trusted server's intercom INVITE only rings too.
func TestIntercomAutoAnswer(t *testing.T) {
	sipptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	audio := t.TempDir()
	cfg := registrarConfig(t, kam)
	appendConfig(t, cfg, "sip.allow_ip_calls = 1\n")
	state := t.TempDir()
	p := startPhone(t, "--config", cfg, "--state", state, "--audio-dir", audio)
	logOnFailure(t, p)
	p.waitState("registered", bothRegistered)
	addr := sipAddr(t, cfg)
	check := func(what string, sp *sipptest.Process) {
		t.Helper()
		if res := sp.Wait(); res.Exit != 0 || res.Successful != 1 {
			t.Errorf("%s: sipp: %v", what, res)
		}
	}

	// The trusted server asks: answered at once, with the beep.
	headset := filepath.Join(audio, "headset.raw")
	mark := rawSize(t, headset)
	check("intercom from the server", sipptest.Start(t, "intercom.xml", addr, sipptest.Options{Service: kamailiotest.User1}))
	p.waitState("idle after the intercom call", func(s apiState) bool { return len(s.Calls) == 0 })
	beep := burst(rawSince(t, headset, mark), 500, 1600)
	if beep == nil || !dominant(beep, 8000, 1000, 440, 480, 620, 350) {
		t.Errorf("no 1 kHz beep in the headset when the intercom call was answered (%d samples)", len(beep))
	}

	// A stranger asks: it only rings.
	refused := func(what, host string) {
		t.Helper()
		sp := sipptest.Start(t, "intercom_refused.xml", addr, sipptest.Options{Service: kamailiotest.User1, Host: host})
		p.waitState(what+" ringing", func(s apiState) bool { return sameStrings(callStates(s), "ringing") })
		p.press("soft2") // Reject
		check(what, sp)
		p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
	}
	refused("intercom from a stranger", "127.0.0.2")

	// The Auto Answer key.
	p.press("autoanswer")
	p.waitState("auto answer on", func(s apiState) bool { return ledIs(s, "autoanswer", "red", "steady") })
	if !p.more().AutoAnswer {
		t.Error("/api/state says auto answer is off with its LED lit")
	}
	sp := sipptest.Start(t, "remote_bye.xml", addr, sipptest.Options{Service: kamailiotest.User1})
	p.waitState("answered by itself", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	p.press("headset")
	check("plain call with auto answer on", sp)
	p.press("autoanswer")
	p.waitState("auto answer off", func(s apiState) bool { return ledIs(s, "autoanswer", "off", "off") })
	if p.more().AutoAnswer {
		t.Error("/api/state says auto answer is on with its LED off")
	}
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })
	p.stop()

	// Intercom turned off by provisioning: the server's request only
	// rings.
	appendConfig(t, cfg, "phone.allow_intercom = 0\n")
	p = startPhone(t, "--config", cfg, "--state", state, "--audio-dir", audio)
	logOnFailure(t, p)
	p.waitState("registered again", bothRegistered)
	refused("intercom from the server with intercom off", "")
}
