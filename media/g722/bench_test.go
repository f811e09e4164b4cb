package g722

import "testing"

// The budget for G.722 in a call is 50 µs per 20 ms frame, encode and
// decode together.

func BenchmarkEncodeFrame(b *testing.B) {
	e := NewEncoder()
	pcm := chirp(100, 7500, 10000, FrameSamples)
	code := make([]byte, FrameBytes)
	b.ReportAllocs()
	for b.Loop() {
		e.Encode(code, pcm)
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	d, _ := NewDecoder(Mode1)
	_, code := roundTrip(chirp(100, 7500, 10000, FrameSamples), Mode1)
	pcm := make([]int16, FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		d.Decode(pcm, code)
	}
}
