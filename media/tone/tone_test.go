package tone

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the result
		errPart string // in the error message
	}{
		{"350+440", "350+440", ""},
		{"440+480/2000,0/4000", "440+480/2000,0/4000", ""},
		{"!440/300,0/10000", "!440/300,0/10000", ""},
		{" 425 / 800 , 0/3200 ", "425/800,0/3200", ""},
		{"!350+440/100,!0/100,350+440", "!350+440/100,!0/100,350+440", ""},
		{"350+440+480/10", "350+440+480/10", ""},
		{"", "", "empty"},
		{"440/abc", "", `part 1 "440/abc": duration "abc" is not a whole number`},
		{"440/0", "", "duration 0 ms"},
		{"440,0/100", "", "part 1 has no duration but is not the last"},
		{"440+x/100", "", `frequency "x"`},
		{"5000", "", "above 3999 Hz"},
		{"440*40/100", "", "modulated"},
		{"0+440/100", "", "silence"},
		{"1+2+3+4/10", "", "more than 3 frequencies"},
		{"440/100,", "", `part 2 "": no frequency`},
		{strings.Repeat("440/1,", 16) + "0", "", "more than 16 parts"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.errPart != "" {
			if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("Parse(%q) error = %v, want one containing %q", tt.in, err, tt.errPart)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"350+440", "440+480/2000,0/4000", "!440/300,0/10000", "425", "1/1,2/2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tn, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(tn.String())
		if err != nil || again != tn {
			t.Fatalf("%q -> %q -> %+v, %v", s, tn.String(), again, err)
		}
		var p Player
		p.Play(tn)
		frame := make([]int16, 160)
		for range 5 {
			p.Read(frame)
		}
	})
}

func TestPlans(t *testing.T) {
	for _, c := range Countries() {
		p, err := BuiltinPlan(c)
		if err != nil {
			t.Fatal(err)
		}
		for k := Kind(0); k < NumKinds; k++ {
			if _, err := p.Tone(k); err != nil {
				t.Errorf("%s %v: %v", c, k, err)
			}
			if n, ok := ParseKind(k.String()); !ok || n != k {
				t.Errorf("kind %v does not round-trip", k)
			}
		}
	}
	if p, err := BuiltinPlan("UK"); err != nil || p.Country != "gb" {
		t.Errorf("uk: %v %v", p.Country, err)
	}
	if _, err := BuiltinPlan("xx"); !errors.Is(err, ErrCountry) {
		t.Errorf("xx: %v", err)
	}
	ru, _ := BuiltinPlan("ru")
	for k, want := range map[Kind]string{Dial: "425", Ringback: "425/800,0/3200", Busy: "425/350,0/350"} {
		if ru.Tones[k] != want {
			t.Errorf("ru %v = %q, want %q", k, ru.Tones[k], want)
		}
	}
}

// onOff plays t for seconds and returns the cadence as run lengths in ms
// of sound (positive) and silence (negative), at 20 ms resolution.
func onOff(t Tone, seconds int) []int {
	var p Player
	p.Play(t)
	frame := make([]int16, 160)
	var runs []int
	for range seconds * 50 {
		p.Read(frame)
		loud := false
		for _, v := range frame {
			if v > 1000 || v < -1000 {
				loud = true
			}
		}
		ms := 20
		if !loud {
			ms = -20
		}
		if n := len(runs); n > 0 && (runs[n-1] > 0) == loud {
			runs[n-1] += ms
		} else {
			runs = append(runs, ms)
		}
	}
	return runs
}

func TestCadence(t *testing.T) {
	ru, _ := BuiltinPlan("ru")
	ring, _ := ru.Tone(Ringback)
	if got, want := onOff(ring, 9), []int{800, -3200, 800, -3200, 800, -200}; !equal(got, want) {
		t.Errorf("ru ringback cadence %v, want %v", got, want)
	}
	us, _ := BuiltinPlan("us")
	conf, _ := us.Tone(Confirm)
	if got, want := onOff(conf, 2), []int{100, -100, 100, -100, 100, -1500}; !equal(got, want) {
		// 100 ms parts straddle 20 ms frames exactly.
		t.Errorf("confirm cadence %v, want %v", got, want)
	}
	var p Player
	p.Play(conf)
	frame := make([]int16, 160)
	for range 50 {
		p.Read(frame)
	}
	if p.Playing() {
		t.Error("a tone of '!' parts still plays after it ended")
	}
	once, _ := Parse("!440/100,0/200,480/100")
	if got, want := onOff(once, 1), []int{100, -200, 100, -200, 100, -200, 100}; !equal(got, want) {
		t.Errorf("repeat after '!' part: %v, want %v", got, want)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPhaseContinuity: a tone made 160 samples at a time is the same
// waveform as one made in a single piece.
func TestPhaseContinuity(t *testing.T) {
	tn, _ := Parse("350+440")
	var a, b Player
	a.Play(tn)
	b.Play(tn)
	whole := make([]int16, 320)
	b.Read(whole)
	frames := make([]int16, 320)
	a.Read(frames[:160])
	a.Read(frames[160:])
	for i := range whole {
		if whole[i] != frames[i] {
			t.Fatalf("sample %d: %d in frames, %d whole", i, frames[i], whole[i])
		}
	}
	// And the frequency is right: 425 Hz has 850 zero crossings a second.
	ru, _ := Parse("425")
	a.Play(ru)
	sig := make([]int16, 8000)
	for i := 0; i < len(sig); i += 160 {
		a.Read(sig[i : i+160])
	}
	crossings := 0
	for i := 1; i < len(sig); i++ {
		if (sig[i-1] < 0) != (sig[i] < 0) {
			crossings++
		}
	}
	if crossings < 848 || crossings > 852 {
		t.Errorf("425 Hz: %d zero crossings in 1 s, want 850", crossings)
	}
	var peak float64
	for _, v := range sig {
		peak = math.Max(peak, math.Abs(float64(v)))
	}
	if want := 22580 * math.Pow(10, Level/20); math.Abs(peak-want) > 0.01*want {
		t.Errorf("peak %v, want %v (%v dBm0)", peak, want, Level)
	}
}

func TestNoAllocs(t *testing.T) {
	us, _ := BuiltinPlan("us")
	ring, _ := us.Tone(Ringback)
	var p Player
	frame := make([]int16, 160)
	if a := testing.AllocsPerRun(100, func() {
		p.Play(ring)
		p.Read(frame)
	}); a != 0 {
		t.Errorf("%v allocations per frame, want 0", a)
	}
}

func BenchmarkToneFrame(b *testing.B) {
	tn, _ := Parse("440+480/2000,0/4000")
	var p Player
	p.Play(tn)
	frame := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		p.Read(frame)
	}
}
