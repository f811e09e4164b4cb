package record

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"
)

// WAV format tags written in the fmt chunk.
const (
	tagPCM  = 1
	tagAlaw = 6
	tagUlaw = 7
)

// wavLayout says where the sizes live in a header this package wrote.
type wavLayout struct {
	header  []byte // the header with zero sizes
	factOff int    // offset of the fact chunk's sample count, 0 if none
	dataOff int    // offset of the first audio byte
	block   int    // bytes per sample frame (all channels)
}

// newWAVLayout builds the header for format f with the given channels and
// sample rate. PCM gets the canonical 44-byte header; G.711 gets an
// 18-byte fmt chunk (cbSize 0) and a fact chunk, as the WAVE spec wants
// for non-PCM formats, 58 bytes in all.
func newWAVLayout(f Format, channels, rate int) wavLayout {
	tag, bits := tagPCM, 16
	switch f {
	case Ulaw:
		tag, bits = tagUlaw, 8
	case Alaw:
		tag, bits = tagAlaw, 8
	}
	block := channels * bits / 8
	var h []byte
	le := binary.LittleEndian
	h = append(h, "RIFF\x00\x00\x00\x00WAVEfmt "...)
	fmtSize := 16
	if tag != tagPCM {
		fmtSize = 18
	}
	h = le.AppendUint32(h, uint32(fmtSize))
	h = le.AppendUint16(h, uint16(tag))
	h = le.AppendUint16(h, uint16(channels))
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(rate*block))
	h = le.AppendUint16(h, uint16(block))
	h = le.AppendUint16(h, uint16(bits))
	l := wavLayout{block: block}
	if tag != tagPCM {
		h = le.AppendUint16(h, 0) // cbSize
		h = append(h, "fact"...)
		h = le.AppendUint32(h, 4)
		l.factOff = len(h)
		h = le.AppendUint32(h, 0)
	}
	h = append(h, "data\x00\x00\x00\x00"...)
	l.header = h
	l.dataOff = len(h)
	return l
}

// sizes fills the three size fields for dataBytes of audio into dst,
// which must be at least dataOff long, as they belong in the header.
func (l wavLayout) putSizes(dst []byte, dataBytes int64) {
	le := binary.LittleEndian
	le.PutUint32(dst[4:], uint32(int64(l.dataOff)-8+dataBytes+dataBytes&1))
	le.PutUint32(dst[l.dataOff-4:], uint32(dataBytes))
	if l.factOff != 0 {
		le.PutUint32(dst[l.factOff:], uint32(dataBytes/int64(l.block)))
	}
}

// Info describes a WAV file as Repair found (and left) it. It is a plain
// value.
type Info struct {
	FormatTag     int   // 1 PCM, 6 A-law, 7 µ-law
	Channels      int   // 1 or 2
	SampleRate    int   // samples per second per channel
	BitsPerSample int   // 16 for PCM, 8 for G.711
	BlockAlign    int   // bytes per sample frame, all channels
	DataOffset    int64 // offset of the first audio byte
	DataBytes     int64 // audio bytes, a whole number of sample frames
	// Repaired reports whether Repair changed the file.
	Repaired bool
	// Truncated is how many bytes of a partial last sample frame (or
	// anything after the data chunk) Repair cut off.
	Truncated int64
}

// Frames returns the number of sample frames (samples per channel).
func (i Info) Frames() int64 {
	if i.BlockAlign == 0 {
		return 0
	}
	return i.DataBytes / int64(i.BlockAlign)
}

// Duration returns the length of the audio.
func (i Info) Duration() time.Duration {
	if i.SampleRate == 0 {
		return 0
	}
	return time.Duration(i.Frames()) * time.Second / time.Duration(i.SampleRate)
}

// maxHeader bounds how far Repair looks for the data chunk.
const maxHeader = 4096

// parsed is what parseHeader finds in a file's first bytes.
type parsed struct {
	info    Info
	factOff int64 // offset of the fact sample count, 0 if none
	riff    uint32
	data    uint32 // the data chunk's size as written
	fact    uint32
}

