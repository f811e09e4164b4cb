package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// httpFetch is what the phone's fetcher does for http URLs, in small: a
// GET that refuses more than MaxFileSize bytes.
func httpFetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, MaxFileSize+1))
}

func TestLoadFromHTTP(t *testing.T) {
	mp3 := readTestdata(t, "tone1k_44100_stereo.mp3")
	big := make([]byte, MaxFileSize+1)
	copy(big, mp3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ring.mp3":
			w.Write(mp3)
		case "/huge.mp3":
			w.Write(big)
		case "/slow.mp3":
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	clip, err := Load(ctx, httpFetch, srv.URL+"/ring.mp3", 16000)
	if err != nil {
		t.Fatal(err)
	}
	s := clip.Samples()
	if clip.Rate() != 16000 || math.Abs(zeroCrossingFreq(s[1000:len(s)-1000], 16000)-1000) > 2 {
		t.Fatalf("loaded clip: rate %d, %.1f Hz", clip.Rate(), zeroCrossingFreq(s, 16000))
	}

	if _, err := Load(ctx, httpFetch, srv.URL+"/huge.mp3", 8000); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge file: %v, want ErrTooLarge", err)
	}
	_, err = Load(ctx, httpFetch, "http://admin:secret@"+strings.TrimPrefix(srv.URL, "http://")+"/missing.mp3", 8000)
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "/missing.mp3") || strings.Contains(err.Error(), "secret") {
		t.Errorf("missing file: %v (want 404, the URL, no password)", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := Load(cctx, httpFetch, srv.URL+"/slow.mp3", 8000); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow server: %v, want the deadline", err)
	}
}

func TestLoadChecksSizeItself(t *testing.T) {
	// A fetch without its own limit still cannot pass a huge file on.
	fetch := func(context.Context, string) ([]byte, error) { return make([]byte, MaxFileSize+10), nil }
	if _, err := Load(context.Background(), fetch, "tftp://10.0.0.1/ring.wav", 8000); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
}
