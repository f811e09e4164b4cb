package provisioning

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// FetchOptions configure a Fetcher. The zero value works: system roots,
// no credentials, DefaultFetchOptions' timeouts and MaxFileSize.
type FetchOptions struct {
	// Timeout bounds a whole fetch: connect, request and transfer. A
	// fetch that takes longer fails with ErrTimeout. Zero means 60 s.
	Timeout time.Duration
	// ConnectTimeout bounds the TCP connect and the TLS handshake. Zero
	// means 10 s.
	ConnectTimeout time.Duration
	// StallTimeout is how long the server may send nothing, waiting for
	// the response headers or in the middle of the body, before the fetch
	// fails with ErrStalled. Zero means 15 s.
	StallTimeout time.Duration
	// MaxSize is the largest file accepted, in bytes; a larger one fails
	// with ErrTooLarge. Zero means MaxFileSize. Firmware fetches set more.
	MaxSize int64

	// RootCAs, when not nil, are the only CAs HTTPS servers may chain to
	// (a pinned CA); nil means the system roots. NewFetcherFromConfig
	// fills it from provisioning.ca_file.
	RootCAs *x509.CertPool
	// ClientCert, when it has a certificate, is shown to HTTPS servers
	// that ask for one.
	ClientCert tls.Certificate

	// UserName and Password answer HTTP basic and digest challenges.
	UserName string
	Password Secret

	// TFTPTimeout is how long the TFTP client waits for each packet, and
	// TFTPRetries how often it sends again. Zero means 2 s and 3 tries.
	TFTPTimeout time.Duration
	TFTPRetries int

	// Transport, when not nil, carries HTTP requests instead of the
	// Fetcher's own (tests count requests with it). The TLS, connect and
	// header settings above then do not apply.
	Transport http.RoundTripper
	// Rand supplies digest auth client nonces; nil means crypto/rand.
	Rand io.Reader
	// Logger receives one debug line per request; nil discards.
	Logger *slog.Logger
}

// withDefaults fills zero fields.
func (o FetchOptions) withDefaults() FetchOptions {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 15 * time.Second
	}
	if o.MaxSize <= 0 {
		o.MaxSize = MaxFileSize
	}
	if o.TFTPTimeout <= 0 {
		o.TFTPTimeout = 2 * time.Second
	}
	if o.TFTPRetries <= 0 {
		o.TFTPRetries = 3
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Validators are what a previous fetch of the same URL learnt, so the next
// one can be conditional: HTTP sends If-None-Match and If-Modified-Since
// and takes 304 as "unchanged"; TFTP and local files compare Hash. The
// zero value asks unconditionally.
type Validators struct {
	ETag         string   // HTTP ETag of the copy held
	LastModified string   // HTTP Last-Modified of the copy held
	Hash         [32]byte // SHA-256 of the copy held; zero when none
}

// Fetched is the outcome of one successful Fetch.
type Fetched struct {
	URL       string // the URL fetched, without user information
	Name      string // the file name: the last element of the path
	Unchanged bool   // the server said 304, or the content hashed as before
	Data      []byte // the file; nil when Unchanged
	Validators
}

// FetchError is a failed fetch: the URL (never with a password), the HTTP
// status when there was one, and the sentinel (ErrNotFound,
// ErrHTTPStatus, ErrTimeout, ErrStalled...) wrapped with the cause.
type FetchError struct {
	URL    string // without user information
	Status int    // HTTP status, or 0
	Err    error  // wraps a sentinel
}

// Error reads "fetch URL: HTTP 500 Internal Server Error: provisioning:
// server error" or "fetch URL: provisioning: timed out".
func (e *FetchError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("fetch %s: HTTP %d %s: %v", e.URL, e.Status, http.StatusText(e.Status), e.Err)
	}
	return fmt.Sprintf("fetch %s: %v", e.URL, e.Err)
}

// Unwrap returns the wrapped error, for errors.Is.
func (e *FetchError) Unwrap() error { return e.Err }

// Fetcher gets provisioning files and firmware over HTTP(S), TFTP and
// from local paths. A Fetcher is safe for concurrent use; Close releases
// its idle connections.
type Fetcher struct {
	opts   FetchOptions
	client *http.Client
	own    *http.Transport // nil when opts.Transport was given

	mu         sync.Mutex
	challenges map[string]*challenge // by host: the last auth challenge seen
}

