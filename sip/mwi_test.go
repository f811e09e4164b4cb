package sip_test

import (
	"testing"
	"time"

	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/sip/sipptest"
)

// TestMWISubscription: a line with a voicemail number subscribes to
// message-summary at its registrar (sipp, playing registrar and voicemail
// server), answers the digest challenge, reports the NOTIFYs as
// MWIEvents, refreshes the subscription in its dialog before the 2 s the
// server granted run out, and unsubscribes when Run ends. sipp checks
// the requests (Event, Accept, Authorization, the dialog's To tag, the
// Expires values) and exits 0 only after the unsubscribe and the
// unregister.
func TestMWISubscription(t *testing.T) {
	sipptest.Require(t)
	p := sipptest.Start(t, "mwi_server.xml", "127.0.0.1:5060", sipptest.Options{Service: "1001", Calls: 2})
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(p.Wait())
		}
	})
	acc := provisioning.Account{
		Index: 1, Enable: true, UserName: "1001", Password: "secret1001", Voicemail: "*97",
	}
	acc.Servers[0] = provisioning.Server{Address: "127.0.0.1", Port: p.Port, Transport: "udp", Expires: time.Minute}
	ua := start(t, testOptions(t), acc)
	ua.wait(1, sip.RegistrationRegistered, "")

	mwi := func(want sip.MWIEvent) {
		t.Helper()
		ev := ua.next("MWI", func(ev sip.Event) bool { _, ok := ev.(sip.MWIEvent); return ok }).(sip.MWIEvent)
		if ev != want {
			t.Errorf("MWI %+v, want %+v", ev, want)
		}
	}
	mwi(sip.MWIEvent{Line: 1, Waiting: true, New: 2, Old: 8})
	mwi(sip.MWIEvent{Line: 1, Waiting: true, New: 3, Old: 8}) // sent after the refresh
	ua.stop()
	if res := p.Wait(); res.Exit != 0 || res.Successful != 2 {
		t.Errorf("sipp: %v", res)
	}
}

// TestMWISubscriptionTerminated: a NOTIFY with Subscription-State:
// terminated is reported and answered, and the line subscribes again
// (a new dialog, which sipp answers as a new call) after the back-off.
func TestMWISubscriptionTerminated(t *testing.T) {
	sipptest.Require(t)
	p := sipptest.Start(t, "mwi_terminated.xml", "127.0.0.1:5060", sipptest.Options{Service: "1001", Calls: 3})
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(p.Wait())
		}
	})
	acc := provisioning.Account{
		Index: 1, Enable: true, UserName: "1001", Password: "secret1001", Voicemail: "*97",
	}
	acc.Servers[0] = provisioning.Server{Address: "127.0.0.1", Port: p.Port, Transport: "udp", Expires: time.Minute}
	o := testOptions(t)
	o.RetryMin = 300 * time.Millisecond // the third subscription comes after the test
	ua := start(t, o, acc)
	ua.wait(1, sip.RegistrationRegistered, "")
	for range 2 {
		ev := ua.next("MWI", func(ev sip.Event) bool { _, ok := ev.(sip.MWIEvent); return ok }).(sip.MWIEvent)
		if want := (sip.MWIEvent{Line: 1, Waiting: true, New: 1, Old: 0}); ev != want {
			t.Errorf("MWI %+v, want %+v", ev, want)
		}
	}
	ua.stop()
	if res := p.Wait(); res.Exit != 0 || res.Successful != 3 {
		t.Errorf("sipp: %v", res)
	}
}

// TestMWISubscriptionOff: without a voicemail number, or with
// SubscribeExpires negative, a line does not subscribe: sipp, expecting
// only REGISTERs here, would fail on a SUBSCRIBE.
func TestMWISubscriptionOff(t *testing.T) {
	sipptest.Require(t)
	for _, tc := range []struct {
		name      string
		voicemail string
		expires   time.Duration
	}{
		{"no voicemail number", "", 0},
		{"SubscribeExpires negative", "*97", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := sipptest.Start(t, "register_only.xml", "127.0.0.1:5060", sipptest.Options{Service: "1001", Calls: 1})
			acc := provisioning.Account{
				Index: 1, Enable: true, UserName: "1001", Password: "secret1001", Voicemail: tc.voicemail,
			}
			acc.Servers[0] = provisioning.Server{Address: "127.0.0.1", Port: p.Port, Transport: "udp", Expires: time.Minute}
			o := testOptions(t)
			o.SubscribeExpires = tc.expires
			ua := start(t, o, acc)
			ua.wait(1, sip.RegistrationRegistered, "")
			time.Sleep(300 * time.Millisecond) // a SUBSCRIBE would have left by now
			ua.stop()
			if res := p.Wait(); res.Exit != 0 || res.Successful != 1 {
				t.Errorf("sipp: %v", res)
			}
		})
	}
}
