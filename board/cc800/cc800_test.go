package cc800

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"

	"ccphone/hal"
	"ccphone/hal/portaudio"
	"ccphone/hal/st7565/st7565test"
)

func TestDefaultParsesAndValidates(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("the embedded board file does not validate:\n%v", err)
	}
	if d.LCD.SPI != "SPI0.0" || d.LCD.DC != "GPIO24" || d.LCD.Contrast != 22 || d.LCD.SPIHz != 4_000_000 {
		t.Errorf("LCD = %+v", d.LCD)
	}
	if len(d.Matrix.Rows) != 5 || len(d.Matrix.Cols) != 6 || len(d.Matrix.Keys) != 5 {
		t.Fatalf("matrix %d×%d with %d key rows", len(d.Matrix.Rows), len(d.Matrix.Cols), len(d.Matrix.Keys))
	}
	if d.Matrix.Keys[0][0] != hal.KeyLine1 || d.Matrix.Keys[4][3] != hal.KeyPound || d.Matrix.Keys[4][5] != hal.KeyNone {
		t.Errorf("matrix keys %v", d.Matrix.Keys)
	}
	if p := d.LEDs[hal.LEDLine1]; p.Red != "GPIO5" || p.Green != "GPIO6" {
		t.Errorf("line1 LED %+v", p)
	}
	if d.Audio[hal.PortMonitor] != "cc800-monitor" {
		t.Errorf("audio %q", d.Audio)
	}
	// Every key of the phone has a place.
	placed := map[hal.Key]bool{}
	for _, row := range d.Matrix.Keys {
		for _, k := range row {
			placed[k] = true
		}
	}
	for _, in := range d.Direct {
		placed[in.Key] = true
	}
	for k := hal.KeyLine1; k < hal.KeyMonitorJack; k++ {
		if !placed[k] {
			t.Errorf("key %v has no place on the board", k)
		}
	}
	if !placed[hal.KeyMonitorJack] {
		t.Error("no monitor jack detect")
	}
}

// goodBoard is a small valid board file; tests edit it.
const goodBoard = `# test board
lcd.spi = SPI9.0
lcd.dc = P1
lcd.reset = P2
led.line1.red = P3
led.line1.green = P4
led.hold = P5
keys.matrix.rows = P6, P7
keys.matrix.cols = P8, P9
keys.matrix.row.1 = 1, 2
keys.matrix.row.2 = 3, -
keys.direct.headset = P10
jack.monitor = P11
audio.headset = hs
audio.speaker = spk
audio.monitor = mon
`

