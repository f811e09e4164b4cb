package main

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"testing"
	"time"

	"ccphone/hal/haltest"
	"ccphone/media"
	"ccphone/media/record"
	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/ui"
)

// followRig is the recordings of a phone without SIP: a real media
// engine on silent ports, the telephony's legs, and the policy of text.
func followRig(t *testing.T, text string) (*recordings, *telephony) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine, err := media.New(media.Options{Audio: &haltest.Audio{}, Addr: netip.MustParseAddr("127.0.0.1"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { engine.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; engine.Close() })
	tel, err := newTelephony(engine, "us", log)
	if err != nil {
		t.Fatal(err)
	}
	cfg := firmwareConfig(t, text)
	r, err := openRecordings(t.TempDir(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	r.engine, r.tel = engine, tel
	r.config = func() *provisioning.Config { return cfg }
	r.phone = func() *ui.Phone { return nil }
	tel.legClosed = r.legClosed
	return r, tel
}

// segmentsByRecording waits for the recordings being closed and returns
// each finished recording's number of segments.
func segmentsByRecording(t *testing.T, r *recordings) []int {
	t.Helper()
	r.wg.Wait()
	metas, err := record.List(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, m := range metas {
		out = append(out, len(m.Segments))
	}
	return out
}

func event(id sip.CallID, line int, st sip.CallState, reason string) sip.CallEvent {
	return sip.CallEvent{ID: id, Line: line, State: st, Direction: sip.Outgoing, Remote: "sip:100" + string(rune('0'+id)) + "@127.0.0.1", Reason: reason}
}

// TestFollowTransfer drives an attended transfer of a recorded call as
// the user agent reports it: the customer's call (1) is held, the agent
// consults on line 2 (call 2), transfers, and both calls end. With
// recording.follow_transfer on, the customer's recording follows the
// agent into the consultation as a second segment and ends with it; off,
// it stops at the transfer with one segment, and the consultation is a
// recording of its own.
func TestFollowTransfer(t *testing.T) {
	const policy = "recording.account.outbound.onnet.enabled = 1\nrecording.account.outbound.offnet.enabled = 1\n"
	for _, tc := range []struct {
		follow     string
		atTransfer []int // segments of the recordings finished when call 1 ends
		atEnd      []int // when call 2 has ended too
	}{
		{"1", nil, []int{4}}, // customer, consultation, customer, consultation
		{"0", []int{1}, []int{1, 1}},
	} {
		t.Run("follow_transfer="+tc.follow, func(t *testing.T) {
			r, tel := followRig(t, policy+"recording.follow_transfer = "+tc.follow+"\n")
			legA, err := tel.NewLeg(1)
			if err != nil {
				t.Fatal(err)
			}
			r.callEvent(event(1, 1, sip.CallConnected, ""))
			time.Sleep(100 * time.Millisecond)
			r.callEvent(event(1, 1, sip.CallHeld, ""))
			legB, err := tel.NewLeg(2)
			if err != nil {
				t.Fatal(err)
			}
			r.callEvent(event(2, 2, sip.CallConnected, ""))
			time.Sleep(100 * time.Millisecond)
			// The agent swaps back to the customer and again to the
			// consultation before transferring.
			r.callEvent(event(2, 2, sip.CallHeld, ""))
			r.callEvent(event(1, 1, sip.CallConnected, ""))
			time.Sleep(100 * time.Millisecond)
			r.callEvent(event(1, 1, sip.CallHeld, ""))
			r.callEvent(event(2, 2, sip.CallConnected, ""))
			time.Sleep(100 * time.Millisecond)

			// The transfer: the customer's call ends first.
			legA.Close()
			r.callEvent(event(1, 1, sip.CallEnded, "transferred"))
			if got := segmentsByRecording(t, r); !slices.Equal(got, tc.atTransfer) {
				t.Errorf("after the transfer: recordings with %v segments, want %v", got, tc.atTransfer)
			}
			legB.Close()
			r.callEvent(event(2, 2, sip.CallEnded, "remote hangup"))
			if got := segmentsByRecording(t, r); !slices.Equal(got, tc.atEnd) {
				t.Errorf("after both calls: recordings with %v segments, want %v", got, tc.atEnd)
			}
			if n := len(r.queue.Jobs()); n != len(tc.atEnd) {
				t.Errorf("%d recordings queued for upload, want %d", n, len(tc.atEnd))
			}
		})
	}
}
