package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// srtpConfig is a phone with one line, 1001 at srv, whose SRTP policy is
// mode (account.1.srtp).
func srtpConfig(t *testing.T, srv *kamailiotest.Server, mode string) string {
	t.Helper()
	path := registrarConfig(t, srv)
	lineOneOnly(t, path)
	appendConfig(t, path, "account.1.srtp = "+mode+"\n")
	return path
}

// decodedRecordings returns what baresip played of each call (its
// sndfile "-dec" WAVs), oldest call first.
func decodedRecordings(bs *baresiptest.Phone) []string {
	var dec []string
	for _, f := range bs.Recordings() {
		if strings.Contains(filepath.Base(f), "dec") {
			dec = append(dec, f)
		}
	}
	slices.Sort(dec) // sndfile names them by the time the call began
	return dec
}

// TestCallBaresipSRTP: a phone whose line requires SRTP talks to baresip
// with mandatory SRTP (mediaenc=srtp-mand) through Kamailio, both ways
// round, with the audio checked by frequency at each end (1 kHz from the
// agent, 700 Hz from baresip). That the media is SRTP is checked at
// baresip, which runs libsrtp, not pion: the SDP it got from the phone is
// RTP/SAVP with a=crypto, it reports the suite it enabled, and it never
// failed to authenticate or decrypt a packet of the phone's (plain RTP,
// or SRTP under another key, fails there and would not carry the tone).
// Before that, a plain-RTP call from baresip without SRTP is refused
// with 488 and never rings.
func TestCallBaresipSRTP(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	audio := t.TempDir()
	writeRawTone(t, filepath.Join(audio, "headset-in.raw"), 1000, 60*time.Second)
	p := startPhone(t, "--config", srtpConfig(t, kam, "required"), "--state", t.TempDir(), "--audio-dir", audio)
	logOnFailure(t, p)
	p.waitState("registered", func(s apiState) bool {
		return len(s.Lines) > 0 && s.Lines[0].Registration == "registered"
	})

	// 1. Plain RTP from baresip without SRTP: 488, and the phone never
	// shows the call.
	plain := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr()})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)
	plain.Command(t, "dial", "sip:"+kamailiotest.User1+"@"+kam.Host())
	closed := plain.WaitEvent(t, "CALL_CLOSED")
	if param, _ := closed["param"].(string); !strings.Contains(param, "488") {
		t.Errorf("baresip's plain call closed with %q, want 488 Not Acceptable Here", param)
	}
	if s := p.state(); len(s.Calls) != 0 {
		t.Errorf("the refused call shows on the phone: %+v", s.Calls)
	}
	plain.Stop()

	// 2. baresip with mandatory SRTP; the agent dials it.
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700, Record: true, SRTP: "srtp-mand", SIPTrace: true})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)
	mark := rawLen(t, filepath.Join(audio, "headset.raw"))
	p.press("1", "0", "0", "2", "ok")
	p.waitState("connected", func(s apiState) bool {
		return len(s.Calls) == 1 && callField(s, "state") == "connected"
	})
	p.waitState("srtp in /api/state", callSecure)
	ev := bs.WaitEvents(t, "CALL_MENC", "CALL_ESTABLISHED")
	if menc, _ := ev["CALL_MENC"]["param"].(string); !strings.Contains(menc, "AES_CM_128_HMAC_SHA1_80") {
		t.Errorf("baresip's media encryption event %v", ev["CALL_MENC"])
	}
	time.Sleep(2 * time.Second) // two seconds of conversation
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")
	p.waitState("idle", func(s apiState) bool { return len(s.Calls) == 0 })

	heard := lastSecondWithSound(readRaw(t, filepath.Join(audio, "headset.raw"))[mark:])
	if !dominant(heard, 8000, 700, 1000, 440, 480) {
		t.Errorf("the agent's ear does not carry baresip's 700 Hz over SRTP (%d samples)", len(heard))
	}
	dec := decodedRecordings(bs)
	if len(dec) != 1 || !dominant(lastSecondWithSound(readWAV(t, dec[0])), 8000, 1000, 700, 440) {
		t.Errorf("baresip does not hear the agent's 1 kHz over SRTP (recordings %v)", bs.Recordings())
	}

	// 3. baresip calls the phone; the headset key answers with SRTP.
	bs.Command(t, "dial", "sip:"+kamailiotest.User1+"@"+kam.Host())
	p.waitState("ringing", func(s apiState) bool { return callField(s, "state") == "ringing" })
	p.press("headset")
	p.waitState("answered", func(s apiState) bool { return callField(s, "state") == "connected" })
	p.waitState("srtp in /api/state", callSecure)
	ev = bs.WaitEvents(t, "CALL_MENC", "CALL_ESTABLISHED")
	if menc, _ := ev["CALL_MENC"]["param"].(string); !strings.Contains(menc, "AES_CM_128_HMAC_SHA1_80") {
		t.Errorf("baresip's media encryption event %v", ev["CALL_MENC"])
	}
	time.Sleep(2 * time.Second)
	bs.Command(t, "hangup", "")
	p.waitState("ended", func(s apiState) bool { return len(s.Calls) == 0 })
	dec = decodedRecordings(bs)
	if len(dec) != 2 || !dominant(lastSecondWithSound(readWAV(t, dec[1])), 8000, 1000, 700, 440) {
		t.Errorf("baresip does not hear the agent's 1 kHz on the call it placed (recordings %v)", bs.Recordings())
	}

	// The SDP baresip got from the phone (its SIP trace): the offer of
	// call 1 and the answer of call 2, both RTP/SAVP with a=crypto.
	log := bs.Log()
	sdps := phoneSDPs(log)
	if len(sdps) < 2 {
		t.Errorf("baresip's SIP trace shows %d SDP bodies from the phone, want 2:\n%s", len(sdps), log)
	}
	for _, body := range sdps {
		if !strings.Contains(body, " RTP/SAVP ") || !strings.Contains(body, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") {
			t.Errorf("the phone's SDP is not SRTP:\n%s", body)
		}
	}
	// libsrtp at baresip enabled SRTP for both calls and never rejected
	// a packet of the phone's.
	if n := strings.Count(log, "SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"); n < 2 {
		t.Errorf("baresip enabled SRTP %d times, want 2 (one per call):\n%s", n, log)
	}
	if strings.Contains(log, "failed to decrypt") {
		t.Errorf("baresip failed to decrypt the phone's packets:\n%s", log)
	}
	// The keys travel in SDP only: the phone's log (at debug) never
	// shows one.
	if strings.Contains(p.stderr.String(), "inline:") {
		t.Error("the phone's log shows an SRTP key (a=crypto inline:)")
	}
}

// callSecure reports whether /api/state shows the first call as SRTP.
func callSecure(s apiState) bool {
	if len(s.Calls) == 0 {
		return false
	}
	m, _ := s.Calls[0].(map[string]any)
	on, _ := m["srtp"].(bool)
	return on
}

// phoneSDPs returns the SDP bodies the phone sent (from its o=ccphone
// line to the last "x=" line) as they appear in baresip's SIP trace.
func phoneSDPs(log string) []string {
	var out []string
	for rest := log; ; {
		i := strings.Index(rest, "o=ccphone ")
		if i < 0 {
			return out
		}
		rest = rest[i:]
		var body []string
		for line := range strings.Lines(rest) {
			line = strings.TrimRight(line, "\r\n")
			if len(line) < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z' {
				break
			}
			body = append(body, line)
		}
		out = append(out, strings.Join(body, "\n"))
		rest = rest[len("o=ccphone "):]
	}
}

// rawLen returns how many samples a raw s16le file holds; 0 if it does
// not exist yet.
func rawLen(t *testing.T, path string) int {
	t.Helper()
	st, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return int(st.Size() / 2)
}
