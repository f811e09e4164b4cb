package upload

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSignV4AWSExample checks the signer against the worked example in
// AWS's S3 SigV4 documentation ("GET Object" with a Range header).
func TestSignV4AWSExample(t *testing.T) {
	req, err := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Range", "bytes=0-9")
	SignV4(req, EmptySHA256, Credentials{
		AccessKey: "AKIAIOSFODNN7EXAMPLE",
		SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		Region:    "us-east-1",
	}, time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC))
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := req.Header.Get("Authorization"); got != want {
		t.Fatalf("Authorization:\n got %s\nwant %s", got, want)
	}
}

func TestEscapeKey(t *testing.T) {
	for in, want := range map[string]string{
		"a/b c.wav":           "a/b%20c.wav",
		"x@pbx.example.net/f": "x%40pbx.example.net/f",
		"ü~_-.":               "%C3%BC~_-.",
	} {
		if got := EscapeKey(in); got != want {
			t.Errorf("EscapeKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	item := Item{ID: "r1", CallID: "a b@x", Line: 2, Direction: "in", From: "+49 30/1", To: "1001",
		Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))}
	got := Expand("http://h/rec/{line}/{call_id}/{file}?call_id={call_id}&from={from}&to={to}&start={start}&d={direction}", item, "r1-01.wav")
	want := "http://h/rec/2/a%20b@x/r1-01.wav?call_id=a+b%40x&from=%2B49+30%2F1&to=1001&start=20260102T020405Z&d=in"
	if got != want {
		t.Fatalf("Expand:\n got %s\nwant %s", got, want)
	}
}

func TestBackoff(t *testing.T) {
	o := Options{MinBackoff: time.Second, MaxBackoff: 10 * time.Second, Rand: func() float64 { return 0.999999 }}
	o.fill()
	for tries, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 50: 10 * time.Second} {
		if got := o.backoff(tries); got < want-time.Millisecond || got > want {
			t.Errorf("backoff(%d) = %v, want just under %v", tries, got, want)
		}
	}
	o.Rand = func() float64 { return 0 }
	if got := o.backoff(3); got != 2*time.Second {
		t.Errorf("backoff(3) with no jitter = %v, want half of 4 s", got)
	}
}

func TestStatusErrors(t *testing.T) {
	for code, want := range map[int]error{400: ErrRejected, 401: ErrRejected, 403: ErrRejected, 404: ErrRejected,
		408: ErrServer, 429: ErrServer, 500: ErrServer, 503: ErrServer} {
		err := error(&StatusError{Code: code})
		if !errors.Is(err, want) {
			t.Errorf("HTTP %d is not %v", code, want)
		}
	}
	if s := (&StatusError{Code: 403, Body: "denied"}).Error(); !strings.Contains(s, "403") {
		t.Errorf("Error() = %q", s)
	}
}
