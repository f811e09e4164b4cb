package sip_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/sip/kamailiotest"
)

func TestRegisterDigestAndUnregisterOnShutdown(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	ua := start(t, testOptions(t), account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil))

	ua.wait(1, sip.RegistrationRegistering, kam.Addr())
	ev := ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	if ev.Code != 200 {
		t.Errorf("registered with code %d, want 200", ev.Code)
	}
	ua.wait(2, sip.RegistrationDisabled, "")
	contacts := kam.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)
	want := "sip:1001@" + ua.Addr().String()
	if len(contacts) != 1 || contacts[0] != want {
		t.Errorf("contacts %q, want [%s]", contacts, want)
	}
	bindings, err := kam.Bindings(context.Background(), kamailiotest.User1)
	if err != nil {
		t.Fatal(err)
	}
	if len(bindings) != 1 || bindings[0].UserAgent != "ccphone-test" || bindings[0].Expires > 60 || bindings[0].Expires < 50 {
		t.Errorf("bindings %+v, want one from ccphone-test expiring in about 60 s", bindings)
	}

	ua.stop()
	kam.WaitRegistered(t, kamailiotest.User1, false, waitTimeout)
	// Run closed Events: whatever is left is followed by the close.
	for range ua.Events() {
	}
}

func TestWrongPasswordFailsAndRetries(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	ua := start(t, testOptions(t), account(kamailiotest.User1, "not-the-password", time.Minute, kam, nil))

	ev := ua.wait(1, sip.RegistrationFailed, kam.Addr())
	if ev.Code != 401 && ev.Code != 403 {
		t.Errorf("failed with %d %s, want 401 or 403", ev.Code, ev.Reason)
	}
	if ev.Reason == "" {
		t.Error("failed without a reason")
	}
	// The line retries after a back-off.
	ua.wait(1, sip.RegistrationRegistering, kam.Addr())
	ua.wait(1, sip.RegistrationFailed, kam.Addr())

	// The right password, provisioned while failing, registers.
	if err := ua.SetAccount(1, account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil)); err != nil {
		t.Fatal(err)
	}
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	kam.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)
}

func TestRefreshBeforeExpiry(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	o := testOptions(t)
	o.RefreshFraction = 0.2 // Kamailio's minimum is 5 s: refresh after 1 s
	ua := start(t, o, account(kamailiotest.User1, kamailiotest.Password1, 5*time.Second, kam, nil))
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())

	first := binding(t, kam, kamailiotest.User1)
	deadline := time.Now().Add(waitTimeout)
	for {
		b := binding(t, kam, kamailiotest.User1)
		if b.CallID != first.CallID {
			t.Fatalf("refresh changed Call-ID %s to %s; RFC 3261 keeps one per registrar", first.CallID, b.CallID)
		}
		if b.CSeq > first.CSeq {
			t.Logf("refreshed: CSeq %d → %d", first.CSeq, b.CSeq)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refresh within %v (binding %+v)", waitTimeout, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func binding(t *testing.T, kam *kamailiotest.Server, user string) kamailiotest.Binding {
	t.Helper()
	list, err := kam.Bindings(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%s has %d bindings, want 1: %+v", user, len(list), list)
	}
	return list[0]
}

func TestFailoverToBackupAndBack(t *testing.T) {
	primary := kamailiotest.Start(t, "primary")
	backup := kamailiotest.Start(t, "backup")
	o := testOptions(t)
	o.RefreshFraction = 0.2 // refresh every second, so the failure shows soon
	ua := start(t, o, account(kamailiotest.User1, kamailiotest.Password1, 5*time.Second, primary, backup))
	ua.wait(1, sip.RegistrationRegistered, primary.Addr())
	primary.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)

	primary.Kill()
	ev := ua.wait(1, sip.RegistrationRegistered, backup.Addr())
	t.Logf("failed over: %+v; seen %v", ev, ua.seen)
	backup.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)

	primary.Restart()
	ua.wait(1, sip.RegistrationRegistered, primary.Addr())
	primary.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)
	backup.WaitRegistered(t, kamailiotest.User1, false, waitTimeout)
}

func TestPrimaryDownAtStartRegistersAtBackup(t *testing.T) {
	primary := kamailiotest.Start(t, "primary")
	backup := kamailiotest.Start(t, "backup")
	primary.Kill()
	ua := start(t, testOptions(t), account(kamailiotest.User1, kamailiotest.Password1, time.Minute, primary, backup))
	ev := ua.wait(1, sip.RegistrationRegistering, backup.Addr())
	if ev.Code != 0 || ev.Reason != "no answer" {
		t.Errorf("registering at backup because of %d %q, want 0 \"no answer\"", ev.Code, ev.Reason)
	}
	ua.wait(1, sip.RegistrationRegistered, backup.Addr())
}

func TestBothServersDownFails(t *testing.T) {
	primary := kamailiotest.Start(t, "primary")
	backup := kamailiotest.Start(t, "backup")
	primary.Kill()
	backup.Kill()
	ua := start(t, testOptions(t), account(kamailiotest.User1, kamailiotest.Password1, time.Minute, primary, backup))
	ev := ua.wait(1, sip.RegistrationFailed, "")
	if ev.Reason != "no answer" {
		t.Errorf("failed because %q, want no answer", ev.Reason)
	}
	backup.Restart()
	ua.wait(1, sip.RegistrationRegistered, backup.Addr())
}