// parseHeader walks the RIFF chunks in head (the file's first bytes; the
// file is size bytes long) up to the data chunk.
func parseHeader(head []byte, size int64) (parsed, error) {
	le := binary.LittleEndian
	var p parsed
	if len(head) < 12 || string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" {
		return p, fmt.Errorf("%w: no RIFF/WAVE header", ErrNotWAV)
	}
	p.riff = le.Uint32(head[4:])
	haveFmt := false
	off := int64(12)
	for {
		if off+8 > int64(len(head)) {
			return p, fmt.Errorf("%w: no data chunk in the first %d bytes", ErrNotWAV, len(head))
		}
		id := string(head[off : off+4])
		n := int64(le.Uint32(head[off+4:]))
		body := off + 8
		if id == "data" {
			if !haveFmt {
				return p, fmt.Errorf("%w: data chunk before fmt chunk", ErrNotWAV)
			}
			p.data = uint32(n)
			p.info.DataOffset = body
			return p, nil
		}
		if body+n > int64(len(head)) || body+n > size {
			return p, fmt.Errorf("%w: %q chunk runs past the header", ErrNotWAV, id)
		}
		switch id {
		case "fmt ":
			if n < 16 {
				return p, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, n)
			}
			c := head[body:]
			p.info.FormatTag = int(le.Uint16(c[0:]))
			p.info.Channels = int(le.Uint16(c[2:]))
			p.info.SampleRate = int(le.Uint32(c[4:]))
			p.info.BlockAlign = int(le.Uint16(c[12:]))
			p.info.BitsPerSample = int(le.Uint16(c[14:]))
			if p.info.BlockAlign == 0 || p.info.Channels == 0 {
				return p, fmt.Errorf("%w: fmt chunk with zero block or channels", ErrNotWAV)
			}
			haveFmt = true
		case "fact":
			if n >= 4 {
				p.factOff = body
				p.fact = le.Uint32(head[body:])
			}
		}
		off = body + n + n&1
	}
}

// Repair makes the WAV file at path consistent with its length, as after
// a power cut while it was being written: the data chunk's size becomes
// all whole sample frames that follow the header, a partial last sample
// frame is cut off, and the RIFF size and any fact chunk follow. A file
// that is already consistent is left untouched (Info.Repaired is false),
// so Repair may run any number of times. The file is synced before
// Repair returns. Repair is safe for concurrent use on different files;
// nothing may write the file meanwhile.
func Repair(path string) (Info, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return Info{}, fmt.Errorf("record: repair %s: %w", path, err)
	}
	info, err := repairFile(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%w: %w", ErrWrite, cerr)
	}
	if err != nil {
		return info, fmt.Errorf("record: repair %s: %w", path, err)
	}
	return info, nil
}

func repairFile(f *os.File) (Info, error) {
	st, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	size := st.Size()
	head := make([]byte, min(size, maxHeader))
	if _, err := io.ReadFull(f, head); err != nil {
		return Info{}, err
	}
	p, err := parseHeader(head, size)
	if err != nil {
		return Info{}, err
	}
	info := p.info
	avail := size - info.DataOffset
	if avail < 0 {
		avail = 0
	}
	block := int64(info.BlockAlign)
	data := avail - avail%block
	// A finished file with an odd data size carries a pad byte.
	if d := int64(p.data); d%2 == 1 && d%block == 0 && avail == d+1 {
		data = d
	}
	if data > 0xFFFFFFFF-int64(info.DataOffset)-1 {
		data = (0xFFFFFFFF - int64(info.DataOffset) - 1) / block * block
	}
	info.DataBytes = data
	wantLen := info.DataOffset + data + data&1
	wantRIFF := uint32(wantLen - 8)
	wantFact := uint32(data / block)
	if size == wantLen && p.riff == wantRIFF && int64(p.data) == data && (p.factOff == 0 || p.fact == wantFact) {
		return info, nil
	}
	info.Repaired = true
	if size > wantLen {
		info.Truncated = size - wantLen
	}
	if err := f.Truncate(wantLen); err != nil {
		return info, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	le := binary.LittleEndian
	var b [4]byte
	put := func(off int64, v uint32) error {
		le.PutUint32(b[:], v)
		_, err := f.WriteAt(b[:], off)
		return err
	}
	if err := put(4, wantRIFF); err != nil {
		return info, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err := put(info.DataOffset-4, uint32(data)); err != nil {
		return info, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if p.factOff != 0 {
		if err := put(p.factOff, wantFact); err != nil {
			return info, fmt.Errorf("%w: %w", ErrWrite, err)
		}
	}
	if err := f.Sync(); err != nil {
		return info, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return info, nil
}