func TestGoodBoardValidates(t *testing.T) {
	d, err := Parse("good.board", strings.NewReader(goodBoard))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBadBoards(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(string) string
		want      error
		wantInMsg []string // field, line and anything else the message must name
	}{
		{"unknown setting", add("lcd.colour = blue"), ErrUnknownSetting, []string{"bad.board:17:", "lcd.colour"}},
		{"syntax", add("lcd.contrast 22"), ErrSyntax, []string{"bad.board:17:"}},
		{"bad number", add("lcd.contrast = 64"), ErrBadValue, []string{":17:", "lcd.contrast", "64"}},
		{"not a number", add("lcd.spi_hz = fast"), ErrBadValue, []string{":17:", "lcd.spi_hz"}},
		{"bad flag", add("lcd.flip_x = yes"), ErrBadValue, []string{"lcd.flip_x"}},
		{"set twice", add("lcd.dc = P12"), ErrTwice, []string{":17:", "lcd.dc", "line 3"}},
		{"missing LCD section", drop("lcd."), ErrMissing, []string{"lcd", "LCD section"}},
		{"missing dc", drop("lcd.dc"), ErrMissing, []string{"lcd.dc"}},
		{"pin used twice", replace("led.hold = P5", "led.hold = P3"), ErrPinReused, []string{":7:", "led.hold", "P3", "led.line1.red", "line 5"}},
		{"pin used twice in the matrix", replace("P8, P9", "P8, P1"), ErrPinReused, []string{"keys.matrix.cols", "P1", "lcd.dc"}},
		{"unknown key name", replace("= 3, -", "= 3, hangup"), ErrUnknownKey, []string{":11:", "keys.matrix.row.2", `"hangup"`}},
		{"unknown direct key", replace("keys.direct.headset", "keys.direct.speaker"), ErrUnknownKey, []string{":12:", "speaker"}},
		{"key mapped twice", replace("keys.direct.headset", "keys.direct.1"), ErrKeyReused, []string{"keys.direct.1", "keys.matrix.row.1"}},
		{"row too short", replace("= 3, -", "= 3"), ErrBadValue, []string{"keys.matrix.row.2", "1 keys for 2 columns"}},
		{"row missing", drop("keys.matrix.row.1"), ErrMissing, []string{"keys.matrix.row.1"}},
		{"missing audio device", drop("audio.monitor"), ErrMissing, []string{"audio.monitor"}},
		{"green without red", drop("led.line1.red"), ErrMissing, []string{"led.line1.red"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("bad.board", strings.NewReader(tt.edit(goodBoard)))
			if err != nil {
				t.Fatal(err)
			}
			err = d.Validate()
			if !errors.Is(err, tt.want) {
				t.Fatalf("Validate = %v, want %v", err, tt.want)
			}
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("Validate = %v, not a *Problem", err)
			}
			for _, s := range tt.wantInMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not name %q", err, s)
				}
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	text := add("lcd.colour = blue", "lcd.contrast = 99")(drop("audio.")(goodBoard))
	d, err := Parse("bad.board", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	err = d.Validate()
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 5 {
		t.Fatalf("Validate = %v, want 5 problems (setting, value, three audio ports)", err)
	}
}

func TestParseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rev-b.board")
	if err := os.WriteFile(path, []byte(goodBoard), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.File != path || d.LCD.DC != "P1" {
		t.Errorf("ParseFile read %q with dc %q", d.File, d.LCD.DC)
	}
	if _, err := ParseFile(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ParseFile of a missing file = %v", err)
	}
}

func TestOpenDefaultWithoutHardware(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(d, nil)
	if err == nil {
		b.Close()
		t.Skip("this machine has the CC800's pins")
	}
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("Open = %v, want a *Problem", err)
	}
	if !(errors.Is(err, ErrNoPin) && strings.Contains(err.Error(), "lcd.dc") && strings.Contains(err.Error(), "GPIO24")) &&
		!(errors.Is(err, ErrNoSPI) && strings.Contains(err.Error(), "SPI0.0")) {
		t.Errorf("Open = %v, want the missing pin or SPI port named", err)
	}
}

// testPin is a gpiotest pin that says when it has been configured as an
// input, since gpiotest drops edges sent before In.
type testPin struct {
	*gpiotest.Pin
	once       sync.Once
	configured chan struct{}
}

func (p *testPin) In(pull gpio.Pull, edge gpio.Edge) error {
	err := p.Pin.In(pull, edge)
	if edge != gpio.NoEdge {
		p.once.Do(func() { close(p.configured) })
	}
	return err
}

// fakeBoard registers a controller model and gpiotest pins named
// <prefix>_P1.. in periph's registries, and returns a board file for them.
type fakeBoard struct {
	lcd  *st7565test.Controller
	pins map[string]*testPin
	text string
}

func newFakeBoard(t *testing.T, prefix string) *fakeBoard {
	t.Helper()
	fb := &fakeBoard{lcd: st7565test.New(prefix+"_LCD", st7565test.Glass{}), pins: map[string]*testPin{}}
	text := goodBoard
	text = strings.ReplaceAll(text, "SPI9.0", prefix+"_SPI")
	text = strings.ReplaceAll(text, "lcd.dc = P1", "lcd.dc = "+fb.lcd.DC().Name())
	text = strings.ReplaceAll(text, "lcd.reset = P2", "lcd.reset = "+fb.lcd.Reset().Name())
	for i := 11; i >= 3; i-- { // high numbers first: P1 is a prefix of P10
		name := fmt.Sprintf("%s_P%d", prefix, i)
		text = strings.ReplaceAll(text, fmt.Sprintf("P%d", i), name)
		p := &testPin{Pin: &gpiotest.Pin{N: name, Num: -1, EdgesChan: make(chan gpio.Level)}, configured: make(chan struct{})}
		fb.pins[name] = p
	}
	text += "keys.debounce_ms = 1\njack.monitor.pull = none\n"
	fb.text = text
	var reg []gpio.PinIO = []gpio.PinIO{fb.lcd.DC(), fb.lcd.Reset()}
	for _, p := range fb.pins {
		reg = append(reg, p)
	}
	for _, p := range reg {
		if err := gpioreg.Register(p); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = gpioreg.Unregister(p.Name()) })
	}
	if err := spireg.Register(prefix+"_SPI", nil, -1, func() (spi.PortCloser, error) { return fb.lcd, nil }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = spireg.Unregister(prefix + "_SPI") })
	return fb
}

