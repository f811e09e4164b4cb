// Package baresiptest runs baresip (Debian package baresip-core) as a
// second real phone for tests, headless, from a configuration the
// project keeps in testdata/, registered at a test registrar and driven
// over ctrl_tcp (netstring JSON).
//
// The common path:
//
//	kam := kamailiotest.Start(t, "registrar")
//	bs := baresiptest.Start(t, baresiptest.Options{User: "1002", Password: "secret1002",
//		Registrar: kam.Addr(), AutoAnswer: true})
//	kam.WaitRegistered(t, "1002", true, 15*time.Second)   // its REGISTER_OK may come before ctrl_tcp is connected
//	bs.Command(t, "dial", "sip:1001@127.0.0.1")
//	bs.WaitEvent(t, "CALL_ESTABLISHED")
//
// Its audio source is a long 440 Hz tone written into the instance's
// temp directory; what it receives is discarded. t.Cleanup stops it
// (before the registrar, since cleanups run last first). Without
// baresip, Start skips under -short and fails otherwise, naming the
// package.
package baresiptest

import (
	"bufio"
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
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

//go:embed testdata/config testdata/accounts
var files embed.FS

// Options describe the baresip instance.
type Options struct {
	User, Password string
	Registrar      string // host:port of the registrar (its outbound proxy)
	AutoAnswer     bool   // answermode=auto
	// ToneHz is the frequency baresip sends as its microphone; zero
	// means 440.
	ToneHz float64
	// Record keeps what baresip hears (and sends) as WAV files, see
	// Recordings.
	Record bool
	// AudioCodecs are the codecs baresip offers and accepts, in order
	// of preference, as baresip names them: "PCMU", "PCMA", "G722".
	// Nil means PCMU and PCMA.
	AudioCodecs []string
	// ToneRate is the sample rate of baresip's microphone file in Hz
	// (8000 or 16000); zero means 8000. baresip resamples it to the
	// codec's rate (ausrc_srate), so a 16 kHz file carries tones above
	// 4 kHz into a G.722 call.
	ToneRate int
	// SRTP is baresip's media encryption with SDES keys (its srtp
	// module): "srtp" offers RTP/AVP with a=crypto and encrypts when the
	// other side agrees (best effort), "srtp-mand" offers RTP/SAVP and
	// refuses calls without SRTP. Empty means plain RTP, and a=crypto in
	// offers is ignored.
	SRTP string
	// SIPTrace has baresip print every SIP message it sends and receives
	// (its -s flag) into Log.
	SIPTrace bool
}

// Event is one ctrl_tcp event, e.g. {"type":"CALL_ESTABLISHED",...}.
type Event map[string]any

// Type returns the event's type.
func (e Event) Type() string { s, _ := e["type"].(string); return s }

// Phone is a running baresip.
type Phone struct {
	t    testing.TB
	cmd  *exec.Cmd
	ctrl net.Conn
	done chan struct{}
	out  *syncBuffer

	events chan Event
	readWG sync.WaitGroup
	// SIPPort is where baresip listens for SIP.
	SIPPort int
	dir     string
}

// Recordings returns the WAV files baresip's sndfile module wrote (with
// Options.Record): for each call, what it played (-dec) and what it sent
// (-enc).
func (p *Phone) Recordings() []string {
	files, _ := filepath.Glob(filepath.Join(p.dir, "rec", "*.wav"))
	return files
}

// Require checks that baresip is installed.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("baresip"); err != nil {
		if testing.Short() {
			t.Skip("baresiptest: baresip not installed (apt-get install baresip-core)")
		}
		t.Fatal("baresiptest: baresip not installed: apt-get install -y baresip-core (make test installs it)")
	}
}

