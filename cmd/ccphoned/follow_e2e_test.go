package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ccphone/media/record"
	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// TestRecordingFollowsAttendedTransfer: a recorded call to 1003, an
// attended transfer to 1004 from the keys (consult on line 2, then the
// Transfer key) through Kamailio. With recording.follow_transfer on, the
// customer's recording goes on through the consultation as a second
// segment, and the consultation makes no recording of its own; off, the
// customer's recording has one segment and the consultation is recorded
// on its own.
func TestRecordingFollowsAttendedTransfer(t *testing.T) {
	baresiptest.Require(t)
	for _, tc := range []struct {
		follow string
		want   []int // segments per finished recording, sorted
	}{
		{"1", []int{2}},
		{"0", []int{1, 1}},
	} {
		t.Run("follow_transfer="+tc.follow, func(t *testing.T) {
			kam := kamailiotest.Start(t, "registrar")
			cfg := registrarConfig(t, kam)
			appendConfig(t, cfg, "recording.account.outbound.onnet.enabled = 1\n"+
				"recording.account.outbound.offnet.enabled = 1\n"+
				"recording.format = wav_stereo\n"+
				"recording.record_min_sec = 0\n"+
				"recording.follow_transfer = "+tc.follow+"\n")
			state := t.TempDir()
			p := startPhone(t, "--config", cfg, "--state", state, "--audio-dir", t.TempDir())
			logOnFailure(t, p)
			p.waitState("registered", bothRegistered)
			transferee := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User3, Password: kamailiotest.Password3,
				Registrar: kam.Addr(), AutoAnswer: true})
			target := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User4, Password: kamailiotest.Password4,
				Registrar: kam.Addr(), AutoAnswer: true})
			kam.WaitRegistered(t, kamailiotest.User3, true, 15*time.Second)
			kam.WaitRegistered(t, kamailiotest.User4, true, 15*time.Second)

			p.press("1", "0", "0", "3", "ok")
			p.waitState("recorded call", func(s apiState) bool {
				c := callList(t, s)
				return len(c) == 1 && c[0].State == "connected" && c[0].Recording
			})
			waitPeer(t, transferee, "CALL_ESTABLISHED", kamailiotest.User1)
			time.Sleep(time.Second) // a second of the customer's call
			p.press("line2", "1", "0", "0", "4", "ok")
			p.waitState("consulting", func(s apiState) bool { return sameStrings(callStates(s), "held", "connected") })
			waitPeer(t, target, "CALL_ESTABLISHED", kamailiotest.User2)
			time.Sleep(time.Second) // a second of consultation
			p.press("transfer")
			waitPeer(t, transferee, "CALL_ESTABLISHED", kamailiotest.User4)
			p.waitState("both calls ended", func(s apiState) bool { return len(s.Calls) == 0 })

			var got []int
			deadline := time.Now().Add(15 * time.Second)
			for {
				metas, err := record.List(filepath.Join(state, "recordings"))
				if err != nil {
					t.Fatal(err)
				}
				got = got[:0]
				var who []string
				for _, m := range metas {
					got = append(got, len(m.Segments))
					who = append(who, m.To)
				}
				slices.Sort(got)
				if slices.Equal(got, tc.want) {
					if tc.follow == "1" && !strings.Contains(who[0], "1003") {
						t.Errorf("the recording that followed the transfer is of %q, want the customer's (1003)", who[0])
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("recordings' segments %v (to %v), want %v", got, who, tc.want)
				}
				time.Sleep(100 * time.Millisecond)
			}
			transferee.Command(t, "hangup", "")
			waitPeer(t, target, "CALL_CLOSED", kamailiotest.User3)
		})
	}
}
