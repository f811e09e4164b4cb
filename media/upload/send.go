package upload

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// digests of a file, computed before each try so that what the server
// checks is what is on the disk now.
type digests struct {
	size   int64
	md5    []byte
	sha256 []byte
}

func hashFile(f *os.File) (digests, error) {
	m, s := md5.New(), sha256.New()
	n, err := io.Copy(io.MultiWriter(m, s), f)
	if err != nil {
		return digests{}, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return digests{}, err
	}
	return digests{size: n, md5: m.Sum(nil), sha256: s.Sum(nil)}, nil
}

func contentType(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".wav":
		return "audio/wav"
	case ".json":
		return "application/json"
	}
	return "application/octet-stream"
}

// send uploads one file and returns nil only once the server confirmed
// it.
func (q *Queue) send(ctx context.Context, d Destination, item Item, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadItem, err) // the file is gone: retrying cannot help soon
	}
	defer f.Close()
	dg, err := hashFile(f)
	if err != nil {
		return err
	}
	var req *http.Request
	switch d.Kind {
	case PUT, POST:
		req, err = httpRequest(ctx, d, item, path, f, dg)
	case S3:
		req, err = s3Request(ctx, d, item, path, f, dg, q.opts.Clock.Now())
	default:
		err = fmt.Errorf("%w: kind %v", ErrDestination, d.Kind)
	}
	if err != nil {
		return err
	}
	resp, err := q.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrServer, stripURL(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512)) // for the error message only
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
	default:
		return &StatusError{Code: resp.StatusCode, Body: oneLine(body)}
	}
	if d.Kind == S3 {
		want := `"` + hex.EncodeToString(dg.md5) + `"`
		if got := resp.Header.Get("ETag"); got != want {
			return fmt.Errorf("%w: ETag %s, want %s", ErrIntegrity, got, want)
		}
	}
	return nil
}

// stripURL drops the URL from a client error: it may carry a token in
// its query.
func stripURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func httpRequest(ctx context.Context, d Destination, item Item, path string, f *os.File, dg digests) (*http.Request, error) {
	u := Expand(d.URL, item, filepath.Base(path))
	if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return nil, fmt.Errorf("%w: URL %q", ErrDestination, d.URL)
	}
	method := http.MethodPut
	var body io.Reader = f
	size := dg.size
	ctype := contentType(path)
	if d.Kind == POST {
		method = http.MethodPost
		if d.Multipart {
			var err error
			body, size, ctype, err = multipartBody(d, item, path, f, dg.size)
			if err != nil {
				return nil, err
			}
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDestination, err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(dg.md5))
	if d.User != "" {
		req.SetBasicAuth(d.User, d.Password)
	}
	return req, nil
}

// multipartBody streams the file inside a multipart form: the fields and
// the part's header, the file, then the closing boundary, with a known
// length and no goroutine.
func multipartBody(d Destination, item Item, path string, f *os.File, size int64) (io.Reader, int64, string, error) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	for _, kv := range [][2]string{
		{"id", item.ID}, {"call_id", item.CallID}, {"line", strconv.Itoa(item.Line)},
		{"direction", item.Direction}, {"from", item.From}, {"to", item.To},
		{"start", item.Start.UTC().Format(time.RFC3339)},
	} {
		if err := w.WriteField(kv[0], kv[1]); err != nil {
			return nil, 0, "", err
		}
	}
	field := d.FileField
	if field == "" {
		field = "file"
	}
	if _, err := w.CreateFormFile(field, filepath.Base(path)); err != nil {
		return nil, 0, "", err
	}
	n := head.Len()
	if err := w.Close(); err != nil {
		return nil, 0, "", err
	}
	all := head.Bytes()
	prefix, trailer := all[:n], all[n:]
	return io.MultiReader(bytes.NewReader(prefix), f, bytes.NewReader(trailer)),
		int64(len(prefix)) + size + int64(len(trailer)), w.FormDataContentType(), nil
}
