package prompt

import (
	"context"
	"fmt"
	"net/url"
)

// FetchFunc gets the file at url; provisioning's Fetcher does it for
// HTTP(S), TFTP and file URLs. It should refuse files over MaxFileSize
// itself, so a wrong URL cannot fill the phone's memory.
type FetchFunc func(ctx context.Context, url string) ([]byte, error)

// Load fetches an MP3 or WAV file (a provisioned ringtone) and decodes it
// as Decode does, to a clip at rate Hz. It fails with ErrTooLarge for more
// than MaxFileSize bytes, with the fetch's error, or as Decode fails; the
// error names the URL (without its password). It stops when ctx ends and
// is safe for concurrent use; call it outside the media engine's
// goroutine.
func Load(ctx context.Context, fetch FetchFunc, rawURL string, rate int) (*Clip, error) {
	name := redact(rawURL)
	if err := checkRate(rate); err != nil {
		return nil, fmt.Errorf("prompt: load %s: %w", name, err)
	}
	data, err := fetch(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("prompt: load %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("prompt: load %s: %w: %d bytes, at most %d", name, ErrTooLarge, len(data), MaxFileSize)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("prompt: load %s: %w", name, err)
	}
	clip, err := decodeBytes(ctx, data, rate)
	if err != nil {
		return nil, fmt.Errorf("prompt: load %s: %w", name, err)
	}
	return clip, nil
}

// redact drops user information from a URL for errors and logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}