// NewFetcher returns a Fetcher with opts.
func NewFetcher(opts FetchOptions) *Fetcher {
	opts = opts.withDefaults()
	f := &Fetcher{opts: opts, challenges: make(map[string]*challenge)}
	rt := opts.Transport
	if rt == nil {
		tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: opts.RootCAs}
		if len(opts.ClientCert.Certificate) > 0 {
			tlsConf.Certificates = []tls.Certificate{opts.ClientCert}
		}
		f.own = &http.Transport{
			DialContext:           (&net.Dialer{Timeout: opts.ConnectTimeout}).DialContext,
			TLSClientConfig:       tlsConf,
			TLSHandshakeTimeout:   opts.ConnectTimeout,
			ResponseHeaderTimeout: opts.StallTimeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		}
		rt = f.own
	}
	f.client = &http.Client{
		Transport: rt,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
	return f
}

// Close closes the Fetcher's idle connections. A fetch under way is not
// interrupted; cancel its context for that.
func (f *Fetcher) Close() {
	if f.own != nil {
		f.own.CloseIdleConnections()
	}
}

// Fetch gets the file at rawURL: http://, https://, tftp://host[:port]/path,
// file:///path or a plain local path. prev makes it conditional; an
// unchanged file comes back with Unchanged set and no Data, after one
// conditional request (HTTP) or one transfer (TFTP, file).
//
// Every failure is a *FetchError wrapping a sentinel: ErrNotFound,
// ErrHTTPStatus, ErrAuth, ErrTimeout, ErrStalled, ErrTruncated,
// ErrTooLarge, ErrUnsupportedURL, or ctx's error when ctx ended first.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, prev Validators) (*Fetched, error) {
	u, err := parseSource(rawURL)
	if err != nil {
		return nil, &FetchError{URL: redact(rawURL), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	var got *Fetched
	switch u.Scheme {
	case "http", "https":
		got, err = f.fetchHTTP(ctx, u, prev)
	case "tftp":
		got, err = f.fetchTFTP(ctx, u)
	case "file":
		got, err = f.fetchFile(ctx, u.Path)
	}
	if err != nil {
		var fe *FetchError
		if !errors.As(err, &fe) {
			fe = &FetchError{Err: err}
		}
		fe.URL = redact(u.String())
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(fe.Err, ErrStalled) && !errors.Is(fe.Err, ErrTimeout) {
			fe.Err = fmt.Errorf("%w after %v: %w", ErrTimeout, f.opts.Timeout, fe.Err)
		}
		return nil, fe
	}
	got.URL = redact(u.String())
	got.Name = fileName(u.Path)
	if got.Data != nil {
		got.Hash = sha256.Sum256(got.Data)
		if prev.Hash != ([32]byte{}) && got.Hash == prev.Hash {
			got.Unchanged, got.Data = true, nil
		}
	}
	f.opts.Logger.Debug("provisioning fetch", "url", got.URL, "unchanged", got.Unchanged)
	return got, nil
}

// parseSource turns a URL or a plain path into a URL with a scheme the
// Fetcher knows.
func parseSource(raw string) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		if raw == "" {
			return nil, fmt.Errorf("empty source: %w", ErrUnsupportedURL)
		}
		return &url.URL{Scheme: "file", Path: raw}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedURL, err)
	}
	switch u.Scheme {
	case "http", "https", "tftp":
		if u.Host == "" {
			return nil, fmt.Errorf("no host: %w", ErrUnsupportedURL)
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("file URL with host %q: %w", u.Host, ErrUnsupportedURL)
		}
	default:
		return nil, fmt.Errorf("scheme %q: %w", u.Scheme, ErrUnsupportedURL)
	}
	return u, nil
}

// redact returns the URL without user information.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if err != nil && strings.Contains(raw, "@") {
			return "(unparsable URL)"
		}
		return raw
	}
	u.User = nil
	return u.String()
}

func fileName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func (f *Fetcher) fetchFile(ctx context.Context, path string) (*Fetched, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fd, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &FetchError{Err: fmt.Errorf("%w: %w", ErrNotFound, err)}
	}
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	var buf bytes.Buffer
	if _, err := readLimited(&buf, fd, f.opts.MaxSize); err != nil {
		return nil, err
	}
	return &Fetched{Data: buf.Bytes()}, nil
}

// readLimited copies r into buf, failing with ErrTooLarge past max bytes.
func readLimited(buf *bytes.Buffer, r io.Reader, max int64) (int64, error) {
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return n, err
	}
	if n > max {
		return n, fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, max)
	}
	return n, nil
}

// CheckURL reports whether rawURL is a source Fetch accepts.
func CheckURL(rawURL string) error {
	_, err := parseSource(rawURL)
	return err
}
