package provisioning

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// fetchHTTP does one conditional GET, answering an authentication
// challenge once. A challenge seen before is answered up front, so an
// unchanged file costs one request even behind digest auth.
func (f *Fetcher) fetchHTTP(ctx context.Context, u *url.URL, prev Validators) (*Fetched, error) {
	user, pass := f.opts.UserName, f.opts.Password.Reveal()
	if u.User != nil {
		user = u.User.Username()
		if p, ok := u.User.Password(); ok {
			pass = p
		}
	}
	clean := *u
	clean.User = nil
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, clean.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnsupportedURL, err)
		}
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
		req.Header.Set("User-Agent", "ccphone")
		if user != "" {
			if ch := f.challenge(u.Host); ch != nil {
				auth, err := ch.authorize(req.Method, req.URL.RequestURI(), user, pass, f.opts.Rand)
				if err != nil {
					return nil, err
				}
				req.Header.Set("Authorization", auth)
			}
		}
		got, resp, err := f.doHTTP(ctx, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusUnauthorized && user != "" && attempt == 0 {
			ch, err := parseChallenges(resp.Header.Values("WWW-Authenticate"))
			if err != nil {
				return nil, &FetchError{Status: resp.StatusCode, Err: err}
			}
			if prevCh := f.challenge(u.Host); prevCh != nil && !ch.stale && prevCh.scheme == ch.scheme && prevCh.nonce == ch.nonce {
				// Our answer to this very challenge was refused.
				return nil, &FetchError{Status: resp.StatusCode, Err: fmt.Errorf("%w: credentials refused", ErrAuth)}
			}
			f.setChallenge(u.Host, ch)
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			return got, nil
		case http.StatusNotModified:
			return &Fetched{Unchanged: true, Validators: prev}, nil
		case http.StatusNotFound, http.StatusGone:
			return nil, &FetchError{Status: resp.StatusCode, Err: ErrNotFound}
		case http.StatusUnauthorized, http.StatusForbidden:
			return nil, &FetchError{Status: resp.StatusCode, Err: ErrAuth}
		}
		return nil, &FetchError{Status: resp.StatusCode, Err: ErrHTTPStatus}
	}
}

// doHTTP sends req and reads the body of a 200 answer, giving up with
// ErrStalled when no byte arrives for StallTimeout.
func (f *Fetcher) doHTTP(ctx context.Context, req *http.Request) (*Fetched, *http.Response, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req = req.WithContext(ctx)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, nil, classifyNetErr(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused; error pages are
		// small.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, resp, nil
	}
	if resp.ContentLength > f.opts.MaxSize {
		return nil, nil, &FetchError{Status: resp.StatusCode, Err: fmt.Errorf("%w: server announces %d bytes, limit %d", ErrTooLarge, resp.ContentLength, f.opts.MaxSize)}
	}
	var stalled atomic.Bool
	watchdog := time.AfterFunc(f.opts.StallTimeout, func() {
		stalled.Store(true)
		cancel(ErrStalled)
	})
	defer watchdog.Stop()
	body := &progressReader{r: resp.Body, onRead: func() { watchdog.Reset(f.opts.StallTimeout) }}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := readLimited(&buf, body, f.opts.MaxSize)
	if err != nil {
		if stalled.Load() {
			return nil, nil, &FetchError{Status: resp.StatusCode, Err: fmt.Errorf("%w: nothing for %v after %d bytes", ErrStalled, f.opts.StallTimeout, n)}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, &FetchError{Status: resp.StatusCode, Err: fmt.Errorf("%w: %d of %d bytes", ErrTruncated, n, resp.ContentLength)}
		}
		return nil, nil, &FetchError{Status: resp.StatusCode, Err: classifyNetErr(ctx, err)}
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return nil, nil, &FetchError{Status: resp.StatusCode, Err: fmt.Errorf("%w: %d of %d bytes", ErrTruncated, n, resp.ContentLength)}
	}
	got := &Fetched{Data: buf.Bytes()}
	got.ETag = resp.Header.Get("ETag")
	got.LastModified = resp.Header.Get("Last-Modified")
	return got, resp, nil
}

// classifyNetErr maps transport errors to the package's sentinels.
func classifyNetErr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrStalled) {
		return fmt.Errorf("%w: no answer", ErrStalled)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return fmt.Errorf("%w: server certificate not trusted: %w", ErrAuth, err)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" && op.Timeout() {
		return fmt.Errorf("%w: connect: %w", ErrTimeout, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		// The transport's own connect, handshake or header timeouts.
		return fmt.Errorf("%w: %w", ErrStalled, err)
	}
	return err
}

// progressReader calls onRead after every read that returned bytes.
type progressReader struct {
	r      io.Reader
	onRead func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.onRead()
	}
	return n, err
}

func (f *Fetcher) challenge(host string) *challenge {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.challenges[host]
}

func (f *Fetcher) setChallenge(host string, ch *challenge) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.challenges[host] = ch
}
