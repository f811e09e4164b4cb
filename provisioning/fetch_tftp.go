package provisioning

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/pin/tftp/v3"
)

// fetchTFTP reads a file over TFTP (RFC 1350, with the tsize and blksize
// options). pin/tftp takes no context: each packet waits at most
// TFTPTimeout and is sent TFTPRetries times, so a dead server fails with
// ErrTimeout after about TFTPTimeout×TFTPRetries; ctx is checked before
// and after the transfer and its deadline shortens the packet timeout.
func (f *Fetcher) fetchTFTP(ctx context.Context, u *url.URL) (*Fetched, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "69")
	}
	c, err := tftp.NewClient(host)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedURL, err)
	}
	timeout := f.opts.TFTPTimeout
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) / time.Duration(f.opts.TFTPRetries+1); left < timeout {
			timeout = max(left, 10*time.Millisecond)
		}
	}
	c.SetTimeout(timeout)
	c.SetRetries(f.opts.TFTPRetries)
	c.SetBackoff(func(int) time.Duration { return 0 })
	c.SetBlockSize(1428)
	c.RequestTSize(true)
	name := strings.TrimPrefix(u.Path, "/")
	wt, err := c.Receive(name, "octet")
	if err != nil {
		return nil, classifyTFTPErr(err)
	}
	if it, ok := wt.(tftp.IncomingTransfer); ok {
		if n, ok := it.Size(); ok && n > f.opts.MaxSize {
			return nil, &FetchError{Err: fmt.Errorf("%w: server announces %d bytes, limit %d", ErrTooLarge, n, f.opts.MaxSize)}
		}
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&limitedWriter{w: &buf, left: f.opts.MaxSize}); err != nil {
		return nil, classifyTFTPErr(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Fetched{Data: buf.Bytes()}, nil
}

func classifyTFTPErr(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, ErrTooLarge):
		return &FetchError{Err: err}
	case errors.As(err, &ne) && ne.Timeout():
		return &FetchError{Err: fmt.Errorf("%w: TFTP server did not answer", ErrTimeout)}
	case strings.Contains(err.Error(), "code: 1,"):
		// RFC 1350 error code 1: file not found.
		return &FetchError{Err: fmt.Errorf("%w: %v", ErrNotFound, err)}
	}
	return &FetchError{Err: fmt.Errorf("tftp: %w", err)}
}

// limitedWriter fails with ErrTooLarge once more than left bytes came.
type limitedWriter struct {
	w    *bytes.Buffer
	left int64
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, fmt.Errorf("%w: larger than the limit", ErrTooLarge)
	}
	l.left -= int64(len(p))
	return l.w.Write(p)
}
