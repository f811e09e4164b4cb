package prompt

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"ccphone/media/resample"
)

// Decode reads an MP3 or WAV file from r (at most MaxFileSize bytes) and
// returns its audio as a mono clip at rate Hz: the phone's 8000 or
// 16000 (any rate from 8000 to 48000 works). Stereo is mixed down by
// averaging the channels; other rates are converted with media/resample.
// The format is recognised from the data, not a name.
//
// Errors wrap ErrFormat, ErrUnsupported, ErrCorrupt (a damaged or
// truncated file), ErrTooLarge, ErrTooLong, ErrEmpty or ErrRate, or the
// error of r. Decode is safe for concurrent use; it holds the file and the
// clip in memory, nothing more.
func Decode(r io.Reader, rate int) (*Clip, error) {
	if err := checkRate(rate); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("prompt: read: %w", err)
	}
	return decodeBytes(context.Background(), data, rate)
}

// decodeBytes decodes a whole file held in memory, checking ctx now and
// then.
func decodeBytes(ctx context.Context, data []byte, rate int) (*Clip, error) {
	if err := checkRate(rate); err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxFileSize)
	}
	switch {
	case len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WAVE")):
		return decodeWAV(ctx, data, rate)
	case looksLikeMP3(data):
		return decodeMP3(ctx, data, rate)
	}
	return nil, fmt.Errorf("%w (starts with % x)", ErrFormat, data[:min(len(data), 8)])
}

// builder turns mono source samples into a clip: it drops the first skip
// samples, keeps at most keep (when keep >= 0), resamples and enforces
// MaxDuration.
type builder struct {
	ctx     context.Context
	rs      *resample.Resampler
	inRate  int
	rate    int
	out     []int16
	skip    int
	keep    int // -1: all
	kept    int
	chunks  int
	maxKept int
}

func newBuilder(ctx context.Context, inRate, rate, expect int) (*builder, error) {
	rs, err := resample.New(inRate, rate)
	if err != nil {
		return nil, fmt.Errorf("%w: %d Hz audio: %w", ErrUnsupported, inRate, err)
	}
	b := &builder{ctx: ctx, rs: rs, inRate: inRate, rate: rate, keep: -1,
		maxKept: int(int64(MaxDuration) * int64(inRate) / 1e9)}
	if expect > 0 && expect <= b.maxKept {
		b.out = make([]int16, 0, rs.OutLen(expect)+rs.OutLen(rs.Latency())+8)
	}
	return b, nil
}

// add takes the next mono source samples.
func (b *builder) add(src []int16) error {
	if b.chunks++; b.chunks%64 == 0 {
		if err := b.ctx.Err(); err != nil {
			return fmt.Errorf("prompt: decode: %w", err)
		}
	}
	if b.skip > 0 {
		k := min(b.skip, len(src))
		src, b.skip = src[k:], b.skip-k
	}
	if b.keep >= 0 {
		src = src[:min(len(src), b.keep-b.kept)]
	}
	b.kept += len(src)
	if b.kept > b.maxKept {
		return fmt.Errorf("%w: more than %v", ErrTooLong, MaxDuration)
	}
	b.push(src)
	return nil
}

func (b *builder) push(src []int16) {
	for len(src) > 0 {
		if len(b.out) == cap(b.out) {
			b.out = append(b.out, 0)[:len(b.out)] // grow
		}
		n, used := b.rs.Process(b.out[len(b.out):cap(b.out)], src)
		b.out = b.out[:len(b.out)+n]
		src = src[used:]
	}
}

// finish flushes the resampler and returns the clip.
func (b *builder) finish() (*Clip, error) {
	if b.kept == 0 {
		return nil, fmt.Errorf("%w: the file holds no samples", ErrEmpty)
	}
	var zeros [256]int16
	for left := b.rs.Latency(); left > 0; {
		k := min(left, len(zeros))
		b.push(zeros[:k])
		left -= k
	}
	n := min(len(b.out), b.rs.OutLen(b.kept))
	return &Clip{rate: b.rate, samples: b.out[:n:n]}, nil
}
