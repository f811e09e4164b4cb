package sip_test

import (
	"strconv"
	"testing"
	"time"

	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/sip/kamailiotest"
	"ccphone/sip/sipptest"
)

// TestSipp plays sipp scenarios against the phone (1001, registered at
// Kamailio on 127.0.0.1, which makes sipp on 127.0.0.1 a configured
// server and 127.0.0.2 a stranger). Each subtest passes only when sipp
// exits 0 with one successful call.
func TestSipp(t *testing.T) {
	sipptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	o, _ := withMedia(t)
	o.Trust = sip.TrustPolicy{TrustedServersOnly: true, AllowIPCalls: true}
	o.RecordHeader = "X-Record"
	ua := start(t, o, account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil))
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	to := ua.Addr().String()

	check := func(t *testing.T, p *sipptest.Process) {
		t.Helper()
		res := p.Wait()
		if res.Exit != 0 || res.Successful != 1 {
			t.Errorf("sipp: %v", res)
		} else {
			t.Logf("sipp exit %d: %d successful, %d failed", res.Exit, res.Successful, res.Failed)
		}
	}

	t.Run("inbound with RTP, DTMF INFO, hold, Record", func(t *testing.T) {
		ua.t = t
		p := sipptest.Start(t, "inbound.xml", to, sipptest.Options{Service: "1001", Args: []string{"-rtp_echo"}})
		in := ua.call(0, sip.CallRinging)
		if in.RemoteNumber != "sipp" || in.RemoteName != "sipp" || in.Line != 1 || in.AutoAnswer {
			t.Errorf("ringing %+v, want sipp on line 1 without auto answer", in)
		}
		if err := ua.Answer(in.ID); err != nil {
			t.Fatal(err)
		}
		ua.call(in.ID, sip.CallConnected)
		leg := ua.media.Leg(in.ID)
		rtpFlows(t, leg, 10) // sipp echoes what the leg sends
		dtmf := ua.next("DTMF", func(ev sip.Event) bool { _, ok := ev.(sip.DTMFEvent); return ok }).(sip.DTMFEvent)
		if dtmf.Digit != '5' || dtmf.ID != in.ID {
			t.Errorf("DTMF %+v, want 5", dtmf)
		}
		ua.callWhere(in.ID, "held by remote", func(e sip.CallEvent) bool { return e.HeldByRemote })
		ua.callWhere(in.ID, "resumed", func(e sip.CallEvent) bool { return !e.HeldByRemote })
		rec := ua.next("Record", func(ev sip.Event) bool { _, ok := ev.(sip.RecordEvent); return ok }).(sip.RecordEvent)
		if !rec.On || rec.ID != in.ID {
			t.Errorf("record %+v, want on", rec)
		}
		if end := ua.call(in.ID, sip.CallEnded); end.Reason != "remote hangup" {
			t.Errorf("ended %q, want remote hangup", end.Reason)
		}
		check(t, p)
	})

	t.Run("phone hangs up", func(t *testing.T) {
		ua.t = t
		p := sipptest.Start(t, "remote_bye.xml", to, sipptest.Options{Service: "1001"})
		in := ua.call(0, sip.CallRinging)
		if err := ua.Answer(in.ID); err != nil {
			t.Fatal(err)
		}
		ua.call(in.ID, sip.CallConnected)
		if err := ua.Hangup(in.ID); err != nil {
			t.Fatal(err)
		}
		ua.call(in.ID, sip.CallEnded)
		check(t, p)
	})

	t.Run("cancel before answer", func(t *testing.T) {
		ua.t = t
		p := sipptest.Start(t, "cancel.xml", to, sipptest.Options{Service: "1001"})
		in := ua.call(0, sip.CallRinging)
		if end := ua.call(in.ID, sip.CallEnded); end.Code != 487 {
			t.Errorf("ended %d %q, want 487", end.Code, end.Reason)
		}
		check(t, p)
	})

	t.Run("busy", func(t *testing.T) {
		ua.t = t
		p := sipptest.Start(t, "busy.xml", to, sipptest.Options{Service: "1001"})
		in := ua.call(0, sip.CallRinging)
		if err := ua.Reject(in.ID, 486); err != nil {
			t.Fatal(err)
		}
		if end := ua.call(in.ID, sip.CallEnded); end.Code != 486 {
			t.Errorf("ended %d %q, want 486", end.Code, end.Reason)
		}
		check(t, p)
	})

	for _, tc := range []struct {
		host string
		want bool
	}{{"127.0.0.1", true}, {"127.0.0.2", false}} {
		t.Run("intercom from "+tc.host, func(t *testing.T) {
			ua.t = t
			p := sipptest.Start(t, "intercom.xml", to, sipptest.Options{Service: "1001", Host: tc.host})
			in := ua.call(0, sip.CallRinging)
			if in.AutoAnswer != tc.want {
				t.Errorf("AutoAnswer %v from %s, want %v", in.AutoAnswer, tc.host, tc.want)
			}
			if err := ua.Answer(in.ID); err != nil {
				t.Fatal(err)
			}
			ua.call(in.ID, sip.CallEnded)
			check(t, p)
		})
	}

	yes, no := true, false
	for _, tc := range []struct {
		name, host, header, value string
		want                      *bool
	}{
		{"record ON from the registrar's host", "127.0.0.1", "X-Record", "ON", &yes},
		{"record yes", "127.0.0.1", "x-record", "yes", &yes},
		{"record off", "127.0.0.1", "X-Record", "off", &no},
		{"record 0", "127.0.0.1", "X-Record", "0", &no},
		{"record unknown value", "127.0.0.1", "X-Record", "maybe", nil},
		{"record header absent", "127.0.0.1", "X-Other", "on", nil},
		{"record from a stranger", "127.0.0.2", "X-Record", "on", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ua.t = t
			p := sipptest.Start(t, "record.xml", to, sipptest.Options{Service: "1001", Host: tc.host,
				Keys: map[string]string{"record_header": tc.header, "record": tc.value}})
			in := ua.call(0, sip.CallRinging)
			if got := in.RecordRequested; (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("RecordRequested %s, want %s", boolPtr(got), boolPtr(tc.want))
			}
			if err := ua.Reject(in.ID, 486); err != nil {
				t.Fatal(err)
			}
			if end := ua.call(in.ID, sip.CallEnded); end.RecordRequested != nil {
				t.Errorf("RecordRequested on %v, want it on Ringing only", end)
			}
			check(t, p)
		})
	}

	t.Run("being transferred", func(t *testing.T) {
		ua.t = t
		ob, _ := withMedia(t)
		b := start(t, ob, account(kamailiotest.User2, kamailiotest.Password2, time.Minute, kam, nil))
		b.wait(1, sip.RegistrationRegistered, kam.Addr())
		p := sipptest.Start(t, "refer.xml", to, sipptest.Options{Service: "1001",
			Keys: map[string]string{"refer_to": "sip:1002@127.0.0.1"}})
		in := ua.call(0, sip.CallRinging)
		if err := ua.Answer(in.ID); err != nil {
			t.Fatal(err)
		}
		ua.call(in.ID, sip.CallConnected)
		rb := b.call(0, sip.CallRinging)
		if rb.RemoteNumber != "1001" {
			t.Errorf("transfer target rung by %q, want 1001", rb.RemoteNumber)
		}
		if err := b.Answer(rb.ID); err != nil {
			t.Fatal(err)
		}
		if end := ua.call(in.ID, sip.CallEnded); end.Reason != "transferred" {
			t.Errorf("original call ended %q, want transferred", end.Reason)
		}
		check(t, p)
		nc := ua.next("the new call connected", func(ev sip.Event) bool {
			ce, ok := ev.(sip.CallEvent)
			return ok && ce.ID > in.ID && ce.State == sip.CallConnected
		}).(sip.CallEvent)
		if err := ua.Hangup(nc.ID); err != nil {
			t.Fatal(err)
		}
		b.call(rb.ID, sip.CallEnded)
	})
}

