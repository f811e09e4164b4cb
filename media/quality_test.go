package media

import (
	"math"
	"testing"
	"time"

	"ccphone/media/sdpneg"
)

func TestEModel(t *testing.T) {
	for _, tt := range []struct {
		name   string
		delay  time.Duration
		loss   float64
		r, mos float64
	}{
		{"perfect", 0, 0, 93.2, 4.41},
		{"jitter buffer and packing", 60 * time.Millisecond, 0, 91.76, 4.38},
		{"10 % loss", 90 * time.Millisecond, 10, 63.97, 3.30},
		{"long delay", 300 * time.Millisecond, 0, 72.50, 3.71},
		{"all lost", 0, 100, 17.26, 1.18},
		{"worse than nothing", 2 * time.Second, 100, 0, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, mos := EModel(sdpneg.PCMU, tt.delay, tt.loss)
			if math.Abs(r-tt.r) > 0.01 || math.Abs(mos-tt.mos) > 0.01 {
				t.Errorf("R %.2f MOS %.2f, want %.2f and %.2f", r, mos, tt.r, tt.mos)
			}
		})
	}
}

func TestReceiverStats(t *testing.T) {
	var r receiverStats
	seq := uint16(65530)
	for i := range 20 { // wraps; every fifth lost
		if i%5 != 4 {
			r.update(7, seq)
		}
		seq++
	}
	fraction, lost := r.interval()
	if lost != 3 || fraction != 3*256/19 || r.extendedMax() != 1<<16+65530+18-65536 {
		t.Errorf("lost %d, fraction %d, max %d", lost, fraction, r.extendedMax())
	}
	if f, l := r.interval(); f != 0 || l != 3 {
		t.Errorf("empty interval: fraction %d, lost %d", f, l)
	}
	r.update(8, 100) // another source starts over
	if f, l := r.interval(); f != 0 || l != 0 || r.ssrc != 8 {
		t.Errorf("new source: fraction %d, lost %d", f, l)
	}
}
