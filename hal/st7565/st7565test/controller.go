// Package st7565test models an ST7565 LCD controller for tests: it takes
// the place of the SPI port and of the data/command and reset pins,
// decodes every byte a driver sends, keeps the controller's 132×65 display
// RAM and registers, and shows which pixels a viewer would see.
//
// The common path, checking that what was drawn reaches the glass:
//
//	c := st7565test.New("lcd", st7565test.Glass{})
//	dev, _ := st7565.New(c, c.DC(), c.Reset(), &opts)
//	dev.Show(&f)
//	if got := c.Frame(); got != f { ... }
//	if err := c.Err(); err != nil { ... } // a protocol slip
//
// The model is written from the datasheet, not from the driver, so that
// it can disagree with it. Its RAM starts filled with noise, as real RAM
// does at power-up.
package st7565test

import (
	"errors"
	"fmt"
	"sync"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"

	"ccphone/hal"
)

// Geometry of the controller's display RAM.
const (
	RAMColumns = 132 // columns (segments SEG0..SEG131)
	RAMPages   = 9   // pages of 8 lines; page 8 holds only the icon line
	RAMLines   = 64  // lines that the common drivers scan
)

// ErrProtocol reports bytes a real controller would not accept the way the
// driver meant them: an unknown command, a write past the last column, a
// page out of range, a transfer with a word size other than 8 bits.
var ErrProtocol = errors.New("st7565test: protocol error")

// Glass describes how the glass is wired to the controller and mounted in
// the phone, which decides where each RAM bit appears to the viewer.
type Glass struct {
	// FirstSegment is the segment driver (0..4) wired to the glass's
	// column 0; the glass's column x is on SEG FirstSegment+x.
	FirstSegment int
	// MirrorX means the glass is mounted so that the viewer sees its
	// column 127-x at x (rotated or mirrored mounting).
	MirrorX bool
	// MirrorY means the viewer sees the glass's row 63-y at y.
	MirrorY bool
}

// Controller is the model. It implements spi.PortCloser; DC and Reset
// return its two control pins. All methods are safe for concurrent use.
type Controller struct {
	name  string
	glass Glass
	dc    *controlPin
	rst   *controlPin

	mu        sync.Mutex
	connected bool
	ram       [RAMPages][RAMColumns]byte
	page, col int
	startLine int
	adcRev    bool
	comRev    bool
	on        bool
	inverse   bool
	allOn     bool
	volume    int
	ratio     int
	bias7     bool
	power     int
	argFor    byte // command waiting for its argument byte, or 0
	dataBytes int
	cmdBytes  int
	err       error
}

var _ spi.PortCloser = (*Controller)(nil)

// New returns a controller in its power-up state with noisy RAM. Its pins
// are named name+"_DC" and name+"_RST" so that tests can register them in
// gpioreg.
func New(name string, g Glass) *Controller {
	c := &Controller{name: name, glass: g}
	c.dc = &controlPin{Pin: &gpiotest.Pin{N: name + "_DC", Num: -1}, c: c}
	c.rst = &controlPin{Pin: &gpiotest.Pin{N: name + "_RST", Num: -1, L: gpio.High}, c: c, reset: true}
	seed := uint32(0x9E3779B9)
	for p := range c.ram {
		for x := range c.ram[p] {
			seed ^= seed << 13
			seed ^= seed >> 17
			seed ^= seed << 5
			c.ram[p][x] = byte(seed)
		}
	}
	c.resetRegisters()
	return c
}

// DC returns the data/command pin: high means the bytes on the bus are
// display data, low means commands.
func (c *Controller) DC() gpio.PinIO { return c.dc }

// Reset returns the active-low reset pin. Driving it low resets the
// registers (not the RAM), as the chip does.
func (c *Controller) Reset() gpio.PinIO { return c.rst }

// String implements spi.Port.
func (c *Controller) String() string { return c.name }

// Connect implements spi.Port. It accepts 8-bit words only, once.
func (c *Controller) Connect(f physic.Frequency, mode spi.Mode, bits int) (spi.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if bits != 8 {
		return nil, fmt.Errorf("%w: %d bits per word", ErrProtocol, bits)
	}
	if c.connected {
		return nil, fmt.Errorf("st7565test: %s: Connect called twice", c.name)
	}
	c.connected = true
	return &controllerConn{c}, nil
}

// LimitSpeed implements spi.PortCloser.
func (c *Controller) LimitSpeed(f physic.Frequency) error { return nil }

// Close implements spi.PortCloser.
func (c *Controller) Close() error { return nil }

// Frame returns what a viewer sees: nothing while the display is off,
// otherwise the RAM mapped through the scan directions, start line,
// inverse and all-points modes and the Glass.
func (c *Controller) Frame() hal.Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	var f hal.Frame
	if !c.on {
		return f
	}
	for y := 0; y < hal.LCDHeight; y++ {
		gy := y
		if c.glass.MirrorY {
			gy = hal.LCDHeight - 1 - gy
		}
		line := gy // the common driver COMgy shows display line gy ...
		if c.comRev {
			line = RAMLines - 1 - gy // ... or, scanning in reverse, 63-gy
		}
		line = (line + c.startLine) % RAMLines
		for x := 0; x < hal.LCDWidth; x++ {
			gx := x
			if c.glass.MirrorX {
				gx = hal.LCDWidth - 1 - gx
			}
			col := c.glass.FirstSegment + gx // segment = RAM column ...
			if c.adcRev {
				col = RAMColumns - 1 - col // ... or, with ADC reversed, 131-column
			}
			bit := c.ram[line/8][col]&(1<<(line%8)) != 0
			f.SetBit(x, y, (bit != c.inverse) || c.allOn)
		}
	}
	return f
}

