package kamailiotest

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
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
)

// The subscribers the test registrar knows (testdata/db/subscriber), all
// in Realm.
const (
	Realm = "127.0.0.1"

	User1     = "1001"
	Password1 = "secret1001"
	User2     = "1002"
	Password2 = "secret1002"
	User3     = "1003"
	Password3 = "secret1003"
	User4     = "1004"
	Password4 = "secret1004"
	DoorUser  = "doorphone"
	DoorPass  = "doorpass"
)

// startTimeout bounds how long Start and Restart wait for Kamailio to
// answer an OPTIONS ping; it usually takes about 100 ms.
const startTimeout = 10 * time.Second

// stopTimeout bounds how long Stop waits after SIGTERM before it kills
// the whole process group.
const stopTimeout = 5 * time.Second

//go:embed testdata/kamailio.cfg testdata/tls.cfg testdata/db
var files embed.FS

// Server is one running Kamailio. Its methods may be called from the test
// goroutine and from others, but Stop, Kill and Restart must not run at
// the same time as each other.
type Server struct {
	t    testing.TB
	name string
	port int
	dir  string // the instance's files: kamailio.cfg, db/, run/
	cfg  string
	tls  bool // a TLS listener on tlsPort, with a certificate in dir
	// tlsPort is the TLS port; zero without TLS.
	tlsPort int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	log  *syncBuffer
}

// Require checks that Kamailio and kamcmd are installed. Without them it
// skips the test under -short and fails it otherwise, telling to install
// the Debian package kamailio (make test installs it).
func Require(t testing.TB) {
	t.Helper()
	for _, bin := range []string{"kamailio", "kamcmd"} {
		if _, err := exec.LookPath(bin); err != nil {
			if testing.Short() {
				t.Skipf("kamailiotest: %s not installed (apt-get install kamailio)", bin)
			}
			t.Fatalf("kamailiotest: %s not installed: apt-get install -y kamailio (make test installs it)", bin)
		}
	}
}

// Options change what StartWith starts.
type Options struct {
	// TLS adds a TLS listener on a port of its own (TLSAddr), with a
	// certificate for 127.0.0.1 signed by a CA made for this server
	// (CAFile), for clients to trust. It needs Kamailio's tls module
	// (Debian package kamailio-tls-modules).
	TLS bool
}

