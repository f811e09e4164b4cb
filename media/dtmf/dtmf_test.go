package dtmf

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestDigits(t *testing.T) {
	for d := Digit0; d <= Flash; d++ {
		p, err := ParseDigit(d.Rune())
		if err != nil || p != d {
			t.Errorf("ParseDigit(%q) = %v, %v; want %v", d.Rune(), p, err, d)
		}
		if d != Flash && d.String() != string(d.Rune()) {
			t.Errorf("%v.String() = %q", d, d.String())
		}
	}
	tests := []struct {
		in   string
		want Digit
		err  error
	}{
		{"5", Digit5, nil}, {"*", Star, nil}, {"#", Pound, nil}, {"10", Star, nil},
		{"11", Pound, nil}, {"16", Flash, nil}, {"d", DigitD, nil}, {"x", 0, ErrDigit}, {"", 0, ErrDigit}, {"55", 0, ErrDigit},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	if Flash.String() != "flash" || Digit(40).String() != "Digit(40)" || Digit(40).Rune() != 0 {
		t.Error("names of Flash and invalid digits")
	}
	if lo, hi, ok := Digit5.Frequencies(); !ok || lo != 770 || hi != 1336 {
		t.Errorf("5 = %v+%v", lo, hi)
	}
}

func TestEventMarshal(t *testing.T) {
	e := Event{Digit: Pound, End: true, Volume: 10, Duration: 800}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{11, 0x8A, 0x03, 0x20}; string(b) != string(want) {
		t.Errorf("Marshal = % x, want % x", b, want)
	}
	var got Event
	if err := got.Unmarshal(b); err != nil || got != e {
		t.Errorf("Unmarshal = %+v, %v", got, err)
	}
	if err := got.Unmarshal(b[:3]); !errors.Is(err, ErrShort) {
		t.Errorf("short: %v", err)
	}
	if _, err := e.MarshalTo(make([]byte, 2)); !errors.Is(err, ErrShort) {
		t.Errorf("short MarshalTo: %v", err)
	}
}

func FuzzEvent(f *testing.F) {
	f.Add([]byte{1, 0x8A, 3, 0x20})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Event
		if e.Unmarshal(b) != nil {
			return
		}
		out := make([]byte, EventSize)
		if _, err := e.MarshalTo(out); err != nil {
			t.Fatal(err)
		}
		var again Event
		if err := again.Unmarshal(out); err != nil || again != e {
			t.Fatalf("%+v -> % x -> %+v", e, out, again)
		}
		if out[0] != b[0] || out[2] != b[2] || out[3] != b[3] || out[1] != b[1]&0xBF {
			t.Fatalf("% x re-marshals as % x", b[:4], out)
		}
	})
}