func boolPtr(b *bool) string {
	if b == nil {
		return "nil"
	}
	return strconv.FormatBool(*b)
}

// TestCancelAfterLateTrying: the proxy answers the INVITE 180 (with a
// Record-Route) and then, late, 100 Trying (without one); the caller
// hangs up. The CANCEL must still go to the proxy: sipp checks the
// INVITE's pre-loaded Route and that CANCEL, 487 and ACK complete.
func TestCancelAfterLateTrying(t *testing.T) {
	sipptest.Require(t)
	p := sipptest.Start(t, "late_trying.xml", "127.0.0.1:5060", sipptest.Options{Service: "1002", Calls: 2})
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(p.Wait())
		}
	})
	acc := provisioning.Account{Index: 1, Enable: true, UserName: "1001", Password: "secret1001"}
	acc.Servers[0] = provisioning.Server{Address: "127.0.0.1", Port: p.Port, Transport: "udp", Expires: time.Minute}
	o, _ := withMedia(t)
	ua := start(t, o, acc)
	ua.wait(1, sip.RegistrationRegistered, "")
	id, err := ua.Dial(1, "1002")
	if err != nil {
		t.Fatal(err)
	}
	ua.call(id, sip.CallRinging)
	time.Sleep(500 * time.Millisecond) // past sipp's late 100 Trying
	if err := ua.Hangup(id); err != nil {
		t.Fatal(err)
	}
	if end := ua.call(id, sip.CallEnded); end.Code != 487 {
		t.Errorf("call ended with %d %q, want 487", end.Code, end.Reason)
	}
	ua.stop()
	if res := p.Wait(); res.Exit != 0 || res.Successful != 2 {
		t.Errorf("sipp: %v", res)
	}
}