// Start starts a Kamailio registrar named name (it shows in the Server
// header and the test log) on a free loopback port and waits until it
// answers. t.Cleanup stops it.
func Start(t testing.TB, name string) *Server {
	t.Helper()
	return StartWith(t, name, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, name string, o Options) *Server {
	t.Helper()
	Require(t)
	mpath, err := modulePath()
	if err != nil {
		t.Fatal(err)
	}
	if o.TLS {
		requireTLS(t, mpath)
	}
	dir := t.TempDir()
	if err := copyTree(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, name: name, dir: dir, cfg: filepath.Join(dir, "kamailio.cfg"), tls: o.TLS}
	if o.TLS {
		if err := writeCertificates(dir); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(s.Stop)
	// A port picked by the kernel can be taken by someone else before
	// Kamailio binds it; then Kamailio exits and we pick another.
	for attempt := 0; ; attempt++ {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		s.port = port
		if s.tls {
			if s.tlsPort, err = FreePort(); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.writeConfig(mpath); err != nil {
			t.Fatal(err)
		}
		err = s.start()
		if err == nil {
			return s
		}
		if attempt == 2 {
			t.Fatalf("kamailiotest: start %s: %v\n%s", name, err, s.Log())
		}
	}
}

// Addr returns the host:port the server listens on, for UDP and TCP.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Host returns the server's IP address, 127.0.0.1.
func (s *Server) Host() string { return "127.0.0.1" }

// Port returns the server's UDP and TCP port.
func (s *Server) Port() int { return s.port }

// TLSPort returns the server's TLS port; zero when it was started
// without TLS.
func (s *Server) TLSPort() int { return s.tlsPort }

// TLSAddr returns the host:port of the TLS listener; empty without TLS.
func (s *Server) TLSAddr() string {
	if s.tlsPort == 0 {
		return ""
	}
	return "127.0.0.1:" + strconv.Itoa(s.tlsPort)
}

// CAFile returns the PEM file of the CA that signed the TLS listener's
// certificate, for clients to trust; empty without TLS.
func (s *Server) CAFile() string {
	if !s.tls {
		return ""
	}
	return filepath.Join(s.dir, caFile)
}

// Log returns what the server (and its earlier runs) wrote to stderr.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

// Stop ends the server gracefully: SIGTERM to its main process, which
// stops its children; after stopTimeout the whole process group is
// killed. Stop on a stopped server does nothing.
func (s *Server) Stop() {
	cmd, done := s.running()
	if cmd == nil {
		return
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.t.Logf("kamailiotest: %s: SIGTERM: %v", s.name, err)
	}
	select {
	case <-done:
	case <-time.After(stopTimeout):
		s.killGroup(cmd)
		<-done
	}
	s.clear()
}

// Kill makes the server die at once, as a crashed or unplugged registrar
// would: SIGKILL to its process group (the main process and its
// children, nothing else). Kill on a stopped server does nothing.
func (s *Server) Kill() {
	cmd, done := s.running()
	if cmd == nil {
		return
	}
	s.killGroup(cmd)
	<-done
	s.clear()
}

// Restart starts the server again on the same port, after stopping it if
// it runs, and waits until it answers. Registrations made before are
// gone.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if err := s.start(); err != nil {
		s.t.Fatalf("kamailiotest: restart %s: %v\n%s", s.name, err, s.Log())
	}
}

// Binding is one registered contact as the server keeps it.
type Binding struct {
	Address   string // the Contact URI
	Expires   int    // seconds left
	CallID    string
	CSeq      int
	UserAgent string
	Socket    string // the server's socket it came in on, e.g. "udp:127.0.0.1:5070"
}

// Bindings returns user's registered contacts (user is for example
// "1001"), asking the running server over its control socket.
func (s *Server) Bindings(ctx context.Context, user string) ([]Binding, error) {
	cmd := exec.CommandContext(ctx, "kamcmd", "-s", "unix:"+filepath.Join(s.dir, "run", "kamailio_ctl"),
		"ul.lookup", "location", "s:"+user)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("kamailiotest: kamcmd ul.lookup %s: %w: %s", user, err, out)
	}
	text := string(out)
	if strings.Contains(text, "AOR not found") {
		return nil, nil
	}
	if strings.HasPrefix(text, "error:") {
		return nil, fmt.Errorf("kamailiotest: kamcmd ul.lookup %s: %s", user, strings.TrimSpace(text))
	}
	var list []Binding
	var b *Binding
	for l := range strings.Lines(text) {
		key, value, _ := strings.Cut(strings.TrimSpace(l), ": ")
		switch key {
		case "Contact":
			list = append(list, Binding{})
			b = &list[len(list)-1]
		case "Address":
			if b != nil {
				b.Address = value
			}
		case "Expires":
			if b != nil {
				b.Expires, _ = strconv.Atoi(value)
			}
		case "Call-ID":
			if b != nil {
				b.CallID = value
			}
		case "CSeq":
			if b != nil {
				b.CSeq, _ = strconv.Atoi(value)
			}
		case "User-Agent":
			if b != nil {
				b.UserAgent = value
			}
		case "Socket":
			if b != nil {
				b.Socket = value
			}
		}
	}
	return list, nil
}

// Contacts returns the Contact URIs registered for user.
func (s *Server) Contacts(ctx context.Context, user string) ([]string, error) {
	list, err := s.Bindings(ctx, user)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, b := range list {
		out = append(out, b.Address)
	}
	return out, nil
}

