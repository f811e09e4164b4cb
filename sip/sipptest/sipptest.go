// Package sipptest runs sipp (Debian package sip-tester) against the
// phone from scenarios the project keeps in scenarios/, on loopback.
//
// The common path:
//
//	p := sipptest.Start(t, "inbound.xml", ua.Addr().String(), sipptest.Options{Service: "1001"})
//	... drive the phone while sipp plays the scenario ...
//	res := p.Wait()   // sipp's exit code and its statistics
//	if res.Exit != 0 { t.Fatal(res) }
//
// sipp always gets -i and -mi (127.0.0.1 unless Options.Host), a
// kernel-chosen -p and -mp, -m 1 (Options.Calls) and a global -timeout, so a scenario
// that goes wrong ends with a non-zero exit code instead of hanging.
// Without sipp installed, Start skips the test under -short and fails
// it otherwise, naming the package.
package sipptest

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ccphone/sip/kamailiotest"
)

//go:embed scenarios/*.xml
var scenarios embed.FS

// Options tune one sipp run.
type Options struct {
	Host    string        // local address for SIP and media; 127.0.0.1 if empty
	Service string        // the [service] keyword: the user part called
	Timeout time.Duration // sipp's -timeout; 20 s if zero
	Args    []string      // more arguments, e.g. "-rtp_echo"
	// Keys are -key name value pairs the scenario reads as [name].
	Keys map[string]string
	// Calls is sipp's -m: how many calls (for a UAS scenario, incoming
	// Call-IDs) to play before exiting; 1 if zero.
	Calls int
}

// Result is what a finished sipp reports.
type Result struct {
	Exit       int    // sipp's exit code: 0 all calls passed, 1 some failed, other: error
	Successful int    // SuccessfulCall(C) from its statistics file
	Failed     int    // FailedCall(C)
	Stats      string // the last statistics line, as sipp wrote it
	Output     string // stdout, stderr and the error log
}

// String sums up the result for a failure message.
func (r Result) String() string {
	return fmt.Sprintf("sipp exit %d, %d successful, %d failed\n%s", r.Exit, r.Successful, r.Failed, r.Output)
}

// Process is a running sipp.
type Process struct {
	t    testing.TB
	cmd  *exec.Cmd
	dir  string
	out  *bytes.Buffer
	done chan struct{}
	once sync.Once
	res  Result
	// MediaPort is the RTP port sipp uses (-mp).
	MediaPort int
	// Port is sipp's SIP port (-p).
	Port int
}

// Require checks that sipp is installed: skips under -short, fails
// otherwise.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("sipp"); err != nil {
		if testing.Short() {
			t.Skip("sipptest: sipp not installed (apt-get install sip-tester)")
		}
		t.Fatal("sipptest: sipp not installed: apt-get install -y sip-tester (make test installs it)")
	}
}

// Start runs scenario (a file name under scenarios/) against remote
// (host:port). t.Cleanup kills sipp if the test did not Wait for it.
func Start(t testing.TB, scenario, remote string, o Options) *Process {
	t.Helper()
	Require(t)
	data, err := scenarios.ReadFile("scenarios/" + scenario)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sf := filepath.Join(dir, scenario)
	if err := os.WriteFile(sf, data, 0o644); err != nil {
		t.Fatal(err)
	}
	host := o.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port, err := kamailiotest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	mport, err := freeEvenPort()
	if err != nil {
		t.Fatal(err)
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	calls := max(o.Calls, 1)
	args := []string{remote, "-sf", sf, "-i", host, "-mi", host, "-p", strconv.Itoa(port),
		"-mp", strconv.Itoa(mport), "-m", strconv.Itoa(calls), "-nostdin", "-timeout", strconv.Itoa(int(timeout/time.Second)) + "s",
		"-timeout_error", "-trace_stat", "-stf", filepath.Join(dir, "stat.csv"),
		"-trace_err", "-error_file", filepath.Join(dir, "err.log")}
	if o.Service != "" {
		args = append(args, "-s", o.Service)
	}
	for k, v := range o.Keys {
		args = append(args, "-key", k, v)
	}
	args = append(args, o.Args...)
	p := &Process{t: t, dir: dir, out: &bytes.Buffer{}, done: make(chan struct{}), MediaPort: mport, Port: port}
	p.cmd = exec.Command("sipp", args...)
	p.cmd.Dir = dir
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("sipptest: start sipp: %v", err)
	}
	go func() {
		err := p.cmd.Wait()
		p.res.Exit = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.res.Exit = ee.ExitCode()
		} else if err != nil {
			p.res.Exit = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	})
	return p
}

// Wait waits for sipp to end (its -timeout bounds it) and returns its
// result.
func (p *Process) Wait() Result {
	p.once.Do(func() {
		select {
		case <-p.done:
		case <-time.After(2 * time.Minute):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
		p.res.Output = p.out.String()
		if e, err := os.ReadFile(filepath.Join(p.dir, "err.log")); err == nil && len(e) > 0 {
			p.res.Output += "\n--- error log ---\n" + string(e)
		}
		p.readStats()
	})
	return p.res
}

// readStats reads the counters from sipp's ;-separated statistics file.
func (p *Process) readStats() {
	data, err := os.ReadFile(filepath.Join(p.dir, "stat.csv"))
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		return
	}
	head := strings.Split(lines[0], ";")
	last := strings.Split(lines[len(lines)-1], ";")
	p.res.Stats = lines[len(lines)-1]
	for i, h := range head {
		if i >= len(last) {
			break
		}
		n, _ := strconv.Atoi(strings.TrimSpace(last[i]))
		switch h {
		case "SuccessfulCall(C)":
			p.res.Successful = n
		case "FailedCall(C)":
			p.res.Failed = n
		}
	}
}

// freeEvenPort finds a free even UDP port with the next three free too
// (sipp's -mp uses port and port+2 for echo).
func freeEvenPort() (int, error) {
	for range 50 {
		port, err := kamailiotest.FreePort()
		if err != nil {
			return 0, err
		}
		if port%2 == 1 {
			port++
		}
		if port+3 < 65536 {
			return port, nil
		}
	}
	return 0, errors.New("sipptest: no free media port")
}