// On reports whether the display is on.
func (c *Controller) On() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.on
}

// Contrast returns the electronic volume, 0..63.
func (c *Controller) Contrast() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.volume
}

// PoweredUp reports whether booster, regulator and follower are all on.
func (c *Controller) PoweredUp() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.power == 7
}

// DataBytes returns how many display-data bytes were written so far.
func (c *Controller) DataBytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dataBytes
}

// CommandBytes returns how many command bytes were written so far.
func (c *Controller) CommandBytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmdBytes
}

// Err returns the first protocol error seen, wrapping ErrProtocol, or nil.
func (c *Controller) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// resetRegisters puts the registers in their reset state; RAM keeps its
// content.
func (c *Controller) resetRegisters() {
	c.page, c.col, c.startLine = 0, 0, 0
	c.adcRev, c.comRev = false, false
	c.on, c.inverse, c.allOn = false, false, false
	c.volume, c.ratio, c.bias7, c.power = 0x20, 4, false, 0
	c.argFor = 0
}

func (c *Controller) fail(format string, a ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, a...)...)
	}
}

// write decodes one transfer.
func (c *Controller) write(b []byte) {
	data := c.dc.Read() == gpio.High
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range b {
		if data {
			c.data(v)
		} else {
			c.command(v)
		}
	}
}

func (c *Controller) data(v byte) {
	c.dataBytes++
	if c.argFor != 0 {
		c.fail("data byte %#02x while command %#02x waits for its argument", v, c.argFor)
		c.argFor = 0
	}
	if c.col >= RAMColumns {
		c.fail("data write past column %d on page %d", RAMColumns-1, c.page)
		return
	}
	c.ram[c.page][c.col] = v
	c.col++
}

func (c *Controller) command(v byte) {
	c.cmdBytes++
	if arg := c.argFor; arg != 0 {
		c.argFor = 0
		if arg == 0x81 {
			if v > 63 {
				c.fail("electronic volume %d", v)
			}
			c.volume = int(v & 0x3F)
		}
		return // static indicator and booster ratio arguments are ignored
	}
	switch {
	case v == 0xAE || v == 0xAF:
		c.on = v == 0xAF
	case v >= 0x40 && v <= 0x7F:
		c.startLine = int(v & 0x3F)
	case v >= 0xB0 && v <= 0xBF:
		if p := int(v & 0x0F); p < RAMPages {
			c.page = p
		} else {
			c.fail("page %d", p)
		}
	case v >= 0x10 && v <= 0x1F:
		c.col = c.col&0x0F | int(v&0x0F)<<4
	case v <= 0x0F:
		c.col = c.col&0xF0 | int(v)
	case v == 0xA0 || v == 0xA1:
		c.adcRev = v == 0xA1
	case v == 0xA2 || v == 0xA3:
		c.bias7 = v == 0xA3
	case v == 0xA4 || v == 0xA5:
		c.allOn = v == 0xA5
	case v == 0xA6 || v == 0xA7:
		c.inverse = v == 0xA7
	case v >= 0xC0 && v <= 0xCF:
		c.comRev = v&0x08 != 0
	case v >= 0x20 && v <= 0x27:
		c.ratio = int(v & 0x07)
	case v >= 0x28 && v <= 0x2F:
		c.power = int(v & 0x07)
	case v == 0x81 || v == 0xAC || v == 0xAD || v == 0xF8:
		c.argFor = v
	case v == 0xE2:
		c.resetRegisters()
	case v == 0xE3 || v == 0xE0 || v == 0xEE:
		// no-op, read-modify-write start and end
	default:
		c.fail("unknown command %#02x", v)
	}
}

// controllerConn is the connection Connect returns.
type controllerConn struct{ c *Controller }

func (cc *controllerConn) String() string { return cc.c.name }

func (cc *controllerConn) Duplex() conn.Duplex { return conn.Half }

func (cc *controllerConn) Tx(w, r []byte) error {
	if len(r) != 0 {
		return fmt.Errorf("%w: the controller cannot be read over SPI", ErrProtocol)
	}
	cc.c.write(w)
	return nil
}

func (cc *controllerConn) TxPackets(p []spi.Packet) error {
	for _, pk := range p {
		if err := cc.Tx(pk.W, pk.R); err != nil {
			return err
		}
	}
	return nil
}

// controlPin is a gpiotest pin that tells the controller when it is
// driven.
type controlPin struct {
	*gpiotest.Pin
	c     *Controller
	reset bool
}

func (p *controlPin) Out(l gpio.Level) error {
	if err := p.Pin.Out(l); err != nil {
		return err
	}
	if p.reset && l == gpio.Low {
		p.c.mu.Lock()
		p.c.resetRegisters()
		p.c.mu.Unlock()
	}
	return nil
}
