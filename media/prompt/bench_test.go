package prompt

import (
	"bytes"
	"testing"
)

func BenchmarkDecodeMP3(b *testing.B) {
	data := readTestdata(b, "tone1k_44100_stereo.mp3") // 1 s
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(data), 8000); err != nil {
			b.Fatal(err)
		}
	}
}
