package media

import (
	"ccphone/media/g711"
	"ccphone/media/g722"
	"ccphone/media/resample"
	"ccphone/media/sdpneg"
)

// legCodec turns a leg's frames at the engine's rate into its codec's
// payloads and back: G.711 at 8 kHz or G.722 at 16 kHz, resampled when
// the engine runs at the other rate. Its buffers and filters are made
// when the leg is added, so a tick allocates nothing, whatever the codec.
type legCodec struct {
	codec sdpneg.Codec // 0: none yet
	law   g711.Law
	enc   *g722.Encoder
	dec   *g722.Decoder
	// up and down convert 8 kHz to 16 kHz and back; toEngine and
	// fromEngine are the ones this codec needs at this engine rate, nil
	// when the rates match.
	up, down             *resample.Resampler
	toEngine, fromEngine *resample.Resampler
	pcm                  [MaxFrameSamples]int16 // a frame at the codec's rate
}

func newLegCodec() legCodec {
	dec, _ := g722.NewDecoder(g722.Mode1) // Mode1 is valid
	up, _ := resample.New(8000, 16000)    // the rates are within range
	down, _ := resample.New(16000, 8000)
	return legCodec{enc: g722.NewEncoder(), dec: dec, up: up, down: down}
}

// set chooses the codec for an engine running at rate; a change of codec
// starts its state and filters afresh.
func (c *legCodec) set(codec sdpneg.Codec, rate int) {
	if codec == c.codec {
		return
	}
	c.codec = codec
	c.law = g711.Ulaw
	if codec == sdpneg.PCMA {
		c.law = g711.Alaw
	}
	c.enc.Reset()
	c.dec.Reset()
	c.up.Reset()
	c.down.Reset()
	c.toEngine, c.fromEngine = nil, nil
	switch cr := codec.SampleRate(); {
	case cr < rate:
		c.toEngine, c.fromEngine = c.up, c.down
	case cr > rate:
		c.toEngine, c.fromEngine = c.down, c.up
	}
}

// valid reports whether a codec is set.
func (c *legCodec) valid() bool {
	return c.codec == sdpneg.PCMU || c.codec == sdpneg.PCMA || c.codec == sdpneg.G722
}

// samples returns the samples in one frame at the codec's rate.
func (c *legCodec) samples() int { return c.codec.SampleRate() / 50 }

// decode decodes payload into frame (one frame at the engine's rate).
func (c *legCodec) decode(frame []int16, payload []byte) {
	pcm := frame
	if c.toEngine != nil {
		pcm = c.pcm[:c.samples()]
	}
	var n int
	if c.codec == sdpneg.G722 {
		n = c.dec.Decode(pcm, payload)
	} else {
		n = c.law.Decode(pcm, payload)
	}
	clear(pcm[n:])
	if c.toEngine != nil {
		convert(c.toEngine, frame, pcm)
	}
}

// encode encodes frame (at the engine's rate) into dst and returns the
// payload's length.
func (c *legCodec) encode(dst []byte, frame []int16) int {
	pcm := frame
	if c.fromEngine != nil {
		pcm = c.pcm[:c.samples()]
		convert(c.fromEngine, pcm, frame)
	}
	if c.codec == sdpneg.G722 {
		return c.enc.Encode(dst, pcm)
	}
	return c.law.Encode(dst, pcm)
}

// resetReceive starts the receiving side afresh (a new source, hold).
func (c *legCodec) resetReceive() {
	c.dec.Reset()
	if c.toEngine != nil {
		c.toEngine.Reset()
	}
}

// convert resamples one frame src into the frame dst (2:1 or 1:2). The
// filter holds back Latency samples, so the first frame after a Reset
// comes out short: it is padded at the front with silence, which delays
// the stream by that much once, and every later frame comes out whole.
func convert(r *resample.Resampler, dst, src []int16) {
	n, _ := r.Process(dst, src)
	if n < len(dst) {
		copy(dst[len(dst)-n:], dst[:n])
		clear(dst[:len(dst)-n])
	}
}
