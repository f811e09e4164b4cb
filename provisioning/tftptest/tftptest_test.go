package tftptest

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pin/tftp/v3"
)

func TestServer(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.cfg"), []byte("lcd.contrast = 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := Start(t, root)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tftp.NewClient(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	c.SetTimeout(2 * time.Second)
	for i := 0; i < 2; i++ { // tftpd keeps serving after a transfer
		wt, err := c.Receive("a.cfg", "octet")
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		var b bytes.Buffer
		if _, err := wt.WriteTo(&b); err != nil || b.String() != "lcd.contrast = 10\n" {
			t.Fatalf("got %q, %v", b.String(), err)
		}
	}
	if _, err := c.Receive("missing.cfg", "octet"); err == nil || !strings.Contains(err.Error(), "code: 1") {
		t.Errorf("missing file: err = %v, want TFTP error 1", err)
	}

	silent, _ := url.Parse(Silent(t))
	sc, err := tftp.NewClient(silent.Host)
	if err != nil {
		t.Fatal(err)
	}
	sc.SetTimeout(50 * time.Millisecond)
	sc.SetRetries(1)
	sc.SetBackoff(func(int) time.Duration { return 0 })
	if _, err := sc.Receive("a.cfg", "octet"); err == nil {
		t.Error("silent server answered")
	}
}
