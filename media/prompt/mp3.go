package prompt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	mp3 "github.com/hajimehoshi/go-mp3"
)

// decoderDelay is the delay of the standard MP3 synthesis filterbank, in
// samples: the figure LAME's gapless information assumes.
const decoderDelay = 529

// mp3Header is what the phone needs of an MPEG audio frame header.
type mp3Header struct {
	version   int // 1, 2, or 25 for MPEG 2.5
	layer     int // 1..3
	rate      int // Hz
	mono      bool
	length    int // bytes of the frame, header included
	perFrame  int // samples per channel
	sideBytes int // Layer III side information after the header
}

var (
	bitratesV1L3 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1}
	bitratesV2L3 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1}
	ratesV1      = [4]int{44100, 48000, 32000, 0}
)

// parseMP3Header reads a frame header at b; ok is false when b does not
// start with one. Layer I/II headers parse (for a clear error) without a
// length.
func parseMP3Header(b []byte) (h mp3Header, ok bool) {
	if len(b) < 4 || b[0] != 0xff || b[1]&0xe0 != 0xe0 {
		return h, false
	}
	switch (b[1] >> 3) & 3 {
	case 3:
		h.version = 1
	case 2:
		h.version = 2
	case 0:
		h.version = 25
	default:
		return h, false
	}
	h.layer = 4 - int((b[1]>>1)&3)
	if h.layer == 4 {
		return h, false
	}
	brIndex, srIndex, pad := b[2]>>4, (b[2]>>2)&3, int(b[2]>>1)&1
	if brIndex == 15 || srIndex == 3 {
		return h, false
	}
	h.rate = ratesV1[srIndex]
	switch h.version {
	case 2:
		h.rate /= 2
	case 25:
		h.rate /= 4
	}
	h.mono = b[3]>>6 == 3
	if h.layer != 3 {
		return h, true
	}
	br := bitratesV1L3[brIndex]
	h.perFrame, h.sideBytes = 1152, 32
	if h.mono {
		h.sideBytes = 17
	}
	if h.version != 1 {
		br = bitratesV2L3[brIndex]
		h.perFrame, h.sideBytes = 576, 17
		if h.mono {
			h.sideBytes = 9
		}
	}
	if br > 0 { // 0 is free format: length unknown
		h.length = h.perFrame/8*br*1000/h.rate + pad
	}
	return h, true
}

// skipID3v2 returns the offset after an ID3v2 tag at the start of b.
func skipID3v2(b []byte) int {
	if len(b) < 10 || !bytes.Equal(b[:3], []byte("ID3")) {
		return 0
	}
	size := int(b[6]&0x7f)<<21 | int(b[7]&0x7f)<<14 | int(b[8]&0x7f)<<7 | int(b[9]&0x7f)
	n := 10 + size
	if b[5]&0x10 != 0 { // footer
		n += 10
	}
	return min(n, len(b))
}

func looksLikeMP3(b []byte) bool {
	if len(b) >= 3 && bytes.Equal(b[:3], []byte("ID3")) {
		return true
	}
	_, ok := parseMP3Header(b)
	return ok
}

// mp3Info is what a walk over a file's frames found.
type mp3Info struct {
	first mp3Header
	// gapless trimming from a Xing/Info tag with LAME's extension:
	tagged       bool
	frames       int // audio frames, the tag's own frame not counted
	delay, pad   int // encoder delay and padding, samples
	streamBytes  int // bytes from the tag frame on, per the tag (0: unknown)
	tagFrameUsed bool
}

// scanMP3 checks the frame structure: the first frame must be Layer III
// MPEG 1 or 2, and the last frame must not be cut short. It reads the
// gapless information LAME (and ffmpeg) write into the first frame.
func scanMP3(data []byte) (mp3Info, error) {
	var info mp3Info
	start := skipID3v2(data)
	// Tolerate a little junk before the first frame.
	off := start
	for ; off < len(data) && off < start+4096; off++ {
		if h, ok := parseMP3Header(data[off:]); ok && (h.layer != 3 || h.length > 0) {
			break
		}
	}
	h, ok := parseMP3Header(data[min(off, len(data)):])
	if !ok {
		return info, fmt.Errorf("%w: no MPEG audio frame found", ErrCorrupt)
	}
	info.first = h
	switch {
	case h.layer != 3:
		return info, fmt.Errorf("%w: MPEG layer %d audio (only MP3, layer III, is played)", ErrUnsupported, h.layer)
	case h.version == 25:
		return info, fmt.Errorf("%w: MPEG 2.5 MP3 at %d Hz (re-encode at 16000 Hz or more, or use WAV)", ErrUnsupported, h.rate)
	}
	readTag(data[off:], h, &info)
	// Walk the frames; a frame header whose frame runs past the end of the
	// data means the file was cut short.
	frames := 0
	for p := off; p+4 <= len(data); {
		fh, ok := parseMP3Header(data[p:])
		if !ok || fh.layer != 3 || fh.length == 0 || fh.rate != h.rate {
			break // trailing tags (ID3v1 "TAG", APE) or junk end the audio
		}
		if p+fh.length > len(data) {
			return info, fmt.Errorf("%w: truncated: frame %d at byte %d needs %d bytes, %d left", ErrCorrupt, frames+1, p, fh.length, len(data)-p)
		}
		p += fh.length
		frames++
	}
	if info.streamBytes > 0 && off+info.streamBytes > len(data) {
		return info, fmt.Errorf("%w: truncated: %d bytes of MPEG audio, the file's header says %d", ErrCorrupt, len(data)-off, info.streamBytes)
	}
	if info.tagged && frames < info.frames+1 {
		return info, fmt.Errorf("%w: truncated: %d frames, the file's header says %d", ErrCorrupt, frames-1, info.frames)
	}
	return info, nil
}

