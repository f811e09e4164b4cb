package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ccphone/media/g711"
)

// playbackBuffer is how much decoded audio a Player keeps ahead of the
// media clock: enough to ride out a slow disk, small enough for the
// phone's memory whatever the recording's length.
const playbackBuffer = 2 * time.Second

// Player plays a finished recording (all its segments, in order, both
// channels mixed down to mono) at the media engine's rate, however long
// it is: a goroutine reads and decodes the files a little ahead, so Add
// never waits for the disk and the memory used does not grow with the
// recording. It is a media.ClipPlayer. Add belongs to one goroutine (the
// engine's); Stop and Err are safe from any goroutine.
type Player struct {
	rate int // the engine's samples per second

	mu     sync.Mutex
	ring   []int16 // decoded mono samples at rate
	rd, wr int64   // samples taken by Add and put by the reader, ever
	eof    bool    // the reader has put everything
	err    error   // why the reader stopped early
	space  *sync.Cond
	stop   bool
	closed chan struct{} // the reader has returned
}

// Play starts playing m at rate samples per second (8000 or 16000). Every
// segment must exist: Play fails (with fs.ErrNotExist for a recording
// deleted after its upload) before anything plays.
func Play(m Meta, rate int) (*Player, error) {
	if rate != 8000 && rate != 16000 {
		return nil, fmt.Errorf("%w: play at %d Hz", ErrOptions, rate)
	}
	files := make([]*os.File, 0, len(m.Segments))
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, s := range m.Segments {
		f, err := os.Open(filepath.Join(m.Dir, s.File))
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("record: play %s: %w", m.ID, err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("record: play %s: %w: no segments", m.ID, ErrNotWAV)
	}
	p := &Player{rate: rate, ring: make([]int16, int(playbackBuffer.Seconds()*float64(rate))), closed: make(chan struct{})}
	p.space = sync.NewCond(&p.mu)
	go func() {
		defer close(p.closed)
		defer closeAll()
		var err error
		for _, f := range files {
			if err = p.readSegment(f); err != nil {
				break
			}
		}
		p.mu.Lock()
		p.eof, p.err = true, err
		if errors.Is(err, errStopped) {
			p.err = nil
		}
		p.mu.Unlock()
	}()
	return p, nil
}

var errStopped = errors.New("record: playback stopped")

// Add mixes the next frame (len(mix) samples) into mix and reports
// whether more is to come. When the reader is behind it adds nothing
// this frame. It does not allocate.
func (p *Player) Add(mix []int32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop {
		return false
	}
	n := int64(len(mix))
	avail := p.wr - p.rd
	if avail < n && !p.eof {
		return true // the disk is slow: a frame of silence
	}
	take := min(avail, n)
	size := int64(len(p.ring))
	for i := int64(0); i < take; i++ {
		mix[i] += int32(p.ring[(p.rd+i)%size])
	}
	p.rd += take
	p.space.Signal()
	return !p.eof || p.wr > p.rd
}

// Stop ends the playback and waits for the reader to close the files.
func (p *Player) Stop() {
	p.mu.Lock()
	p.stop = true
	p.space.Broadcast()
	p.mu.Unlock()
	<-p.closed
}

// Err returns why the playback ended before the end of the recording
// (a damaged segment), once it has; nil otherwise.
func (p *Player) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// put hands decoded samples to Add, waiting for room.
func (p *Player) put(samples []int16) error {
	size := int64(len(p.ring))
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(samples) > 0 {
		for !p.stop && p.wr-p.rd >= size {
			p.space.Wait()
		}
		if p.stop {
			return errStopped
		}
		room := min(size-(p.wr-p.rd), int64(len(samples)))
		for i := int64(0); i < room; i++ {
			p.ring[(p.wr+i)%size] = samples[i]
		}
		p.wr += room
		samples = samples[room:]
	}
	return nil
}

// readSegment decodes one segment file into the ring.
func (p *Player) readSegment(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	head := make([]byte, min(st.Size(), maxHeader))
	if _, err := io.ReadFull(f, head); err != nil {
		return fmt.Errorf("record: play %s: %w", filepath.Base(f.Name()), err)
	}
	h, err := parseHeader(head, st.Size())
	if err != nil {
		return fmt.Errorf("record: play %s: %w", filepath.Base(f.Name()), err)
	}
	info := h.info
	var width int
	switch {
	case info.FormatTag == 1 && info.BitsPerSample == 16:
		width = 2
	case (info.FormatTag == 6 || info.FormatTag == 7) && info.BitsPerSample == 8:
		width = 1
	default:
		return fmt.Errorf("record: play %s: %w: format %d, %d bits", filepath.Base(f.Name()), ErrNotWAV, info.FormatTag, info.BitsPerSample)
	}
	if info.SampleRate != 8000 && info.SampleRate != 16000 || info.BlockAlign != width*info.Channels {
		return fmt.Errorf("record: play %s: %w: %d Hz, block %d", filepath.Base(f.Name()), ErrNotWAV, info.SampleRate, info.BlockAlign)
	}
	data := min(int64(h.data), st.Size()-info.DataOffset)
	if _, err := f.Seek(info.DataOffset, io.SeekStart); err != nil {
		return err
	}
	r := io.LimitReader(f, data-data%int64(info.BlockAlign))
	const chunkFrames = 1600 // 0.1 s at 16 kHz
	buf := make([]byte, chunkFrames*info.BlockAlign)
	mono := make([]int16, chunkFrames)
	out := make([]int16, 0, 2*chunkFrames)
	var prev int16 // the last sample, for doubling the rate
	for {
		n, err := io.ReadFull(r, buf)
		frames := n / info.BlockAlign
		for i := range frames {
			var sum int32
			for c := range info.Channels {
				sum += int32(sample(buf[i*info.BlockAlign+c*width:], info.FormatTag))
			}
			mono[i] = int16(sum / int32(info.Channels))
		}
		out = out[:0]
		switch {
		case info.SampleRate == p.rate:
			out = append(out, mono[:frames]...)
		case info.SampleRate > p.rate: // 16 kHz to 8 kHz: average pairs
			for i := 0; i+1 < frames; i += 2 {
				out = append(out, int16((int32(mono[i])+int32(mono[i+1]))/2))
			}
		default: // 8 kHz to 16 kHz: interpolate
			for _, v := range mono[:frames] {
				out = append(out, int16((int32(prev)+int32(v))/2), v)
				prev = v
			}
		}
		if perr := p.put(out); perr != nil {
			return perr
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return nil
		case err != nil:
			return fmt.Errorf("record: play %s: %w", filepath.Base(f.Name()), err)
		}
	}
}

// sample decodes one sample of a WAV's data.
func sample(b []byte, tag int) int16 {
	switch tag {
	case 6:
		return g711.AlawToLinear(b[0])
	case 7:
		return g711.UlawToLinear(b[0])
	}
	return int16(binary.LittleEndian.Uint16(b))
}
