// Package s3test runs a real S3-compatible server, Versity's versitygw
// with its posix backend, on a kernel-chosen loopback port for a test.
//
// versitygw is built once from the Go module proxy (about 80 s) into the
// user's cache folder and reused by every later run:
//
//	srv := s3test.Start(t)            // bucket srv.Bucket exists
//	data, err := os.ReadFile(srv.ObjectPath("rec/a.wav"))
//
// Objects are plain files under srv.Root, so a test reads what the
// server stored without another client.
package s3test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ccphone/media/upload"
)

// Version is the versitygw release the harness builds.
const Version = "v1.8.0"

const module = "github.com/versity/versitygw/cmd/versitygw"

// Server is a running versitygw.
type Server struct {
	URL       string // http://127.0.0.1:PORT, no trailing slash
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string // created by Start
	Root      string // the posix backend: Root/Bucket/key holds each object
}

// Credentials returns the server's signing credentials.
func (s *Server) Credentials() upload.Credentials {
	return upload.Credentials{AccessKey: s.AccessKey, SecretKey: s.SecretKey, Region: s.Region}
}

// ObjectPath returns the backend file that holds key.
func (s *Server) ObjectPath(key string) string {
	return filepath.Join(s.Root, s.Bucket, filepath.FromSlash(key))
}

// Binary returns the path of the versitygw binary, building it first if
// the cache does not hold it. A failed build (no module proxy, say)
// fails the test with go's output; under -short the test is skipped
// instead, since the build takes over a minute.
func Binary(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("s3test: the go command is needed to build versitygw")
	}
	hostEnv, err := exec.Command(goBin, "env", "GOHOSTOS", "GOHOSTARCH").Output()
	if err != nil {
		t.Fatalf("s3test: go env: %v", err)
	}
	host := strings.Fields(string(hostEnv))
	if len(host) != 2 {
		t.Fatalf("s3test: go env printed %q", hostEnv)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("s3test: no cache folder: %v", err)
	}
	dir := filepath.Join(cache, "ccphone", "s3test", "versitygw-"+Version+"-"+host[0]+"-"+host[1])
	bin := filepath.Join(dir, "versitygw")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if testing.Short() {
		t.Skipf("s3test: versitygw %s is not built yet (about 80 s); run without -short once", Version)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// One build at a time across test processes.
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	t.Logf("s3test: building versitygw %s into %s (about 80 s, once)", Version, dir)
	tmp := t.TempDir()
	cmd := exec.Command(goBin, "install", module+"@"+Version)
	cmd.Dir = tmp // outside any module
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod", "GOOS="+host[0], "GOARCH="+host[1],
		"GOARM=", "CGO_ENABLED=0", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("s3test: go install %s@%s failed (is the Go module proxy reachable?): %v\n%s", module, Version, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, "versitygw"), bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Start runs versitygw on 127.0.0.1 with a posix backend in a temporary
// folder, creates a bucket, and stops the server when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	s := &Server{Region: "eu-central-1", AccessKey: "ccphonetest", SecretKey: "ccphone-test-secret-key",
		Bucket: "recordings", Root: t.TempDir()}
	meta := t.TempDir()
	var lastErr string
	for range 3 { // the port is chosen by the kernel, then handed over: retry a lost race
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--region", s.Region,
			"--port", addr, "--quiet", "posix", "--sidecar", meta, s.Root)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatalf("s3test: start versitygw: %v", err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		stop := func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		}
		s.URL = "http://" + addr
		if err := s.waitReady(done); err != nil {
			stop()
			lastErr = fmt.Sprintf("%v\n%s", err, log.String())
			continue
		}
		t.Cleanup(stop)
		if err := s.createBucket(); err != nil {
			t.Fatalf("s3test: create bucket: %v\n%s", err, log.String())
		}
		return s
	}
	t.Fatalf("s3test: versitygw did not start: %s", lastErr)
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitReady(done chan struct{}) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("versitygw exited")
		default:
		}
		resp, err := s.Do(context.Background(), http.MethodGet, "", "", nil)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("versitygw did not answer within 15 s")
}

// Do sends a signed request for bucket/key (both may be empty: the
// service) with body, and returns the response for the caller to close.
func (s *Server) Do(ctx context.Context, method, bucket, key string, body []byte) (*http.Response, error) {
	u, err := upload.ObjectURL(s.URL, "b", "")
	if err != nil {
		return nil, err
	}
	if bucket != "" {
		u, err = upload.ObjectURL(s.URL, bucket, key)
		if err != nil {
			return nil, err
		}
	} else {
		u.Path, u.RawPath = "/", ""
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(body))
	sum := upload.EmptySHA256
	if len(body) > 0 {
		sum = sha256Hex(body)
	}
	upload.SignV4(req, sum, s.Credentials(), time.Now())
	return http.DefaultClient.Do(req)
}

func (s *Server) createBucket() error {
	resp, err := s.Do(context.Background(), http.MethodPut, s.Bucket, "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, b.String())
	}
	return nil
}
