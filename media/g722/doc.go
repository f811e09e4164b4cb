// Package g722 is the ITU-T G.722 wideband speech codec: 16 kHz 16-bit
// linear PCM in, 64 kbit/s sub-band ADPCM out, and back. It is written in
// the project from the Recommendation's fixed-point algorithm (G.722
// 11/88, 09/2012); no third-party code is used.
//
// The common path is one Encoder and one Decoder per call leg, one call
// each per 20 ms frame:
//
//	enc := g722.NewEncoder()
//	dec, _ := g722.NewDecoder(g722.Mode1)
//	n := enc.Encode(payload[:g722.FrameBytes], pcm[:g722.FrameSamples]) // 160 octets
//	m := dec.Decode(pcm[:g722.FrameSamples], payload[:n])               // 320 samples
//
// Encode and Decode work in the caller's buffers and never allocate. Both
// types hold per-stream state (filter delay lines, adaptive predictors and
// scale factors), so they are not safe for concurrent use, and a stream
// that restarts (a new call, a re-INVITE to another source) should be
// Reset.
//
// Inside, each pair of input samples goes through the 24-tap transmit QMF
// (analyse), which splits 0–4 kHz and 4–8 kHz into two 8 kHz sub-bands.
// The lower band is coded with a 6-bit adaptive quantiser, the higher band
// with a 2-bit one; both use a backward-adaptive pole-zero predictor (two
// poles, six zeros, sign-sign adaptation with leakage) and a logarithmic
// scale factor (blocks 1L–6L and 1H–6H of the Recommendation, in
// encoder.go, decoder.go and adpcm.go). One octet, IH in the two most
// significant bits and IL in the six least, carries each pair. The
// Decoder mirrors this and recombines the bands with the receive QMF.
//
// The Decoder also reads the 56 and 48 kbit/s modes (Mode2, Mode3), in
// which the low one or two bits of each octet carry auxiliary data; the
// Encoder always writes Mode1.
//
// For RTP (RFC 3551) G.722 is static payload type 9 with an RTP clock of
// 8000 Hz although it samples at 16 kHz: see RTPClockRate. A 20 ms frame
// is 320 samples, 160 octets and 160 timestamp units.
//
// The SB-ADPCM core is bit-exact with the Recommendation: the tests run
// ITU's Appendix II digital test sequences when they are supplied (see
// itu_test.go; they are ITU's and not redistributed here). The QMFs follow
// ITU's reference code, which limits the analysis output to 15 bits and
// saturates the synthesis output to 16. Tests check the whole codec against
// FFmpeg's independent implementation in both directions: identical
// octets and samples, except that FFmpeg's encoder skips that 15-bit limit
// and so differs on near-full-scale input.
package g722
