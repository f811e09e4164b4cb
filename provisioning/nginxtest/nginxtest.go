package nginxtest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

//go:embed nginx.conf.tmpl
var confTemplate string

//go:embed locations.conf.tmpl
var locationsTemplate string

// echoModule is Debian's nginx echo module (package
// libnginx-mod-http-echo, which nginx-light depends on); with it /hang/
// stalls in the middle of a body.
const echoModule = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

const hangLocation = `# /hang/...: the headers and one line, then nothing for an hour.
location /hang/ {
    default_type text/plain;
    echo "account.1.label = Hang";
    echo_flush;
    echo_sleep 3600;
    echo "account.1.enable = 0";
}`

// Options configure a Server.
type Options struct {
	// Root is the folder served at "/"; it must exist.
	Root string
	// User and Password protect /auth/ with basic auth; empty means
	// "user" and "secret".
	User, Password string
}

// Server is a running nginx on loopback.
type Server struct {
	URL    string // http://127.0.0.1:PORT, no trailing slash
	TLSURL string // https://127.0.0.1:PORT
	// CA signs the server's certificate and ClientCert; RootCAs holds it.
	CAPEM      []byte
	RootCAs    *x509.CertPool
	ClientCert tls.Certificate // accepted by /mtls/ on the TLS port
	// CAFile, ClientCertFile and ClientKeyFile are the same as PEM files.
	CAFile, ClientCertFile, ClientKeyFile string
	UploadDir                             string // where PUT /upload/x lands
	HasHang                               bool   // /hang/ exists (echo module found)

	prefix string
	fill   *strings.Replacer // the placeholders of the configuration
	proc   *os.Process
}