// Start writes the config into a temp directory, starts baresip and
// connects to its ctrl_tcp port.
func Start(t testing.TB, o Options) *Phone {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	sipPort, err1 := kamailiotest.FreePort()
	ctrlPort, err2 := kamailiotest.FreePort()
	rtpMin, err3 := kamailiotest.FreePort()
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if rtpMin%2 == 1 {
		rtpMin++
	}
	answer := ""
	if o.AutoAnswer {
		answer = "answermode=auto;"
	}
	mediaenc := ""
	if o.SRTP != "" {
		mediaenc = "mediaenc=" + o.SRTP + ";"
	}
	codecs := strings.Join(o.AudioCodecs, ",")
	if codecs == "" {
		codecs = "PCMU,PCMA"
	}
	toneRate := o.ToneRate
	if toneRate == 0 {
		toneRate = 8000
	}
	r := strings.NewReplacer("@SIPPORT@", strconv.Itoa(sipPort), "@CTRLPORT@", strconv.Itoa(ctrlPort),
		"@RTPMIN@", strconv.Itoa(rtpMin), "@RTPMAX@", strconv.Itoa(rtpMin+9), "@DIR@", dir,
		"@USER@", o.User, "@PASSWORD@", o.Password, "@REGISTRAR@", o.Registrar, "@ANSWERMODE@", answer,
		"@AUDIOCODECS@", codecs, "@MEDIAENC@", mediaenc)
	for _, name := range []string{"config", "accounts"} {
		data, err := files.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(r.Replace(string(data))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hz := o.ToneHz
	if hz == 0 {
		hz = 440
	}
	if o.Record {
		extra := "module\t\t\tsndfile.so\nsnd_path\t\t" + filepath.Join(dir, "rec") + "\n"
		if err := os.MkdirAll(filepath.Join(dir, "rec"), 0o700); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(filepath.Join(dir, "config"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.WriteString(extra)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := appendConfig(dir, "ausrc_srate\t\t"+strconv.Itoa(toneRate)+"\n"); err != nil {
		t.Fatal(err)
	}
	if o.SRTP != "" {
		if err := appendConfig(dir, "module\t\t\tsrtp.so\n"); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeTone(filepath.Join(dir, "tone.wav"), 120*time.Second, hz, toneRate); err != nil {
		t.Fatal(err)
	}
	p := &Phone{t: t, done: make(chan struct{}), out: &syncBuffer{}, events: make(chan Event, 64), SIPPort: sipPort, dir: dir}
	args := []string{"-f", dir}
	if o.SIPTrace {
		args = append(args, "-s")
	}
	p.cmd = exec.Command("baresip", args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("baresiptest: start: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(ctrlPort))
		if err == nil {
			p.ctrl = c
			break
		}
		select {
		case <-p.done:
			t.Fatalf("baresiptest: baresip exited:\n%s", p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresiptest: no ctrl_tcp on %d:\n%s", ctrlPort, p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.readWG.Go(p.read)
	return p
}

// Stop ends baresip (SIGTERM, then SIGKILL to its process group after
// 5 s) and closes the control connection.
func (p *Phone) Stop() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	}
	if p.ctrl != nil {
		p.ctrl.Close()
	}
	p.readWG.Wait()
}

// Log returns what baresip printed.
func (p *Phone) Log() string { return p.out.String() }

// Command sends a ctrl_tcp command, e.g. ("dial", "sip:1001@127.0.0.1"),
// ("hangup", ""), ("accept", "").
func (p *Phone) Command(t testing.TB, command, params string) {
	t.Helper()
	msg, err := json.Marshal(map[string]string{"command": command, "params": params, "token": command})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(p.ctrl, "%d:%s,", len(msg), msg); err != nil {
		t.Fatalf("baresiptest: %s: %v", command, err)
	}
}

// WaitEvent waits up to 15 s for an event of type typ, discarding
// others.
func (p *Phone) WaitEvent(t testing.TB, typ string) Event {
	t.Helper()
	timeout := time.After(15 * time.Second)
	var seen []string
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				t.Fatalf("baresiptest: control connection closed waiting for %s; seen %v\n%s", typ, seen, p.Log())
			}
			if ev.Type() == typ {
				return ev
			}
			seen = append(seen, ev.Type())
		case <-timeout:
			t.Fatalf("baresiptest: no %s; seen %v\n%s", typ, seen, p.Log())
		}
	}
}

// WaitEvents waits up to 15 s until an event of each of types has come,
// in any order, and returns the first of each by type; other events are
// discarded.
func (p *Phone) WaitEvents(t testing.TB, types ...string) map[string]Event {
	t.Helper()
	timeout := time.After(15 * time.Second)
	got := map[string]Event{}
	var seen []string
	for len(got) < len(types) {
		select {
		case ev, ok := <-p.events:
			if !ok {
				t.Fatalf("baresiptest: control connection closed waiting for %v; seen %v\n%s", types, seen, p.Log())
			}
			seen = append(seen, ev.Type())
			for _, typ := range types {
				if _, have := got[typ]; !have && ev.Type() == typ {
					got[typ] = ev
				}
			}
		case <-timeout:
			t.Fatalf("baresiptest: not all of %v; seen %v\n%s", types, seen, p.Log())
		}
	}
	return got
}

// read takes netstrings from ctrl_tcp and queues the events.
func (p *Phone) read() {
	defer close(p.events)
	r := bufio.NewReader(p.ctrl)
	for {
		lenText, err := r.ReadString(':')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(lenText, ":")))
		if err != nil || n < 0 || n > 1<<20 {
			return
		}
		buf := make([]byte, n+1)
		if _, err := io.ReadFull(r, buf); err != nil {
			return
		}
		var ev Event
		if json.Unmarshal(buf[:n], &ev) != nil {
			continue
		}
		if isEv, _ := ev["event"].(bool); !isEv {
			continue
		}
		select {
		case p.events <- ev:
		default: // nobody waits for that many: drop
		}
	}
}

// WriteTone writes d of an hz sine (amplitude 8000) as a 16-bit mono
// 8 kHz WAV: baresip's microphone, and a prompt or ringtone for tests.
func WriteTone(path string, d time.Duration, hz float64) error {
	return writeTone(path, d, hz, 8000)
}

// appendConfig adds lines to the instance's config file.
func appendConfig(dir, lines string) error {
	f, err := os.OpenFile(filepath.Join(dir, "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(lines)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeTone is WriteTone at rate Hz.
func writeTone(path string, d time.Duration, hz float64, rate int) error {
	n := int(d.Seconds() * float64(rate))
	data := make([]byte, 44+2*n)
	copy(data[0:], "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*n))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)
	binary.LittleEndian.PutUint16(data[20:], 1)
	binary.LittleEndian.PutUint16(data[22:], 1)
	binary.LittleEndian.PutUint32(data[24:], uint32(rate))
	binary.LittleEndian.PutUint32(data[28:], uint32(2*rate))
	binary.LittleEndian.PutUint16(data[32:], 2)
	binary.LittleEndian.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*n))
	for i := range n {
		v := int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
		binary.LittleEndian.PutUint16(data[44+2*i:], uint16(v))
	}
	return os.WriteFile(path, data, 0o600)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
