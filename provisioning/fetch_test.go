package provisioning

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ccphone/provisioning/nginxtest"
	"ccphone/provisioning/tftptest"
)

const testFile = "#!version:1.0.0.1\nlcd.contrast = 40\n"

func wwwDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFetchHTTPFromNginx(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Options{Root: wwwDir(t, map[string]string{"cc800.cfg": testFile}), User: "prov", Password: "pr0v-pass"})
	ctx := t.Context()
	f := NewFetcher(FetchOptions{StallTimeout: 300 * time.Millisecond, Timeout: 5 * time.Second})
	defer f.Close()

	got, err := f.Fetch(ctx, srv.URL+"/cc800.cfg", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Data) != testFile || got.Name != "cc800.cfg" || got.ETag == "" || got.LastModified == "" || got.Unchanged {
		t.Fatalf("first fetch = %+v", got)
	}
	again, err := f.Fetch(ctx, srv.URL+"/cc800.cfg", got.Validators)
	if err != nil || !again.Unchanged || again.Data != nil {
		t.Fatalf("conditional fetch = %+v, %v; want Unchanged", again, err)
	}
	if reqs := srv.WaitRequests(t, 2); len(reqs) != 2 || reqs[1] != "GET /cc800.cfg 304" {
		t.Errorf("requests = %q, want the second to be a 304", reqs)
	}

	tests := []struct {
		name     string
		url      string
		opts     FetchOptions
		sentinel error
		status   int
	}{
		{"404", srv.URL + "/missing.cfg", FetchOptions{}, ErrNotFound, 404},
		{"500", srv.URL + "/status/500/cc800.cfg", FetchOptions{}, ErrHTTPStatus, 500},
		{"no credentials", srv.URL + "/auth/cc800.cfg", FetchOptions{}, ErrAuth, 401},
		{"wrong password", srv.URL + "/auth/cc800.cfg", FetchOptions{UserName: "prov", Password: "wrong-pass"}, ErrAuth, 401},
		{"slow body, whole timeout", srv.URL + "/slow/cc800.cfg", FetchOptions{Timeout: 700 * time.Millisecond, StallTimeout: 5 * time.Second}, ErrTimeout, 0},
		{"HTTPS, system roots", srv.TLSURL + "/cc800.cfg", FetchOptions{}, ErrAuth, 0},
		{"mTLS without certificate", srv.TLSURL + "/mtls/cc800.cfg", FetchOptions{RootCAs: srv.RootCAs}, ErrAuth, 403},
		{"too large", srv.URL + "/cc800.cfg", FetchOptions{MaxSize: 10}, ErrTooLarge, 200},
		{"ftp", "ftp://127.0.0.1/cc800.cfg", FetchOptions{}, ErrUnsupportedURL, 0},
	}
	if srv.HasHang {
		tests = append(tests, struct {
			name     string
			url      string
			opts     FetchOptions
			sentinel error
			status   int
		}{"stalled body", srv.URL + "/hang/cc800.cfg", FetchOptions{StallTimeout: 300 * time.Millisecond}, ErrStalled, 200})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFetcher(tt.opts)
			defer f.Close()
			got, err := f.Fetch(ctx, tt.url, Validators{})
			if err == nil {
				t.Fatalf("fetch succeeded: %q", got.Data)
			}
			var fe *FetchError
			if !errors.As(err, &fe) {
				t.Fatalf("err %T %v is not a *FetchError", err, err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("err = %v, want %v", err, tt.sentinel)
			}
			if fe.Status != tt.status {
				t.Errorf("status = %d, want %d (%v)", fe.Status, tt.status, err)
			}
			if strings.Contains(err.Error(), "pass") {
				t.Errorf("error leaks the password: %v", err)
			}
			t.Log(err)
		})
	}

	t.Run("basic auth", func(t *testing.T) {
		f := NewFetcher(FetchOptions{UserName: "prov", Password: "pr0v-pass"})
		defer f.Close()
		for i := 0; i < 2; i++ {
			if got, err := f.Fetch(ctx, srv.URL+"/auth/cc800.cfg", Validators{}); err != nil || string(got.Data) != testFile {
				t.Fatalf("fetch %d: %v", i, err)
			}
		}
	})
	t.Run("HTTPS pinned CA and client certificate", func(t *testing.T) {
		f := NewFetcher(FetchOptions{RootCAs: srv.RootCAs, ClientCert: srv.ClientCert})
		defer f.Close()
		for _, path := range []string{"/cc800.cfg", "/mtls/cc800.cfg"} {
			if got, err := f.Fetch(ctx, srv.TLSURL+path, Validators{}); err != nil || string(got.Data) != testFile {
				t.Errorf("fetch %s: %v", path, err)
			}
		}
	})
}

