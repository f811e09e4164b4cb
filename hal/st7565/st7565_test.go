package st7565

import (
	"errors"
	"image"
	"math/rand/v2"
	"testing"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"

	"ccphone/hal"
	"ccphone/hal/st7565/st7565test"
)

// dcLog wraps an SPI port and logs the data/command pin's level at every
// transfer, so a test can check bytes and their meaning together.
type dcLog struct {
	spi.Port
	dc     gpio.PinIn
	levels []gpio.Level
}

func (l *dcLog) Connect(f physic.Frequency, m spi.Mode, bits int) (spi.Conn, error) {
	c, err := l.Port.Connect(f, m, bits)
	if err != nil {
		return nil, err
	}
	return &dcLogConn{Conn: c, l: l}, nil
}

type dcLogConn struct {
	spi.Conn
	l *dcLog
}

func (c *dcLogConn) Tx(w, r []byte) error {
	c.l.levels = append(c.l.levels, c.l.dc.Read())
	return c.Conn.Tx(w, r)
}

const (
	cmd  = gpio.Low
	data = gpio.High
)

// initOps is the bus traffic New must produce with DefaultOpts.
var initOps = []conntest.IO{{W: []byte{0xA2, 0xA0, 0xC0, 0x25, 0x81, 22, 0x2F, 0x40, 0xA6, 0xA4, 0xAF}}}

// playbackDev returns a Dev on a Playback port expecting init then ops,
// and the log of DC levels. The Playback fails the test on a wrong byte.
func playbackDev(t *testing.T, opts *Opts, ops ...conntest.IO) (*Dev, *dcLog, *spitest.Playback, *gpiotest.Pin) {
	t.Helper()
	pb := &spitest.Playback{Playback: conntest.Playback{Ops: ops, DontPanic: true}}
	dc := &gpiotest.Pin{N: "DC"}
	rst := &gpiotest.Pin{N: "RST"}
	log := &dcLog{Port: pb, dc: dc}
	d, err := New(log, dc, rst, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d, log, pb, rst
}

func checkLevels(t *testing.T, got, want []gpio.Level) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("DC levels at each transfer = %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("DC levels at each transfer = %v, want %v", got, want)
		}
	}
}

func TestInitSequence(t *testing.T) {
	tests := []struct {
		name string
		opts Opts
		want []byte
	}{
		{"default", DefaultOpts, initOps[0].W},
		{"flipped 1/7 bias", func() Opts {
			o := DefaultOpts
			o.FlipX, o.FlipY, o.Bias, o.Contrast, o.RegulatorRatio = true, true, 7, 63, 3
			return o
		}(), []byte{0xA3, 0xA1, 0xC8, 0x23, 0x81, 63, 0x2F, 0x40, 0xA6, 0xA4, 0xAF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, log, pb, rst := playbackDev(t, &tt.opts, conntest.IO{W: tt.want})
			if err := pb.Close(); err != nil {
				t.Fatal(err)
			}
			checkLevels(t, log.levels, []gpio.Level{cmd})
			if rst.Read() != gpio.High {
				t.Error("reset left low after New")
			}
		})
	}
}