// readTag reads a Xing/Info tag with a LAME extension from the first
// frame, if there is one.
func readTag(frame []byte, h mp3Header, info *mp3Info) {
	p := 4 + h.sideBytes
	if len(frame) < p+8 || h.length < p+8 {
		return
	}
	id := string(frame[p : p+4])
	if id != "Xing" && id != "Info" {
		return
	}
	flags := binary.BigEndian.Uint32(frame[p+4:])
	q := p + 8
	frames, bytesCount := -1, 0
	if flags&1 != 0 {
		if len(frame) < q+4 {
			return
		}
		frames = int(binary.BigEndian.Uint32(frame[q:]))
		q += 4
	}
	if flags&2 != 0 {
		if len(frame) < q+4 {
			return
		}
		bytesCount = int(binary.BigEndian.Uint32(frame[q:]))
		q += 4
	}
	if flags&4 != 0 {
		q += 100
	}
	if flags&8 != 0 {
		q += 4
	}
	if bytesCount > 0 && bytesCount <= MaxFileSize {
		info.streamBytes = bytesCount
	}
	// LAME extension: encoder name (9 bytes) ... delay and padding as two
	// 12-bit numbers at +21.
	if frames < 0 || len(frame) < q+24 || h.length < q+24 {
		return
	}
	enc := string(frame[q : q+4])
	if enc != "LAME" && enc != "Lavf" && enc != "Lavc" {
		return
	}
	d := frame[q+21:]
	delay := int(d[0])<<4 | int(d[1])>>4
	pad := int(d[1]&15)<<8 | int(d[2])
	if total := frames * h.perFrame; frames > 0 && delay+pad < total && total <= maxSamples(h.rate)+2*h.perFrame {
		info.tagged, info.frames, info.delay, info.pad = true, frames, delay, pad
	}
}

// decodeMP3 decodes with go-mp3 (s16le stereo at the file's rate).
func decodeMP3(ctx context.Context, data []byte, rate int) (*Clip, error) {
	info, err := scanMP3(data)
	if err != nil {
		return nil, err
	}
	var clip *Clip
	err = guard(func() error {
		d, err := mp3.NewDecoder(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if d.SampleRate() != info.first.rate {
			return fmt.Errorf("%w: decoder sees %d Hz, first frame says %d Hz", ErrCorrupt, d.SampleRate(), info.first.rate)
		}
		total := int(d.Length() / 4)
		if d.Length() > 0 && total > maxSamples(d.SampleRate())+decoderDelay+2*info.first.perFrame {
			return fmt.Errorf("%w: %v, at most %v", ErrTooLong, samplesDuration(total, d.SampleRate()), MaxDuration)
		}
		b, err := newBuilder(ctx, d.SampleRate(), rate, total)
		if err != nil {
			return err
		}
		if info.tagged {
			// go-mp3 plays the tag's frame as silence; LAME's delay and the
			// decoder's own delay come next. What is left is the audio.
			b.skip = info.first.perFrame + info.delay + decoderDelay
			b.keep = info.frames*info.first.perFrame - info.delay - info.pad
		}
		var buf [4 * 1152]byte
		var mono [1152]int16
		for {
			n, err := io.ReadFull(d, buf[:])
			k := n / 4
			for i := range k {
				l := int32(int16(binary.LittleEndian.Uint16(buf[4*i:])))
				r := int32(int16(binary.LittleEndian.Uint16(buf[4*i+2:])))
				mono[i] = int16((l + r) >> 1)
			}
			if aerr := b.add(mono[:k]); aerr != nil {
				return aerr
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
		}
		clip, err = b.finish()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("prompt: mp3: %w", err)
	}
	return clip, nil
}

// guard runs f and turns a panic inside the third-party decoder (a bad
// index on hostile input) into ErrCorrupt, so a bad ringtone file can
// never take the phone down.
func guard(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: decoder failed: %v", ErrCorrupt, v)
		}
	}()
	return f()
}
