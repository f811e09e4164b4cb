package prompt

import (
	"context"
	"encoding/binary"
	"fmt"

	"ccphone/media/g711"
)

// WAV format codes this package plays.
const (
	wavePCM        = 1
	waveALaw       = 6
	waveMuLaw      = 7
	waveExtensible = 0xfffe
)

type wavFormat struct {
	code     int
	channels int
	rate     int
	bits     int
	align    int
}

// decodeWAV plays RIFF WAVE files: 16-bit or 8-bit PCM, µ-law or A-law
// (as Asterisk and most phone systems keep prompts), mono or stereo, at
// 8000..48000 Hz.
func decodeWAV(ctx context.Context, data []byte, rate int) (*Clip, error) {
	f, pcm, err := parseWAV(data)
	if err != nil {
		return nil, fmt.Errorf("prompt: wav: %w", err)
	}
	frames := len(pcm) / f.align
	b, err := newBuilder(ctx, f.rate, rate, frames)
	if err != nil {
		return nil, fmt.Errorf("prompt: wav: %w", err)
	}
	if frames > b.maxKept {
		return nil, fmt.Errorf("prompt: wav: %w: %v, at most %v", ErrTooLong, samplesDuration(frames, f.rate), MaxDuration)
	}
	var mono [1024]int16
	for len(pcm) >= f.align {
		k := min(len(mono), len(pcm)/f.align)
		for i := range k {
			s := pcm[i*f.align:]
			var v int32
			for c := range f.channels {
				v += int32(sampleAt(f, s, c))
			}
			mono[i] = int16(v / int32(f.channels))
		}
		pcm = pcm[k*f.align:]
		if err := b.add(mono[:k]); err != nil {
			return nil, fmt.Errorf("prompt: wav: %w", err)
		}
	}
	clip, err := b.finish()
	if err != nil {
		return nil, fmt.Errorf("prompt: wav: %w", err)
	}
	return clip, nil
}

func sampleAt(f wavFormat, frame []byte, c int) int16 {
	switch {
	case f.code == wavePCM && f.bits == 16:
		return int16(binary.LittleEndian.Uint16(frame[2*c:]))
	case f.code == wavePCM: // 8-bit, unsigned
		return int16(int(frame[c])-128) << 8
	case f.code == waveMuLaw:
		return g711.UlawToLinear(frame[c])
	default:
		return g711.AlawToLinear(frame[c])
	}
}

// parseWAV finds the format and the sample data of a RIFF WAVE file.
func parseWAV(data []byte) (wavFormat, []byte, error) {
	var f wavFormat
	haveFmt := false
	p := 12
	for p+8 <= len(data) {
		id := string(data[p : p+4])
		size := int64(binary.LittleEndian.Uint32(data[p+4:]))
		body := data[p+8:]
		switch id {
		case "fmt ":
			if size < 16 || int64(len(body)) < size {
				return f, nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrCorrupt, size)
			}
			f = wavFormat{
				code:     int(binary.LittleEndian.Uint16(body)),
				channels: int(binary.LittleEndian.Uint16(body[2:])),
				rate:     int(binary.LittleEndian.Uint32(body[4:])),
				align:    int(binary.LittleEndian.Uint16(body[12:])),
				bits:     int(binary.LittleEndian.Uint16(body[14:])),
			}
			if f.code == waveExtensible && size >= 26 {
				f.code = int(binary.LittleEndian.Uint16(body[24:])) // sub-format GUID's first two bytes
			}
			if err := checkWAVFormat(f); err != nil {
				return f, nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return f, nil, fmt.Errorf("%w: data before fmt chunk", ErrCorrupt)
			}
			n := int64(len(body))
			switch {
			case size == 0 || size == 0xffffffff: // written while streaming: to the end
			case size > n:
				return f, nil, fmt.Errorf("%w: truncated: data chunk says %d bytes, %d present", ErrCorrupt, size, n)
			default:
				n = size
			}
			return f, body[:n], nil
		}
		if size > int64(len(body)) {
			return f, nil, fmt.Errorf("%w: truncated in chunk %q", ErrCorrupt, id)
		}
		p += 8 + int(size) + int(size&1)
	}
	if !haveFmt {
		return f, nil, fmt.Errorf("%w: no fmt chunk", ErrCorrupt)
	}
	return f, nil, fmt.Errorf("%w: no data chunk", ErrEmpty)
}

func checkWAVFormat(f wavFormat) error {
	switch {
	case f.channels < 1 || f.channels > 2:
		return fmt.Errorf("%w: WAV with %d channels (mono or stereo only)", ErrUnsupported, f.channels)
	case f.rate < 8000 || f.rate > 48000:
		return fmt.Errorf("%w: WAV at %d Hz (8000..48000)", ErrUnsupported, f.rate)
	}
	want := 0
	switch {
	case f.code == wavePCM && (f.bits == 16 || f.bits == 8):
		want = f.bits / 8
	case (f.code == waveMuLaw || f.code == waveALaw) && f.bits == 8:
		want = 1
	default:
		return fmt.Errorf("%w: WAV format %d with %d-bit samples (16- or 8-bit PCM, µ-law or A-law only)", ErrUnsupported, f.code, f.bits)
	}
	if f.align != want*f.channels {
		return fmt.Errorf("%w: WAV block align %d, want %d", ErrCorrupt, f.align, want*f.channels)
	}
	return nil
}
