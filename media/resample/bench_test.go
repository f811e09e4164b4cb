package resample

import (
	"fmt"
	"testing"
)

// BenchmarkFrame resamples one 20 ms frame per iteration.
func BenchmarkFrame(b *testing.B) {
	for _, c := range [][2]int{{8000, 48000}, {48000, 8000}, {8000, 44100}, {44100, 8000}, {16000, 48000}, {48000, 16000}, {44100, 16000}} {
		b.Run(fmt.Sprintf("%d-%d", c[0], c[1]), func(b *testing.B) {
			r, err := New(c[0], c[1])
			if err != nil {
				b.Fatal(err)
			}
			in := sine(c[0], 1000, c[0]/50, 10000)
			out := make([]int16, c[1]/50+8)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r.Process(out, in)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(44100, 8000); err != nil {
			b.Fatal(err)
		}
	}
}