func TestDisableAndLongPress(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	acc := account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil)
	ua := start(t, testOptions(t), acc)
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	kam.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)

	// The long press switches the line off and on, config untouched.
	if err := ua.SetEnabled(1, false); err != nil {
		t.Fatal(err)
	}
	ua.wait(1, sip.RegistrationDisabled, "")
	kam.WaitRegistered(t, kamailiotest.User1, false, waitTimeout)
	if err := ua.SetEnabled(1, true); err != nil {
		t.Fatal(err)
	}
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	kam.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)

	// Provisioning disables the account.
	acc.Enable = false
	if err := ua.SetAccount(1, acc); err != nil {
		t.Fatal(err)
	}
	ua.wait(1, sip.RegistrationDisabled, "")
	kam.WaitRegistered(t, kamailiotest.User1, false, waitTimeout)

	if err := ua.SetAccount(3, acc); err == nil {
		t.Error("SetAccount(3) succeeded")
	}
}

func TestTwoLinesOneRegistrar(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	acc2 := account(kamailiotest.User2, kamailiotest.Password2, time.Minute, kam, nil)
	acc2.Index = 2
	acc2.Servers[0].Transport = "tcp"
	ua := start(t, testOptions(t), account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil), acc2)
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	ua.wait(2, sip.RegistrationRegistered, kam.Addr())
	kam.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)
	b := binding(t, kam, kamailiotest.User2)
	if !strings.HasPrefix(b.Socket, "tcp:") || !strings.Contains(b.Address, "transport=tcp") {
		t.Errorf("line 2 binding %+v, want over TCP", b)
	}
}

func TestOutboundProxy(t *testing.T) {
	proxy := kamailiotest.Start(t, "proxy")
	port, err := kamailiotest.FreePort() // nothing listens here
	if err != nil {
		t.Fatal(err)
	}
	acc := account(kamailiotest.User1, kamailiotest.Password1, time.Minute, proxy, nil)
	acc.Servers[0].Port = port
	acc.OutboundProxy = proxy.Addr()
	ua := start(t, testOptions(t), acc)
	// Registered only if the REGISTER went to the proxy, which (being
	// the lab registrar) also keeps the binding.
	ev := ua.wait(1, sip.RegistrationRegistered, "")
	if want := "127.0.0.1:" + strconv.Itoa(port); ev.Server != want {
		t.Errorf("server %q, want the registrar %s (not the proxy)", ev.Server, want)
	}
	proxy.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)
}

// TestBootBothLines logs the time from New to both lines registered
// against a local registrar (budget: process start to both lines
// registered ≤ 300 ms); BenchmarkBootBothLines measures it repeatedly.
func TestBootBothLines(t *testing.T) {
	kam := kamailiotest.Start(t, "registrar")
	begin := time.Now()
	ua := start(t, testOptions(t), twoLines(kam)...)
	ua.wait(1, sip.RegistrationRegistered, kam.Addr())
	ua.wait(2, sip.RegistrationRegistered, kam.Addr())
	t.Logf("New to both lines registered: %v", time.Since(begin))
}

func BenchmarkBootBothLines(b *testing.B) {
	kam := kamailiotest.Start(b, "registrar")
	accounts := twoLines(kam)
	o := testOptions(b)
	for b.Loop() {
		ua := start(b, o, accounts...)
		ua.wait(1, sip.RegistrationRegistered, kam.Addr())
		ua.wait(2, sip.RegistrationRegistered, kam.Addr())
		b.StopTimer()
		ua.stop() // unregisters, so the next round starts afresh
		b.StartTimer()
	}
}

func twoLines(kam *kamailiotest.Server) []provisioning.Account {
	acc2 := account(kamailiotest.User2, kamailiotest.Password2, time.Minute, kam, nil)
	acc2.Index = 2
	return []provisioning.Account{account(kamailiotest.User1, kamailiotest.Password1, time.Minute, kam, nil), acc2}
}

// TestKeepaliveFindsADeadRegistrar: with Keepalive, a registered line
// sends OPTIONS to its registrar (Kamailio answers them); when the
// primary dies the next unanswered keep-alive makes the line fail over
// at once, long before its one-minute registration is due for refresh.
func TestKeepaliveFindsADeadRegistrar(t *testing.T) {
	primary := kamailiotest.Start(t, "primary")
	backup := kamailiotest.Start(t, "backup")
	o := testOptions(t)
	o.Keepalive = 300 * time.Millisecond
	ua := start(t, o, account(kamailiotest.User1, kamailiotest.Password1, time.Minute, primary, backup))
	ua.wait(1, sip.RegistrationRegistered, primary.Addr())
	waitFor(t, "two keep-alives at the primary", func() bool {
		return strings.Count(primary.Log(), "RX OPTIONS sip:"+primary.Addr()) >= 2
	})

	primary.Kill()
	start := time.Now()
	ua.wait(1, sip.RegistrationRegistered, backup.Addr())
	t.Logf("failed over %v after the primary died", time.Since(start).Round(time.Millisecond))
	backup.WaitRegistered(t, kamailiotest.User1, true, waitTimeout)
}
