package prompt

import (
	"math"
	"slices"
	"testing"
	"time"
)

// rampClip is 1, 2, ... n at 8 kHz: every sample says where it came from.
func rampClip(t testing.TB, n int) *Clip {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(i + 1)
	}
	c, err := NewClip(s, 8000)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// play reads frames of size until Read reports false (at most limit
// frames) and returns the samples of the frames that reported true.
func play(p *Player, size, limit int) (out []int16, frames int) {
	buf := make([]int16, size)
	for frames < limit && p.Read(buf) {
		out = append(out, buf...)
		frames++
	}
	return out, frames
}

func TestPlayerOnce(t *testing.T) {
	clip := rampClip(t, 400) // 2.5 frames
	p := NewPlayer(clip, false, time.Second)
	out, frames := play(p, 160, 100)
	if frames != 3 {
		t.Fatalf("%d frames, want 3", frames)
	}
	want := append(clip.Samples(), make([]int16, 80)...)
	if !slices.Equal(out, want) {
		t.Fatalf("played %v..., want the clip then silence", out[:10])
	}
	if p.Playing() {
		t.Fatal("still playing after the end")
	}
	buf := []int16{7, 7}
	if p.Read(buf) || buf[0] != 0 {
		t.Fatalf("Read after the end: %v", buf)
	}
}

func TestPlayerLoopWithGap(t *testing.T) {
	clip := rampClip(t, 100)
	p := NewPlayer(clip, true, 5*time.Millisecond) // 40 samples at 8 kHz
	out, _ := play(p, 160, 5)
	var want []int16
	for len(want) < len(out) {
		want = append(want, clip.Samples()...)
		want = append(want, make([]int16, 40)...)
	}
	if !slices.Equal(out, want[:len(out)]) {
		t.Fatalf("looped output differs: %v", out[:200])
	}
	p.Stop()
	if p.Playing() || p.Read(make([]int16, 160)) {
		t.Fatal("playing after Stop")
	}
}

func TestPlayerLoopNoGapAndOddFrames(t *testing.T) {
	clip := rampClip(t, 7)
	p := NewPlayer(clip, true, 0)
	out, _ := play(p, 3, 10)
	for i, v := range out {
		if int(v) != i%7+1 {
			t.Fatalf("sample %d is %d, want %d", i, v, i%7+1)
		}
	}
	// Frames longer than the scratch buffer work too.
	long := make([]int16, 1000)
	if !p.Read(long) || long[999] == 0 {
		t.Fatal("long frame not filled")
	}
}

func TestPlayerVolumeAndAdd(t *testing.T) {
	src := []int16{16000, -16000, 1000, 32767}
	clip, _ := NewClip(src, 8000)
	mute := math.Inf(-1)
	for _, c := range []struct {
		name string
		set  func(*Player)
		dB   float64 // the gain the mix should show
	}{
		{"0 dB", func(*Player) {}, 0},
		{"-6 dB", func(p *Player) { p.SetVolume(-6) }, -6},
		{"step 8 is -6 dB", func(p *Player) { p.SetVolumeStep(8) }, -6},
		{"step 1 is -27 dB", func(p *Player) { p.SetVolumeStep(1) }, -27},
		{"step 20 is 0 dB", func(p *Player) { p.SetVolumeStep(20) }, 0},
		{"+40 dB clamps to +12", func(p *Player) { p.SetVolume(40) }, 12},
		{"step 0 mutes", func(p *Player) { p.SetVolumeStep(0) }, mute},
		{"-80 dB mutes", func(p *Player) { p.SetVolume(-80) }, mute},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := NewPlayer(clip, false, 0)
			c.set(p)
			mix := []int32{100, 100, 100, 100}
			if !p.Add(mix) {
				t.Fatal("not playing")
			}
			for i, v := range src {
				want := 100 + float64(v)*math.Pow(10, c.dB/20)
				if d := float64(mix[i]) - want; math.Abs(d) > 1+math.Abs(want)*1e-4 {
					t.Fatalf("mix %v: sample %d is %d, want %.1f (the source at %v dB added to 100)", mix, i, mix[i], want, c.dB)
				}
			}
		})
	}
	// Read saturates instead of wrapping.
	p := NewPlayer(clip, false, 0)
	p.SetVolume(12)
	frame := make([]int16, 4)
	p.Read(frame)
	if frame[3] != 32767 || frame[1] != -32768 {
		t.Fatalf("not saturated: %v", frame)
	}
}

func TestPlayerNilClip(t *testing.T) {
	p := NewPlayer(nil, true, 0)
	if p.Playing() || p.Read(make([]int16, 160)) || p.Add(make([]int32, 160)) {
		t.Fatal("a nil clip plays")
	}
}

// TestPlayerStopFromAnotherGoroutine runs under -race: Stop and the
// volume are set while the engine's goroutine reads.
func TestPlayerStopFromAnotherGoroutine(t *testing.T) {
	p := NewPlayer(rampClip(t, 1000), true, 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		frame := make([]int16, 160)
		for p.Read(frame) {
		}
	}()
	p.SetVolumeStep(5)
	p.Stop()
	<-done
}

func TestPlayerAllocatesNothing(t *testing.T) {
	clip, err := DefaultRingtone(8000)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(clip, true, RingtoneGap)
	frame := make([]int16, 160)
	mix := make([]int32, 160)
	if a := testing.AllocsPerRun(500, func() { p.Read(frame) }); a != 0 {
		t.Errorf("Read: %v allocations per frame", a)
	}
	if a := testing.AllocsPerRun(500, func() { p.Add(mix) }); a != 0 {
		t.Errorf("Add: %v allocations per frame", a)
	}
}

func BenchmarkPlayerRead(b *testing.B) {
	clip, _ := DefaultRingtone(16000)
	p := NewPlayer(clip, true, 0)
	frame := make([]int16, 320)
	b.ReportAllocs()
	for b.Loop() {
		p.Read(frame)
	}
}

func BenchmarkPlayerAdd(b *testing.B) {
	clip, _ := DefaultRingtone(8000)
	p := NewPlayer(clip, true, 0)
	mix := make([]int32, 160)
	b.ReportAllocs()
	for b.Loop() {
		p.Add(mix)
	}
}