func TestFetchTFTPAndFile(t *testing.T) {
	root := wwwDir(t, map[string]string{"cc800.cfg": testFile})
	srv := tftptest.Start(t, root)
	f := NewFetcher(FetchOptions{TFTPTimeout: 200 * time.Millisecond, TFTPRetries: 2})
	ctx := t.Context()
	for _, src := range []string{srv.URL + "/cc800.cfg", filepath.Join(root, "cc800.cfg"), "file://" + filepath.Join(root, "cc800.cfg")} {
		got, err := f.Fetch(ctx, src, Validators{})
		if err != nil || string(got.Data) != testFile {
			t.Fatalf("fetch %s = %v, %v", src, got, err)
		}
		again, err := f.Fetch(ctx, src, got.Validators)
		if err != nil || !again.Unchanged {
			t.Errorf("fetch %s with the hash = %+v, %v; want Unchanged", src, again, err)
		}
	}
	for _, src := range []string{srv.URL + "/missing.cfg", filepath.Join(root, "missing.cfg")} {
		if _, err := f.Fetch(ctx, src, Validators{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("fetch %s: err = %v, want ErrNotFound", src, err)
		}
	}
	_, err := f.Fetch(ctx, tftptest.Silent(t)+"/cc800.cfg", Validators{})
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("silent TFTP server: err = %v, want ErrTimeout", err)
	}
}

// digestServer answers like an RFC 7616 server: a challenge with the
// given algorithm and qop=auth, then checks the response. It counts
// requests.
func digestServer(t *testing.T, algorithm, user, pass string) (*httptest.Server, *atomic.Int32) {
	var requests atomic.Int32
	const realm, nonce = "ccphone", "dcd98b7102dd2f0e8b11d0f600bfb0c093"
	newHash := func() hash.Hash { return md5.New() }
	if algorithm == "SHA-256" {
		newHash = sha256.New
	}
	h := func(s string) string { x := newHash(); io.WriteString(x, s); return hex.EncodeToString(x.Sum(nil)) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		auth := r.Header.Get("Authorization")
		if p, ok := strings.CutPrefix(auth, "Digest "); ok {
			ps := parseAuthParams(p)
			ha1 := h(user + ":" + realm + ":" + pass)
			ha2 := h(r.Method + ":" + ps["uri"])
			want := h(ha1 + ":" + nonce + ":" + ps["nc"] + ":" + ps["cnonce"] + ":auth:" + ha2)
			if ps["username"] == user && ps["response"] == want && ps["qop"] == "auth" && ps["uri"] == r.URL.RequestURI() && ps["opaque"] == "op" {
				io.WriteString(w, testFile)
				return
			}
		}
		w.Header().Add("WWW-Authenticate", `Basic realm="weaker"`)
		w.Header().Add("WWW-Authenticate", fmt.Sprintf(`Digest realm="%s", qop="auth,auth-int", algorithm=%s, nonce="%s", opaque="op"`, realm, algorithm, nonce))
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

func TestFetchDigestAuth(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256"} {
		t.Run(alg, func(t *testing.T) {
			srv, requests := digestServer(t, alg, "phone", "s3cret")
			f := NewFetcher(FetchOptions{UserName: "phone", Password: "s3cret"})
			defer f.Close()
			got, err := f.Fetch(t.Context(), srv.URL+"/cfg/cc800.cfg?x=1", Validators{})
			if err != nil || string(got.Data) != testFile {
				t.Fatalf("fetch: %v", err)
			}
			if n := requests.Load(); n != 2 {
				t.Errorf("first fetch took %d requests, want 2 (challenge, answer)", n)
			}
			if _, err := f.Fetch(t.Context(), srv.URL+"/cfg/cc800.cfg?x=1", Validators{}); err != nil {
				t.Fatal(err)
			}
			if n := requests.Load(); n != 3 {
				t.Errorf("second fetch took %d requests, want 1 (answered up front)", n-2)
			}
			bad := NewFetcher(FetchOptions{UserName: "phone", Password: "wrong"})
			defer bad.Close()
			_, err = bad.Fetch(t.Context(), srv.URL+"/cfg/cc800.cfg", Validators{})
			if !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "wrong") {
				t.Errorf("wrong password: err = %v, want ErrAuth without the password", err)
			}
		})
	}
}

func TestFetchTruncated(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n%s", testFile[:20])
		buf.Flush()
	}))
	defer srv.Close()
	f := NewFetcher(FetchOptions{})
	defer f.Close()
	_, err := f.Fetch(t.Context(), srv.URL+"/cc800.cfg", Validators{})
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if want := "20 of 100 bytes"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to say %q", err, want)
	}
}

func TestFetchContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	f := NewFetcher(FetchOptions{})
	if _, err := f.Fetch(ctx, "/nonexistent/cc800.cfg", Validators{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRedact(t *testing.T) {
	if got := redact("https://admin:hunter2@prov.example.net/x/"); strings.Contains(got, "hunter2") || strings.Contains(got, "admin") {
		t.Errorf("redact kept user information: %s", got)
	}
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	rt http.RoundTripper
	n  atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}
