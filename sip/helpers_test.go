package sip_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/sip/kamailiotest"
	"ccphone/sip/siptest"
)

// waitTimeout bounds every wait for an event; generous, never a
// measurement.
const waitTimeout = 15 * time.Second

// testOptions returns options for a UA on a kernel-chosen loopback port
// with short timers, so failover and retries happen within a test.
func testOptions(t testing.TB) sip.Options {
	o := sip.DefaultOptions()
	o.ListenAddr = "127.0.0.1:0"
	o.UserAgent = "ccphone-test"
	o.Logger = testLogger(t)
	o.RegisterTimeout = time.Second
	o.ProbeInterval = 300 * time.Millisecond
	o.RetryMin = 200 * time.Millisecond
	o.RetryMax = time.Second
	o.UnregisterTimeout = 2 * time.Second
	return o
}

// testLogger logs to the test at the level of SIPTEST_LOG (debug, info,
// warn, error); warn by default.
func testLogger(t testing.TB) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("SIPTEST_LOG"))); err != nil {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// running is a UA whose Run goroutine the test owns.
type running struct {
	*sip.UA
	t      testing.TB
	cancel context.CancelFunc
	done   chan error
	seen   []sip.Event                     // every event, for failure messages
	queued map[int][]sip.RegistrationEvent // by line, not yet waited for
	others []sip.Event                     // other events not yet waited for
	media  *siptest.Media                  // the test Media, when the options had one
}

// start creates a UA, applies accounts (index 0 is line 1), and runs it
// until stop or the end of the test.
func start(t testing.TB, o sip.Options, accounts ...provisioning.Account) *running {
	t.Helper()
	ua, err := sip.New(o)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range accounts {
		if err := ua.SetAccount(i+1, a); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{UA: ua, t: t, cancel: cancel, done: make(chan error, 1), queued: map[int][]sip.RegistrationEvent{}}
	r.media, _ = o.Media.(*siptest.Media)
	go func() { r.done <- ua.Run(ctx) }()
	t.Cleanup(r.stop)
	return r
}

// stop ends Run and waits for it (it unregisters first).
func (r *running) stop() {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil && err != context.Canceled {
			r.t.Errorf("Run: %v", err)
		}
		r.done <- nil // a second stop returns at once
	case <-time.After(waitTimeout):
		r.t.Errorf("Run did not return within %v", waitTimeout)
	}
}

// wait takes line's events in order until one matches state (and server,
// when not empty), failing the test after waitTimeout. Other lines'
// events stay queued for their own waits.
func (r *running) wait(line int, state sip.RegistrationState, server string) sip.RegistrationEvent {
	r.t.Helper()
	timeout := time.After(waitTimeout)
	for {
		for len(r.queued[line]) > 0 {
			ev := r.queued[line][0]
			r.queued[line] = r.queued[line][1:]
			if ev.State == state && (server == "" || ev.Server == server) {
				return ev
			}
		}
		select {
		case ev, ok := <-r.Events():
			if !ok {
				r.t.Fatalf("events closed waiting for line %d %s %s; seen %v", line, state, server, r.seen)
			}
			r.seen = append(r.seen, ev)
			if re, isReg := ev.(sip.RegistrationEvent); isReg {
				r.queued[re.Line] = append(r.queued[re.Line], re)
			} else {
				r.others = append(r.others, ev)
			}
		case <-timeout:
			r.t.Fatalf("no line %d %s %s within %v; seen %v", line, state, server, waitTimeout, r.seen)
		}
	}
}

// account returns an enabled account for user at primary (and backup,
// when not nil).
func account(user, password string, expires time.Duration, primary, backup *kamailiotest.Server) provisioning.Account {
	a := provisioning.Account{
		Index:       1,
		Enable:      true,
		Label:       "Line " + user,
		DisplayName: "Agent " + user,
		UserName:    user,
		Password:    provisioning.Secret(password),
	}
	a.Servers[0] = provisioning.Server{Address: primary.Host(), Port: primary.Port(), Transport: "udp", Expires: expires}
	if backup != nil {
		a.Servers[1] = provisioning.Server{Address: backup.Host(), Port: backup.Port(), Transport: "udp", Expires: expires}
	}
	return a
}