// Start runs nginx serving opts.Root on two kernel-chosen loopback ports
// (HTTP and HTTPS with a CA made for this test) until the test ends. It
// skips the test under -short when nginx is not installed, and fails it
// naming the package otherwise.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if p := "/usr/sbin/nginx"; fileExists(p) {
			bin = p
		} else if testing.Short() {
			t.Skip("nginx not installed (apt-get install nginx-light)")
		} else {
			t.Fatal("nginx not installed: apt-get install nginx-light")
		}
	}
	if opts.User == "" {
		opts.User, opts.Password = "user", "secret"
	}
	prefix := t.TempDir()
	s := &Server{prefix: prefix, UploadDir: filepath.Join(prefix, "upload")}
	for _, d := range []string{"tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "upload"} {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.makePKI(t)
	if err := os.WriteFile(filepath.Join(prefix, "htpasswd"), []byte(opts.User+":{PLAIN}"+opts.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	httpL := listen(t)
	httpsL := listen(t)
	s.URL = "http://" + httpL.Addr().String()
	s.TLSURL = "https://" + httpsL.Addr().String()

	userLine := ""
	if os.Geteuid() == 0 {
		// Workers would run as nobody and could not read the test's
		// private temporary folders.
		userLine = "user root root;"
	}
	echoLine, hang := "", ""
	if fileExists(echoModule) {
		echoLine, hang, s.HasHang = "load_module "+echoModule+";", hangLocation, true
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer(
		"@PREFIX@", prefix, "@ROOT@", root, "@UPLOAD@", s.UploadDir,
		"@USER@", userLine, "@ECHO_MODULE@", echoLine, "@HANG_LOCATION@", hang,
		"@HTTP_ADDR@", httpL.Addr().String(), "@HTTPS_ADDR@", httpsL.Addr().String(),
	)
	conf := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(conf, []byte(fill.Replace(confTemplate)), 0o644); err != nil {
		t.Fatal(err)
	}
	s.fill = fill
	s.writeLocations(t, 0)

	files := make([]*os.File, 0, 2)
	for _, l := range []*net.TCPListener{httpL, httpsL} {
		f, err := l.File()
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	cmd := exec.Command(bin, "-p", prefix, "-c", conf)
	cmd.ExtraFiles = files // fds 3 and 4
	cmd.Env = append(os.Environ(), "NGINX=3;4;")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	s.proc = cmd.Process
	for _, f := range files {
		f.Close()
	}
	httpL.Close()
	httpsL.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // fast shutdown; /hang/ requests are cut
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	s.waitReady(t, done, &stderr)
	return s
}

// waitReady waits until nginx answers, or fails the test with its log if
// it exits first.
func (s *Server) waitReady(t testing.TB, done chan error, stderr *bytes.Buffer) {
	t.Helper()
	c := &http.Client{Timeout: 200 * time.Millisecond}
	for i := 0; i < 100; i++ {
		select {
		case err := <-done:
			done <- err
			log, _ := os.ReadFile(filepath.Join(s.prefix, "error.log"))
			t.Fatalf("nginx exited: %v\n%s\n%s", err, stderr.String(), log)
		default:
		}
		resp, err := c.Get(s.URL + "/status/404/ready")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("nginx did not answer within 5 s")
}

// Requests returns the requests nginx logged so far, one "METHOD /uri
// STATUS" line each, in order. The start-up probe is left out.
func (s *Server) Requests(t testing.TB) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(s.prefix, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "GET /status/404/ready ") && !strings.HasPrefix(line, "GET "+uploadProbe+" ") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// WaitRequests is Requests once the access log holds at least n lines.
// nginx logs a request after it has sent the response, so a client can
// see the answer before the line is written. WaitRequests fails the test
// if the lines do not come within a few seconds.
func (s *Server) WaitRequests(t testing.TB, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		reqs := s.Requests(t)
		if len(reqs) >= n {
			return reqs
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx logged %d requests, want at least %d: %q", len(reqs), n, reqs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// uploadProbe is the path SetUploadStatus asks for to see the new
// configuration in force; Requests leaves it out.
const uploadProbe = "/upload/.nginxtest-probe"

// SetUploadStatus makes /upload/ answer every request with status (503:
// the storage is down) on both ports, or, with status 0, take WebDAV PUTs
// again. nginx reloads its configuration (SIGHUP): no port changes, files
// already uploaded stay. It returns once nginx answers the new way.
func (s *Server) SetUploadStatus(t testing.TB, status int) {
	t.Helper()
	s.writeLocations(t, status)
	// The old workers go on accepting connections for a moment after
	// the new ones answer: wait until they have gone.
	old := s.workers()
	if err := s.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatalf("reload nginx: %v", err)
	}
	want := status
	if want == 0 {
		want = http.StatusNotFound // the probe file does not exist
	}
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		gone := true
		for _, pid := range old {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
				gone = false
			}
		}
		var err error
		if gone {
			var resp *http.Response
			resp, err = c.Get(s.URL + uploadProbe)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == want {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.prefix, "error.log"))
			t.Fatalf("nginx does not answer %d on /upload/ after a reload (last: %v)\n%s", want, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// workers returns the process IDs of nginx's workers (the children of
// its master process).
func (s *Server) workers() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		rest := string(stat)
		if i := strings.LastIndexByte(rest, ')'); i >= 0 {
			rest = rest[i+1:]
		}
		var state string
		var pid, ppid int
		if _, err := fmt.Sscan(rest, &state, &ppid); err != nil || ppid != s.proc.Pid {
			continue
		}
		if _, err := fmt.Sscan(e.Name(), &pid); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// writeLocations writes locations.conf; a non-zero uploadStatus replaces
// the WebDAV /upload/ location with one that answers that status.
func (s *Server) writeLocations(t testing.TB, uploadStatus int) {
	t.Helper()
	text := s.fill.Replace(locationsTemplate)
	if uploadStatus != 0 {
		start := strings.Index(text, "location /upload/ {")
		end := -1
		if start >= 0 {
			end = strings.Index(text[start:], "}")
		}
		if end < 0 {
			t.Fatal("nginxtest: no /upload/ location in locations.conf.tmpl")
		}
		text = text[:start] + fmt.Sprintf("location /upload/ { return %d; }", uploadStatus) + text[start+end+1:]
	}
	if err := os.WriteFile(filepath.Join(s.prefix, "locations.conf"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func listen(t testing.TB) *net.TCPListener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l.(*net.TCPListener)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// makePKI makes a CA, a server certificate for 127.0.0.1 and a client
// certificate, all signed by the CA, and writes them as PEM files.
func (s *Server) makePKI(t testing.TB) {
	t.Helper()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ccphone test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(serial int64, name string, usage x509.ExtKeyUsage, ip net.IP) (certPEM, keyPEM []byte) {
		key := newKey(t)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		if ip != nil {
			tmpl.IPAddresses = []net.IP{ip}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	}
	s.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	s.RootCAs = x509.NewCertPool()
	s.RootCAs.AddCert(ca)
	srvCert, srvKey := issue(2, "127.0.0.1", x509.ExtKeyUsageServerAuth, net.IPv4(127, 0, 0, 1))
	cliCert, cliKey := issue(3, "ccphone test phone", x509.ExtKeyUsageClientAuth, nil)
	s.ClientCert, err = tls.X509KeyPair(cliCert, cliKey)
	if err != nil {
		t.Fatal(err)
	}
	s.CAFile = filepath.Join(s.prefix, "ca.pem")
	s.ClientCertFile = filepath.Join(s.prefix, "client.pem")
	s.ClientKeyFile = filepath.Join(s.prefix, "client.key")
	for name, data := range map[string][]byte{
		"ca.pem": s.CAPEM, "server.pem": srvCert, "server.key": srvKey,
		"client.pem": cliCert, "client.key": cliKey,
	} {
		if err := os.WriteFile(filepath.Join(s.prefix, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// String names the server for test logs.
func (s *Server) String() string { return fmt.Sprintf("nginx %s %s", s.URL, s.TLSURL) }
