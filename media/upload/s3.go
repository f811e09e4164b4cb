package upload

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Credentials sign S3 requests.
type Credentials struct {
	AccessKey, SecretKey string
	Region               string // "us-east-1" if empty
}

// EmptySHA256 is the hex SHA-256 of an empty payload.
const EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// SignV4 signs req for the S3 service with AWS Signature Version 4
// (header form): it sets X-Amz-Date and X-Amz-Content-Sha256 (payloadSHA256,
// hex: the real payload's hash, so the server verifies the body) and
// Authorization, signing the host and every header already on req. The
// request's path must already be escaped as S3 wants it (EscapeKey).
// SignV4 is safe for concurrent use on different requests.
func SignV4(req *http.Request, payloadSHA256 string, c Credentials, now time.Time) {
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	amzDate := now.UTC().Format("20060102T150405Z")
	day := amzDate[:8]
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payloadSHA256)

	headers := map[string]string{"host": req.URL.Host}
	if req.Host != "" {
		headers["host"] = req.Host
	}
	for k, v := range req.Header {
		if lk := strings.ToLower(k); lk != "authorization" {
			headers[lk] = strings.Join(strings.Fields(strings.Join(v, ",")), " ")
		}
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, k := range names {
		canonHeaders.WriteString(k + ":" + headers[k] + "\n")
	}
	signed := strings.Join(names, ";")

	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canonical := strings.Join([]string{
		req.Method, path, canonicalQuery(req.URL.Query()),
		canonHeaders.String(), signed, payloadSHA256,
	}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hexSHA256([]byte(canonical))
	key := hmacSHA256([]byte("AWS4"+c.SecretKey), day)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		c.AccessKey, scope, signed, sig))
}

func canonicalQuery(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), v[k]...)
		sort.Strings(vals)
		for _, x := range vals {
			parts = append(parts, uriEncode(k, true)+"="+uriEncode(x, true))
		}
	}
	return strings.Join(parts, "&")
}

// EscapeKey escapes an object key for a path-style S3 URL as SigV4
// wants it: every byte but A-Z a-z 0-9 - . _ ~ and '/' as %XX.
func EscapeKey(key string) string { return uriEncode(key, false) }

func uriEncode(s string, slash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && !slash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ObjectURL returns the path-style URL of key in bucket at endpoint,
// escaped for SigV4.
func ObjectURL(endpoint, bucket, key string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(endpoint, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: S3 endpoint %q", ErrDestination, endpoint)
	}
	if bucket == "" {
		return nil, fmt.Errorf("%w: no S3 bucket", ErrDestination)
	}
	u.Path = "/" + bucket
	u.RawPath = "/" + EscapeKey(bucket)
	if key != "" {
		u.Path += "/" + key
		u.RawPath += "/" + EscapeKey(key)
	}
	return u, nil
}

func s3Request(ctx context.Context, d Destination, item Item, path string, f *os.File, dg digests, now time.Time) (*http.Request, error) {
	keyT := d.Key
	if keyT == "" {
		keyT = "{id}/{file}"
	}
	key := strings.TrimLeft(expand(keyT, item, filepath.Base(path), func(s string) string { return s }), "/")
	u, err := ObjectURL(d.URL, d.Bucket, key)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), f)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDestination, err)
	}
	req.ContentLength = dg.size
	req.Header.Set("Content-Type", contentType(path))
	req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(dg.md5))
	SignV4(req, hex.EncodeToString(dg.sha256), Credentials{d.AccessKey, d.SecretKey, d.Region}, now)
	return req, nil
}