func TestEventSender(t *testing.T) {
	s := NewEventSender(8000, 160, 10)
	if err := s.Enqueue(Digit1, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(Digit9, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(Digit(30), 0); !errors.Is(err, ErrDigit) {
		t.Errorf("bad digit: %v", err)
	}
	type want struct {
		audio  bool
		marker bool
		ts     uint32
		end    bool
		dur    uint16
		digit  Digit
	}
	wants := []want{
		{false, true, 1000, false, 160, Digit1},
		{false, false, 1000, false, 320, Digit1},
		{false, false, 1000, false, 480, Digit1},
		{false, false, 1000, false, 640, Digit1},
		{false, false, 1000, true, 800, Digit1},
		{false, false, 1000, true, 800, Digit1},
		{false, false, 1000, true, 800, Digit1},
		{audio: true}, {audio: true}, {audio: true}, // 60 ms gap
		{false, true, 2600, false, 160, Digit9},
	}
	ts := uint32(1000)
	for i, w := range wants {
		p, ok := s.Next(ts)
		if ok == w.audio {
			t.Fatalf("frame %d: event %v, want audio %v", i, ok, w.audio)
		}
		if ok {
			var e Event
			if err := e.Unmarshal(p.Payload[:]); err != nil || e != p.Event {
				t.Fatalf("frame %d: payload % x does not match %+v", i, p.Payload, p.Event)
			}
			got := want{false, p.Marker, p.Timestamp, e.End, e.Duration, e.Digit}
			if got != w || e.Volume != 10 {
				t.Errorf("frame %d: %+v, want %+v", i, got, w)
			}
		}
		ts += 160
	}
	if !s.Busy() {
		t.Error("not busy during the second digit")
	}
	s.Reset()
	if s.Busy() {
		t.Error("busy after Reset")
	}
	for i := 0; i < 32; i++ {
		s.Enqueue(Digit0, 0)
	}
	if err := s.Enqueue(Digit0, 0); !errors.Is(err, ErrQueueFull) {
		t.Errorf("33rd digit: %v", err)
	}
}

// TestEventReceiver feeds the receiver what networks do to the packets of
// three events and expects each digit exactly once.
func TestEventReceiver(t *testing.T) {
	pkt := func(d Digit, end bool, dur uint16) []byte {
		b, _ := Event{Digit: d, End: end, Duration: dur, Volume: 10}.Marshal()
		return b
	}
	type in struct {
		ts uint32
		p  []byte
	}
	stream := []in{
		// event 1: all packets, end three times, one duplicate
		{100, pkt(Digit1, false, 160)}, {100, pkt(Digit1, false, 320)}, {100, pkt(Digit1, false, 320)},
		{100, pkt(Digit1, true, 480)}, {100, pkt(Digit1, true, 480)}, {100, pkt(Digit1, true, 480)},
		// event 2: start lost, reordered updates
		{900, pkt(Digit2, false, 320)}, {900, pkt(Digit2, false, 160)}, {900, pkt(Digit2, true, 480)},
		// a late end retransmission of event 1
		{100, pkt(Digit1, true, 480)},
		// event 3 (same digit as 2): only the end packets arrive
		{1700, pkt(Digit2, true, 800)}, {1700, pkt(Digit2, true, 800)},
		// an RFC 4734 event that is not a digit
		{2500, []byte{70, 0, 0, 160}},
	}
	var r EventReceiver
	var got strings.Builder
	for _, p := range stream {
		d, ok, err := r.Receive(p.ts, p.p)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			got.WriteRune(d.Rune())
		}
	}
	if got.String() != "122" {
		t.Errorf("digits %q, want %q", got.String(), "122")
	}
	if _, _, err := r.Receive(1, []byte{1}); !errors.Is(err, ErrShort) {
		t.Errorf("short payload: %v", err)
	}
}

// tonePlan renders digits through a Generator with per-digit durations,
// after lead samples of silence, into one signal.
func render(t *testing.T, digits string, durations []time.Duration, lead int) []int16 {
	t.Helper()
	g := NewGenerator(8000, 160)
	out := make([]int16, lead)
	for i, r := range digits {
		d, err := ParseDigit(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Enqueue(d, durations[i%len(durations)]); err != nil {
			t.Fatal(err)
		}
	}
	frame := make([]int16, 160)
	for g.Read(frame) {
		out = append(out, frame...)
	}
	return append(out, make([]int16, 800)...)
}

func detect(sig []int16) string {
	d := NewDetector(8000, 160)
	var got strings.Builder
	for i := 0; i+160 <= len(sig); i += 160 {
		if digit, ok := d.Block(sig[i : i+160]); ok {
			got.WriteRune(digit.Rune())
		}
	}
	return got.String()
}

func addNoise(sig []int16, rms float64, rng *rand.Rand) {
	for i := range sig {
		v := float64(sig[i]) + rng.NormFloat64()*rms
		sig[i] = int16(max(-32768, min(32767, v)))
	}
}

func TestDetectGenerated(t *testing.T) {
	const digits = "1234567890*#ABCD"
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name      string
		durations []time.Duration
		noise     float64 // rms, the tones are about 5000 rms together
	}{
		{"100 ms clean", []time.Duration{100 * time.Millisecond}, 0},
		{"40 ms clean", []time.Duration{40 * time.Millisecond}, 0},
		{"mixed lengths, 20 dB SNR", []time.Duration{40 * time.Millisecond, 70 * time.Millisecond, 100 * time.Millisecond, 55 * time.Millisecond}, 500},
		{"60 ms, 12 dB SNR", []time.Duration{60 * time.Millisecond}, 1250},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for lead := 0; lead < 160; lead += 23 { // every alignment to the blocks
				sig := render(t, digits, tt.durations, lead)
				addNoise(sig, tt.noise, rng)
				if got := detect(sig); got != digits {
					t.Fatalf("lead %d: detected %q, want %q", lead, got, digits)
				}
			}
		})
	}
}

