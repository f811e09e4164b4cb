package sip_test

import (
	"fmt"
	"testing"
	"time"

	"ccphone/sip"
	"ccphone/sip/siptest"
)

// next returns the first non-registration event that match accepts,
// waiting up to waitTimeout; events it passes over stay queued.
func (r *running) next(what string, match func(sip.Event) bool) sip.Event {
	r.t.Helper()
	for i, ev := range r.others {
		if match(ev) {
			r.others = append(r.others[:i:i], r.others[i+1:]...)
			return ev
		}
	}
	timeout := time.After(waitTimeout)
	for {
		select {
		case ev, ok := <-r.Events():
			if !ok {
				r.t.Fatalf("events closed waiting for %s; seen %v", what, r.seen)
			}
			r.seen = append(r.seen, ev)
			if re, isReg := ev.(sip.RegistrationEvent); isReg {
				r.queued[re.Line] = append(r.queued[re.Line], re)
				continue
			}
			if match(ev) {
				return ev
			}
			r.others = append(r.others, ev)
		case <-timeout:
			r.t.Fatalf("no %s within %v; seen %v", what, waitTimeout, r.seen)
		}
	}
}

// call waits for a CallEvent of call id (any call when id is 0) in
// state.
func (r *running) call(id sip.CallID, state sip.CallState) sip.CallEvent {
	r.t.Helper()
	ev := r.next(fmt.Sprintf("call %d %s", id, state), func(ev sip.Event) bool {
		ce, ok := ev.(sip.CallEvent)
		return ok && (id == 0 || ce.ID == id) && ce.State == state
	})
	return ev.(sip.CallEvent)
}

// callWhere waits for a CallEvent of call id that cond accepts.
func (r *running) callWhere(id sip.CallID, what string, cond func(sip.CallEvent) bool) sip.CallEvent {
	r.t.Helper()
	ev := r.next(fmt.Sprintf("call %d %s", id, what), func(ev sip.Event) bool {
		ce, ok := ev.(sip.CallEvent)
		return ok && ce.ID == id && cond(ce)
	})
	return ev.(sip.CallEvent)
}

// waitFor polls cond until it holds, failing after waitTimeout.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, waitTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rtpFlows waits until leg has sent and received at least n packets.
func rtpFlows(t testing.TB, leg *siptest.Leg, n int64) {
	t.Helper()
	if leg == nil {
		t.Fatal("no media leg")
	}
	waitFor(t, fmt.Sprintf("call %d: %d RTP packets each way", leg.ID, n), func() bool {
		return leg.Received() >= n && leg.Sent() >= n
	})
}

// withMedia returns testOptions with a test Media.
func withMedia(t testing.TB) (sip.Options, *siptest.Media) {
	o := testOptions(t)
	m := &siptest.Media{}
	o.Media = m
	return o, m
}