func TestNoResetPinSendsSoftwareReset(t *testing.T) {
	pb := &spitest.Playback{Playback: conntest.Playback{Ops: append([]conntest.IO{{W: []byte{0xE2}}}, initOps...), DontPanic: true}}
	if _, err := New(pb, &gpiotest.Pin{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestShowTraffic(t *testing.T) {
	var first hal.Frame
	first.SetBit(0, 0, true)
	first.SetBit(127, 63, true)

	var full []conntest.IO
	var fullDC []gpio.Level
	for p := 0; p < hal.LCDPages; p++ {
		full = append(full, conntest.IO{W: []byte{0xB0 | byte(p), 0x10, 0x00}}, conntest.IO{W: first.Page(p)})
		fullDC = append(fullDC, cmd, data)
	}

	onePixel := first
	onePixel.SetBit(37, 20, true) // page 2, column 37 = 0x25

	span := onePixel
	span.SetBit(40, 22, true)
	span.SetBit(100, 17, true) // page 2 again, columns 37..100

	tests := []struct {
		name   string
		frames []*hal.Frame
		ops    []conntest.IO // after init and the first full frame
		dc     []gpio.Level
	}{
		{"unchanged frame sends nothing", []*hal.Frame{&first}, nil, nil},
		{"one pixel sends one byte of one page",
			[]*hal.Frame{&onePixel},
			[]conntest.IO{{W: []byte{0xB2, 0x12, 0x05}}, {W: []byte{onePixel.Page(2)[37]}}},
			[]gpio.Level{cmd, data}},
		{"changes in one page send its changed span",
			[]*hal.Frame{&span},
			[]conntest.IO{{W: []byte{0xB2, 0x12, 0x05}}, {W: span.Page(2)[37:101]}},
			[]gpio.Level{cmd, data}},
		{"back to the first frame",
			[]*hal.Frame{&span, &first},
			[]conntest.IO{
				{W: []byte{0xB2, 0x12, 0x05}}, {W: span.Page(2)[37:101]},
				{W: []byte{0xB2, 0x12, 0x05}}, {W: first.Page(2)[37:101]},
			},
			[]gpio.Level{cmd, data, cmd, data}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := append(append(append([]conntest.IO{}, initOps...), full...), tt.ops...)
			d, log, pb, _ := playbackDev(t, nil, ops...)
			if err := d.Show(&first); err != nil {
				t.Fatalf("first Show: %v", err)
			}
			for i, f := range tt.frames {
				if err := d.Show(f); err != nil {
					t.Fatalf("Show %d: %v", i, err)
				}
			}
			if err := pb.Close(); err != nil {
				t.Fatal(err)
			}
			checkLevels(t, log.levels, append(append([]gpio.Level{cmd}, fullDC...), tt.dc...))
		})
	}
}

func TestColumnOffsetAddressesRAM(t *testing.T) {
	o := DefaultOpts
	o.ColumnOffset = 4
	var f hal.Frame
	f.SetBit(127, 0, true)
	ops := []conntest.IO{{W: []byte{0xA2, 0xA0, 0xC0, 0x25, 0x81, 22, 0x2F, 0x40, 0xA6, 0xA4, 0xAF}}}
	for p := 0; p < hal.LCDPages; p++ {
		ops = append(ops, conntest.IO{W: []byte{0xB0 | byte(p), 0x10, 0x04}}, conntest.IO{W: f.Page(p)})
	}
	f2 := f
	f2.SetBit(127, 8, true) // page 1, column 127+4 = 131 = 0x83
	ops = append(ops, conntest.IO{W: []byte{0xB1, 0x18, 0x03}}, conntest.IO{W: []byte{0x01}})
	d, _, pb, _ := playbackDev(t, &o, ops...)
	if err := d.Show(&f); err != nil {
		t.Fatal(err)
	}
	if err := d.Show(&f2); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSetContrast(t *testing.T) {
	d, log, pb, _ := playbackDev(t, nil, append(initOps, conntest.IO{W: []byte{0x81, 40}}, conntest.IO{W: []byte{0xAE}})...)
	if err := d.SetContrast(40); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int{-1, 64} {
		if err := d.SetContrast(bad); !errors.Is(err, hal.ErrOutOfRange) {
			t.Errorf("SetContrast(%d) = %v, want ErrOutOfRange", bad, err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
	checkLevels(t, log.levels, []gpio.Level{cmd, cmd, cmd})
	var f hal.Frame
	if err := d.Show(&f); !errors.Is(err, hal.ErrClosed) {
		t.Errorf("Show after Close = %v, want ErrClosed", err)
	}
	if err := d.SetContrast(1); !errors.Is(err, hal.ErrClosed) {
		t.Errorf("SetContrast after Close = %v, want ErrClosed", err)
	}
}

func TestBadOpts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Opts)
	}{
		{"zero clock", func(o *Opts) { o.SPIHz = 0 }},
		{"contrast 64", func(o *Opts) { o.Contrast = 64 }},
		{"bias 8", func(o *Opts) { o.Bias = 8 }},
		{"ratio 8", func(o *Opts) { o.RegulatorRatio = 8 }},
		{"offset 5", func(o *Opts) { o.ColumnOffset = 5 }},
		{"negative pulse", func(o *Opts) { o.ResetPulse = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOpts
			tt.edit(&o)
			c := st7565test.New("lcd", st7565test.Glass{})
			if _, err := New(c, c.DC(), c.Reset(), &o); !errors.Is(err, ErrBadOpts) {
				t.Errorf("New = %v, want ErrBadOpts", err)
			}
		})
	}
}

// failingPort fails the transfer number failAt (0-based).
type failingPort struct {
	n, failAt int
}

var errBus = errors.New("bus fault")

func (p *failingPort) String() string { return "failing" }
func (p *failingPort) Connect(physic.Frequency, spi.Mode, int) (spi.Conn, error) {
	return p, nil
}
func (p *failingPort) Tx(w, r []byte) error {
	p.n++
	if p.n-1 == p.failAt {
		return errBus
	}
	return nil
}
func (p *failingPort) Duplex() conn.Duplex             { return conn.Half }
func (p *failingPort) TxPackets(pk []spi.Packet) error { return nil }

func TestFailedShowResendsEverything(t *testing.T) {
	port := &failingPort{failAt: 1 + 2*hal.LCDPages + 1} // init, first frame, then the data of the next update
	d, err := New(port, &gpiotest.Pin{}, &gpiotest.Pin{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f hal.Frame
	if err := d.Show(&f); err != nil {
		t.Fatal(err)
	}
	f.SetBit(5, 5, true)
	if err := d.Show(&f); !errors.Is(err, errBus) {
		t.Fatalf("Show = %v, want the bus error", err)
	}
	before := port.n
	if err := d.Show(&f); err != nil {
		t.Fatal(err)
	}
	if got := port.n - before; got != 2*hal.LCDPages {
		t.Errorf("Show after a failure made %d transfers, want a full frame of %d", got, 2*hal.LCDPages)
	}
}

// drawText puts text-like noise in f: runs of 5×7 glyph cells with random
// pixels, on random lines, the way screens of the phone look.
func drawText(f *hal.Frame, r *rand.Rand) {
	y := r.IntN(56)
	for x := r.IntN(40); x < 120; x += 6 {
		for gx := 0; gx < 5; gx++ {
			for gy := 0; gy < 7; gy++ {
				f.SetBit(x+gx, y+gy, r.IntN(2) == 0)
			}
		}
	}
}

func TestModelSeesTheFrame(t *testing.T) {
	mounts := []struct {
		name  string
		glass st7565test.Glass
		edit  func(*Opts)
	}{
		{"upright", st7565test.Glass{}, func(*Opts) {}},
		{"upright, glass on SEG4", st7565test.Glass{FirstSegment: 4}, func(o *Opts) { o.ColumnOffset = 4 }},
		{"rotated", st7565test.Glass{MirrorX: true, MirrorY: true}, func(o *Opts) { o.FlipX, o.FlipY, o.ColumnOffset = true, true, 4 }},
		{"rotated, glass on SEG4", st7565test.Glass{FirstSegment: 4, MirrorX: true, MirrorY: true}, func(o *Opts) { o.FlipX, o.FlipY = true, true }},
	}
	for _, m := range mounts {
		t.Run(m.name, func(t *testing.T) {
			o := DefaultOpts
			m.edit(&o)
			c := st7565test.New("lcd", m.glass)
			d, err := New(c, c.DC(), c.Reset(), &o)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, 2))
			var f hal.Frame
			// A pattern first: a border and a diagonal.
			f.Fill(image.Rect(0, 0, 128, 64), true)
			f.Fill(image.Rect(1, 1, 127, 63), false)
			for i := 0; i < 64; i++ {
				f.SetBit(i*2, i, true)
			}
			for step := 0; step < 50; step++ {
				if err := d.Show(&f); err != nil {
					t.Fatal(err)
				}
				if got := c.Frame(); got != f {
					t.Fatalf("step %d: the glass shows\n%s\nwant\n%s", step, ascii(&got), ascii(&f))
				}
				// Successive partial updates: some text, sometimes a
				// highlighted row, sometimes a cleared area.
				drawText(&f, r)
				switch step % 5 {
				case 1:
					f.Invert(image.Rect(0, 16, 128, 24))
				case 3:
					f.Fill(image.Rect(r.IntN(100), r.IntN(50), 128, 64), false)
				}
			}
			if err := c.Err(); err != nil {
				t.Fatal(err)
			}
			if !c.On() || !c.PoweredUp() || c.Contrast() != o.Contrast {
				t.Errorf("controller on=%v powered=%v contrast=%d, want on, powered, %d", c.On(), c.PoweredUp(), c.Contrast(), o.Contrast)
			}
		})
	}
}

// TestModelCatchesWrongMounting proves the model can disagree: a rotated
// glass driven with upright options shows the frame turned around.
func TestModelCatchesWrongMounting(t *testing.T) {
	c := st7565test.New("lcd", st7565test.Glass{MirrorX: true, MirrorY: true})
	d, err := New(c, c.DC(), c.Reset(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var f hal.Frame
	f.SetBit(0, 0, true)
	if err := d.Show(&f); err != nil {
		t.Fatal(err)
	}
	got := c.Frame()
	if got.Bit(0, 0) {
		t.Error("the model shows (0,0) lit through a rotated glass driven upright")
	}
	if err := d.Halt(); err != nil {
		t.Fatal(err)
	}
	if c.On() {
		t.Error("display still on after Halt")
	}
	if err := d.SetContrast(7); err != nil || c.Contrast() != 7 {
		t.Errorf("SetContrast(7) = %v, controller volume %d", err, c.Contrast())
	}
}

func TestModelReportsWritesPastTheLastColumn(t *testing.T) {
	c := st7565test.New("lcd", st7565test.Glass{})
	conn, err := c.Connect(0, spi.Mode0, 8)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.DC().Out(gpio.Low)
	_ = conn.Tx([]byte{0xB0, 0x18, 0x03}, nil) // column 131
	_ = c.DC().Out(gpio.High)
	_ = conn.Tx([]byte{1, 2}, nil)
	if err := c.Err(); !errors.Is(err, st7565test.ErrProtocol) {
		t.Errorf("Err = %v, want ErrProtocol", err)
	}
}

func TestShowDoesNotAllocate(t *testing.T) {
	d, err := New(discard{}, &gpiotest.Pin{}, &gpiotest.Pin{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var a, b hal.Frame
	b.Fill(image.Rect(10, 10, 50, 40), true)
	if err := d.Show(&a); err != nil {
		t.Fatal(err)
	}
	toggle := false
	allocs := testing.AllocsPerRun(100, func() {
		toggle = !toggle
		f := &a
		if toggle {
			f = &b
		}
		if err := d.Show(f); err != nil {
			t.Fatal(err)
		}
		if err := d.Show(f); err != nil { // unchanged
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Show allocates %v times per changed and unchanged frame, want 0", allocs)
	}
}

// discard is an SPI port that drops every byte without allocating.
type discard struct{}

func (discard) String() string                                            { return "discard" }
func (discard) Connect(physic.Frequency, spi.Mode, int) (spi.Conn, error) { return discard{}, nil }
func (discard) Tx(w, r []byte) error                                      { return nil }
func (discard) Duplex() conn.Duplex                                       { return conn.Half }
func (discard) TxPackets([]spi.Packet) error                              { return nil }

func BenchmarkShowFullFrame(b *testing.B) {
	d, err := New(discard{}, &gpiotest.Pin{}, &gpiotest.Pin{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var f [2]hal.Frame
	for i := range f[1].Pix {
		f[1].Pix[i] = 0xFF
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := d.Show(&f[i&1]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkShowOnePage(b *testing.B) {
	d, err := New(discard{}, &gpiotest.Pin{}, &gpiotest.Pin{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var f [2]hal.Frame
	f[1].Fill(image.Rect(20, 24, 100, 32), true) // one page, 80 columns
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := d.Show(&f[i&1]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkShowUnchanged(b *testing.B) {
	d, err := New(discard{}, &gpiotest.Pin{}, &gpiotest.Pin{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var f hal.Frame
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Show(&f); err != nil {
			b.Fatal(err)
		}
	}
}

// ascii renders f for failure messages.
func ascii(f *hal.Frame) string {
	b := make([]byte, 0, (hal.LCDWidth+1)*hal.LCDHeight)
	for y := 0; y < hal.LCDHeight; y++ {
		for x := 0; x < hal.LCDWidth; x++ {
			if f.Bit(x, y) {
				b = append(b, '#')
			} else {
				b = append(b, '.')
			}
		}
		b = append(b, '\n')
	}
	return string(b)
}