func (fb *fakeBoard) pin(prefix string, n int) *testPin {
	return fb.pins[fmt.Sprintf("%s_P%d", prefix, n)]
}

func TestOpenEndToEnd(t *testing.T) {
	fb := newFakeBoard(t, "E2E")
	fb.pin("E2E", 11).L = gpio.Low // the monitor headset is plugged in at start
	d, err := Parse("e2e.board", strings.NewReader(fb.text))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(d, &Opts{EdgeWait: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}

	// A frame reaches the glass.
	var f hal.Frame
	f.SetBit(3, 4, true)
	f.SetBit(120, 60, true)
	if err := b.Display().Show(&f); err != nil {
		t.Fatal(err)
	}
	if got := fb.lcd.Frame(); got != f {
		t.Error("the controller does not show the frame")
	}
	if err := fb.lcd.Err(); err != nil {
		t.Error(err)
	}
	if err := b.Display().(hal.Contrast).SetContrast(30); err != nil || fb.lcd.Contrast() != 30 {
		t.Errorf("SetContrast(30) = %v; controller volume %d", err, fb.lcd.Contrast())
	}
	if err := b.Display().(hal.Backlight).SetBacklight(50); !errors.Is(err, hal.ErrUnsupported) {
		t.Errorf("SetBacklight on a board without backlight = %v, want ErrUnsupported", err)
	}

	// An LED lights its pins.
	if err := b.LEDs().SetLED(hal.LEDLine1, hal.LEDState{Color: hal.ColorOrange, Pattern: hal.PatternSteady}); err != nil {
		t.Fatal(err)
	}
	if fb.pin("E2E", 3).Read() != gpio.High || fb.pin("E2E", 4).Read() != gpio.High {
		t.Error("line1 orange does not light both pins")
	}

	// No sound card here: built with cgo the board looks the device up
	// in PortAudio and does not find it; without cgo there is no audio.
	if _, err := b.Audio().OpenAudio(hal.PortMonitor, hal.AudioFormat{SampleRate: 8000, Channels: 1, FrameSamples: 160}); !errors.Is(err, hal.ErrUnsupported) && !errors.Is(err, portaudio.ErrNoDevice) || err == nil || !strings.Contains(err.Error(), "mon") {
		t.Errorf("OpenAudio = %v, want ErrUnsupported or ErrNoDevice naming the device", err)
	}

	// Keys reach the events channel: the plugged jack first, then a press.
	events := make(chan hal.KeyEvent, 8)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Run(ctx, events) }()
	if ev := <-events; ev.Key != hal.KeyMonitorJack || !ev.Down {
		t.Errorf("first event %v, want monitor-jack down", ev)
	}
	headset := fb.pin("E2E", 10)
	<-headset.configured
	headset.EdgesChan <- gpio.Low
	if ev := <-events; ev.Key != hal.KeyHeadset || !ev.Down {
		t.Errorf("event %v, want headset down", ev)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if fb.pin("E2E", 3).Read() != gpio.Low || fb.pin("E2E", 4).Read() != gpio.Low {
		t.Error("line1 still lit after Close")
	}
	if fb.lcd.On() {
		t.Error("display still on after Close")
	}
}

func TestOpenNamesMissingPins(t *testing.T) {
	fb := newFakeBoard(t, "MISS")
	text := strings.ReplaceAll(fb.text, "led.hold = MISS_P5", "led.hold = MISS_P99")
	d, err := Parse("miss.board", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(d, nil)
	if !errors.Is(err, ErrNoPin) || !strings.Contains(err.Error(), "miss.board:7: led.hold") || !strings.Contains(err.Error(), "MISS_P99") {
		t.Errorf("Open = %v, want led.hold's missing pin MISS_P99 named at line 7", err)
	}
}

func add(lines ...string) func(string) string {
	return func(s string) string { return s + strings.Join(lines, "\n") + "\n" }
}

func drop(prefix string) func(string) string {
	return func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.HasPrefix(l, prefix) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
}

func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}