// WaitRegistered waits until user has at least one contact (want true) or
// none (want false), polling the server, and fails the test after
// timeout.
func (s *Server) WaitRegistered(t testing.TB, user string, want bool, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		contacts, err := s.Contacts(ctx, user)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if (len(contacts) > 0) == want {
			return contacts
		}
		if time.Now().After(deadline) {
			t.Fatalf("kamailiotest: %s: user %s registered = %v after %v, want %v (contacts %q)",
				s.name, user, len(contacts) > 0, timeout, want, contacts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) running() (*exec.Cmd, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd, s.done
}

func (s *Server) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmd, s.done = nil, nil
}

func (s *Server) killGroup(cmd *exec.Cmd) {
	// Setpgid made the main PID the group's ID: this reaches Kamailio's
	// children and nothing else.
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		s.t.Logf("kamailiotest: %s: kill: %v", s.name, err)
	}
}

// start runs Kamailio in the foreground and waits until it answers.
func (s *Server) start() error {
	s.mu.Lock()
	if s.log == nil {
		s.log = &syncBuffer{}
	}
	args := []string{"-DD", "-E", "-f", s.cfg}
	if s.tls {
		args = append(args, "-A", "WITH_TLS")
	}
	cmd := exec.Command("kamailio", args...)
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		return err
	}
	done := make(chan struct{})
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	go func() {
		// The error is the exit status, which Log explains.
		_ = cmd.Wait()
		close(done)
	}()

	deadline := time.Now().Add(startTimeout)
	for {
		if err := ping(s.Addr()); err == nil {
			return nil
		}
		select {
		case <-done:
			s.clear()
			return errors.New("kamailio exited")
		default:
		}
		if time.Now().After(deadline) {
			s.killGroup(cmd)
			<-done
			s.clear()
			return fmt.Errorf("no answer on %s after %v", s.Addr(), startTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping sends an OPTIONS request to addr over UDP and waits briefly for
// any answer.
func ping(addr string) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-ping" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:ping@" + local + ">;tag=ping\r\n" +
		"To: <sip:" + addr + ">\r\n" +
		"Call-ID: ping-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\n" +
		"CSeq: 1 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	if err := c.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		return err
	}
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(buf[:n], []byte("SIP/2.0 ")) {
		return errors.New("not a SIP response")
	}
	return nil
}

// FreePort asks the kernel for a loopback port that is free for both UDP
// and TCP, and releases it for the caller to bind.
func FreePort() (int, error) {
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		u.Close()
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, errors.New("kamailiotest: no port free for both UDP and TCP")
}

// modulePath finds the installed Kamailio's module directory.
func modulePath() (string, error) {
	for _, pattern := range []string{"/usr/lib/*/kamailio/modules", "/usr/lib/kamailio/modules", "/usr/lib64/kamailio/modules"} {
		dirs, _ := filepath.Glob(pattern)
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "tm.so")); err == nil {
				return d + "/", nil
			}
		}
	}
	return "", errors.New("kamailiotest: Kamailio's module directory not found (is the kamailio package installed?)")
}

// copyTree writes the embedded testdata (config template and database)
// into dir.
func copyTree(dir string) error {
	return fs.WalkDir(files, "testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel("testdata", path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

// writeConfig fills the embedded template's placeholders for this
// instance and writes it to s.cfg.
func (s *Server) writeConfig(mpath string) error {
	template, err := files.ReadFile("testdata/kamailio.cfg")
	if err != nil {
		return err
	}
	r := strings.NewReplacer(
		"@PORT@", strconv.Itoa(s.port),
		"@RUNDIR@", filepath.Join(s.dir, "run"),
		"@DBDIR@", filepath.Join(s.dir, "db"),
		"@MPATH@", mpath,
		"@NAME@", s.name,
		"@TLSPORT@", strconv.Itoa(s.tlsPort),
		"@TLSCFG@", filepath.Join(s.dir, "tls.cfg"),
		"@DIR@", s.dir,
	)
	if s.tls {
		tlsTemplate, err := files.ReadFile("testdata/tls.cfg")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(s.dir, "tls.cfg"), []byte(r.Replace(string(tlsTemplate))), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(s.cfg, []byte(r.Replace(string(template))), 0o644)
}

// syncBuffer is a bytes.Buffer that Kamailio's output and the test may
// use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
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