func sines(n int, amp float64, freqs ...float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		var v float64
		for _, f := range freqs {
			v += amp * math.Sin(2*math.Pi*f*float64(i)/8000)
		}
		out[i] = int16(max(-32768, min(32767, v)))
	}
	return out
}

// TestRejectNonDTMF feeds signals that must not be taken for digits.
func TestRejectNonDTMF(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// speech-like: a glottal pulse train at a gliding pitch, i.e. many
	// harmonics with falling amplitude, some landing near DTMF frequencies.
	speech := make([]int16, 8000*3)
	phase := 0.0
	for i := range speech {
		f0 := 110 + 30*math.Sin(2*math.Pi*float64(i)/8000*1.3)
		phase += 2 * math.Pi * f0 / 8000
		var v float64
		for h := 1; h <= 30; h++ {
			v += 9000 / float64(h) * math.Sin(float64(h)*phase)
		}
		env := 0.5 + 0.5*math.Sin(2*math.Pi*float64(i)/8000*4) // syllables
		speech[i] = int16(max(-32768, min(32767, v*env)))
	}
	noise := make([]int16, 8000*2)
	addNoise(noise, 6000, rng)
	tests := []struct {
		name string
		sig  []int16
	}{
		{"1 kHz", sines(8000, 8000, 1000)},
		{"dial tone 350+440", sines(8000, 5000, 350, 440)},
		{"ringback 440+480", sines(8000, 5000, 440, 480)},
		{"busy 480+620", sines(8000, 5000, 480, 620)},
		{"row pair 697+770", sines(8000, 5000, 697, 770)},
		{"row and a non-DTMF high 697+1100", sines(8000, 5000, 697, 1100)},
		{"three tones 697+1209+1336", sines(8000, 5000, 697, 1209, 1336)},
		{"speech-like harmonics", speech},
		{"white noise", noise},
		{"too quiet 5", sines(8000, 120, 770, 1336)},
		{"silence", make([]int16, 8000)},
	}
	for _, tt := range tests {
		if got := detect(tt.sig); got != "" {
			t.Errorf("%s: detected %q", tt.name, got)
		}
	}
	// The pure pair at the same level is a digit: the test is fair.
	if got := detect(sines(8000, 5000, 770, 1336)); got != "5" {
		t.Errorf("770+1336 detected %q, want 5", got)
	}
}

func TestNoAllocs(t *testing.T) {
	frame := make([]int16, 160)
	d := NewDetector(8000, 160)
	g := NewGenerator(8000, 160)
	s := NewEventSender(8000, 160, 10)
	var r EventReceiver
	payload := []byte{5, 0, 0, 160}
	ts := uint32(0)
	allocs := testing.AllocsPerRun(200, func() {
		if !g.Busy() {
			g.Enqueue(Digit5, 40*time.Millisecond)
			s.Enqueue(Digit5, 40*time.Millisecond)
		}
		g.Read(frame)
		d.Block(frame)
		s.Next(ts)
		r.Receive(ts, payload)
		ts += 160
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame, want 0", allocs)
	}
}

func BenchmarkGoertzelFrame(b *testing.B) {
	frame := sines(160, 5000, 770, 1336)
	d := NewDetector(8000, 160)
	b.ReportAllocs()
	for b.Loop() {
		d.Block(frame)
	}
}

func BenchmarkGenerateFrame(b *testing.B) {
	frame := make([]int16, 160)
	g := NewGenerator(8000, 160)
	b.ReportAllocs()
	for b.Loop() {
		if !g.Read(frame) {
			g.Enqueue(Digit5, MaxDuration)
		}
	}
}
