package nginxtest

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServer(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.cfg"), []byte("lcd.contrast = 10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := Start(t, Options{Root: root})
	get := func(c *http.Client, url string) (int, string) {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	plain := &http.Client{}
	if code, body := get(plain, srv.URL+"/a.cfg"); code != 200 || body != "lcd.contrast = 10\n" {
		t.Errorf("GET /a.cfg = %d %q", code, body)
	}
	if code, _ := get(plain, srv.URL+"/auth/a.cfg"); code != 401 {
		t.Errorf("GET /auth/a.cfg without credentials = %d, want 401", code)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/auth/a.cfg", nil)
	req.SetBasicAuth("user", "secret")
	if resp, err := plain.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET /auth/a.cfg with credentials: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if code, _ := get(plain, srv.URL+"/status/500/a.cfg"); code != 500 {
		t.Errorf("status 500 = %d", code)
	}

	put, _ := http.NewRequest("PUT", srv.URL+"/upload/rec/1.wav", bytes.NewReader([]byte("RIFF")))
	if resp, err := plain.Do(put); err != nil || resp.StatusCode != 201 {
		t.Errorf("PUT: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if b, err := os.ReadFile(filepath.Join(srv.UploadDir, "rec", "1.wav")); err != nil || string(b) != "RIFF" {
		t.Errorf("uploaded file: %q %v", b, err)
	}

	pinned := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.RootCAs}}}
	if code, _ := get(pinned, srv.TLSURL+"/a.cfg"); code != 200 {
		t.Errorf("HTTPS GET = %d", code)
	}
	if code, _ := get(pinned, srv.TLSURL+"/mtls/a.cfg"); code != 403 {
		t.Errorf("HTTPS /mtls/ without client certificate = %d, want 403", code)
	}
	withCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.RootCAs, Certificates: []tls.Certificate{srv.ClientCert}}}}
	if code, _ := get(withCert, srv.TLSURL+"/mtls/a.cfg"); code != 200 {
		t.Errorf("HTTPS /mtls/ with client certificate = %d, want 200", code)
	}
	if _, err := (&http.Client{}).Get(srv.TLSURL + "/a.cfg"); err == nil {
		t.Error("HTTPS with system roots trusted the test CA")
	}

	if srv.HasHang {
		c := &http.Client{Timeout: 300 * time.Millisecond}
		resp, err := c.Get(srv.URL + "/hang/x")
		if err != nil {
			t.Fatalf("GET /hang/: %v", err)
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Error("/hang/ body ended; want it to stall")
		}
	}
	reqs := strings.Join(srv.Requests(t), "\n")
	if !strings.Contains(reqs, "GET /a.cfg 200") || !strings.Contains(reqs, "PUT /upload/rec/1.wav 201") {
		t.Errorf("access log lacks requests:\n%s", reqs)
	}
}

// TestUploadDownAndBack: with SetUploadStatus(503) a PUT is refused and
// stores nothing; with SetUploadStatus(0) the same PUT lands.
func TestUploadDownAndBack(t *testing.T) {
	srv := Start(t, Options{Root: t.TempDir()})
	put := func() int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPut, srv.URL+"/upload/x/a.wav", strings.NewReader("RIFF"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	srv.SetUploadStatus(t, 503)
	if code := put(); code != 503 {
		t.Errorf("PUT while down = %d, want 503", code)
	}
	if _, err := os.Stat(filepath.Join(srv.UploadDir, "x", "a.wav")); err == nil {
		t.Error("a refused PUT stored the file")
	}
	srv.SetUploadStatus(t, 0)
	if code := put(); code != 201 {
		t.Errorf("PUT once back = %d, want 201", code)
	}
	if b, err := os.ReadFile(filepath.Join(srv.UploadDir, "x", "a.wav")); err != nil || string(b) != "RIFF" {
		t.Errorf("stored %q, %v", b, err)
	}
	reqs := srv.WaitRequests(t, 2)
	if strings.Join(reqs, ",") != "PUT /upload/x/a.wav 503,PUT /upload/x/a.wav 201" {
		t.Errorf("requests %q (probes must be left out)", reqs)
	}
}
