package upload

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ccphone/hal"
)

// Kind is how a destination takes files.
type Kind uint8

// The kinds of destination.
const (
	// PUT sends each file as the body of an HTTP PUT to the expanded URL
	// (WebDAV, nginx dav_methods). 200, 201 and 204 confirm it.
	PUT Kind = iota
	// POST sends each file in an HTTP POST, as the raw body or as a
	// multipart form (Destination.Multipart), KAZOO style: the URL may
	// carry the call's details in its query. 200, 201 and 204 confirm it.
	POST
	// S3 puts each file into a bucket of an S3-compatible object store
	// with path-style addressing and AWS Signature Version 4, signing the
	// real payload SHA-256 and sending Content-MD5, so the server checks
	// the bytes; the returned ETag must be the MD5 too.
	S3
)

// String returns "put", "post" or "s3".
func (k Kind) String() string {
	switch k {
	case PUT:
		return "put"
	case POST:
		return "post"
	case S3:
		return "s3"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Destination is a storage server. It holds credentials: it lives only
// in memory (Options.Destinations), never in the queue's job files, and
// its String hides them.
type Destination struct {
	Kind Kind
	// URL is a template for PUT and POST: {id} {call_id} {line}
	// {direction} {from} {to} {start} {file} are replaced by the item's
	// values, escaped for where they stand (path or query). {start} is
	// UTC, 20060102T150405Z; {file} is the file's base name. For S3, URL
	// is the endpoint, "http://host:port".
	URL string
	// User and Password, if User is set, go as HTTP basic auth (PUT,
	// POST).
	User, Password string
	// Multipart makes POST send a multipart/form-data body: the item's
	// details as fields and the file as FileField ("file" if empty).
	Multipart bool
	FileField string

	// Bucket, Region, AccessKey and SecretKey address and sign S3.
	Bucket, Region, AccessKey, SecretKey string
	// Key is the object key template for S3, with the same placeholders
	// as URL, unescaped; empty means "{id}/{file}".
	Key string
}

// String describes the destination without credentials.
func (d Destination) String() string {
	if d.Kind == S3 {
		return fmt.Sprintf("s3 %s/%s (%s)", d.URL, d.Bucket, d.Region)
	}
	return d.Kind.String() + " " + d.URL
}

// Options configure a Queue. The zero value is usable once a destination
// is set: one upload at a time, backoff from 2 s to 10 min, no quota.
type Options struct {
	// Destinations are the servers by name; Item.Destination picks one.
	// SetDestinations replaces them while the queue runs.
	Destinations map[string]Destination
	// DeleteAfterUpload removes a job's files once the server confirmed
	// every one of them. Nothing is ever deleted before that.
	DeleteAfterUpload bool
	// MaxBytes is the quota for recordings the server has not confirmed
	// yet, plus reservations; 0 means no quota. See CanRecord.
	MaxBytes int64
	// Concurrency is how many jobs upload at once; 0 means 1.
	Concurrency int
	// MinBackoff and MaxBackoff bound the wait before retrying a failed
	// job: MinBackoff doubled per failed try, capped at MaxBackoff, then
	// jittered down by up to half. 0 means 2 s and 10 min.
	MinBackoff, MaxBackoff time.Duration
	// MaxTries fails a job after this many failed tries; 0 means retry
	// forever (a recording is never given up on by itself).
	MaxTries int
	// AttemptTimeout bounds one file's upload; 0 means 10 min.
	AttemptTimeout time.Duration
	// Client sends the requests (TLS settings, proxies); nil means a
	// client with Go's default transport.
	Client *http.Client
	// Clock times retries; nil means hal.SystemClock.
	Clock hal.Clock
	// Rand returns numbers in [0, 1) for jitter; nil means math/rand/v2.
	// It is called with the queue's lock held.
	Rand func() float64
	// Logger gets a line per upload, failure and deletion; nil means
	// slog.Default().
	Logger *slog.Logger
}

func (o *Options) fill() {
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 10 * time.Minute
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Clock == nil {
		o.Clock = hal.SystemClock{}
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// backoff returns the wait after the tries-th failed try.
func (o *Options) backoff(tries int) time.Duration {
	d := o.MinBackoff
	for i := 1; i < tries && d < o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.MaxBackoff)
	return d/2 + time.Duration(o.Rand()*float64(d/2))
}

// Expand fills a URL template with item's values for file: in the path
// they are path-escaped, after '?' query-escaped. It is what PUT and POST
// destinations send to.
func Expand(template string, item Item, file string) string {
	q := strings.IndexByte(template, '?')
	if q < 0 {
		return expand(template, item, file, url.PathEscape)
	}
	return expand(template[:q], item, file, url.PathEscape) + "?" + expand(template[q+1:], item, file, url.QueryEscape)
}

func expand(t string, item Item, file string, esc func(string) string) string {
	return strings.NewReplacer(
		"{id}", esc(item.ID),
		"{call_id}", esc(item.CallID),
		"{line}", esc(strconv.Itoa(item.Line)),
		"{direction}", esc(item.Direction),
		"{from}", esc(item.From),
		"{to}", esc(item.To),
		"{start}", esc(item.Start.UTC().Format("20060102T150405Z")),
		"{file}", esc(file),
	).Replace(t)
}
