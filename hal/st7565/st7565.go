package st7565

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"

	"ccphone/hal"
)

// Controller commands, from the ST7565R datasheet's command table. They
// are sent with the data/command pin low.
const (
	cmdDisplayOff      = 0xAE
	cmdDisplayOn       = 0xAF
	cmdStartLine       = 0x40 // | line 0..63
	cmdPage            = 0xB0 // | page 0..8
	cmdColumnUpper     = 0x10 // | column bits 7..4
	cmdColumnLower     = 0x00 // | column bits 3..0
	cmdADCNormal       = 0xA0
	cmdADCReverse      = 0xA1
	cmdDisplayNormal   = 0xA6
	cmdAllPointsNormal = 0xA4
	cmdBias9           = 0xA2
	cmdBias7           = 0xA3
	cmdCOMNormal       = 0xC0
	cmdCOMReverse      = 0xC8
	cmdPowerAll        = 0x2F // booster, regulator and follower on
	cmdRegulatorRatio  = 0x20 // | ratio 0..7
	cmdVolume          = 0x81 // followed by the level 0..63
	cmdReset           = 0xE2
)

// ramColumns is the width of the controller's display RAM: 132 columns,
// of which the glass shows 128.
const ramColumns = 132

// Opts configures a Dev for one glass and board.
type Opts struct {
	// SPIHz is the SPI clock in hertz. The ST7565R accepts up to 20 MHz;
	// long flex cables want less.
	SPIHz int64
	// SPIMode is the SPI clock polarity and phase. The controller latches
	// on the rising edge, so Mode0 and Mode3 both work.
	SPIMode spi.Mode
	// Contrast is the electronic volume, 0 (faintest) to 63, sent as
	// 0x81 followed by the value.
	Contrast int
	// Bias is the LCD bias divisor, 9 (1/9) or 7 (1/7), as the glass's
	// datasheet asks.
	Bias int
	// RegulatorRatio selects the V0 regulator's resistor ratio, 0 to 7
	// (command 0x20|ratio); with Contrast it sets the drive voltage.
	RegulatorRatio int
	// FlipX reverses the segment scan (ADC select reverse), for glasses
	// wired or mounted mirrored left to right.
	FlipX bool
	// FlipY reverses the common scan (COM output reverse), for glasses
	// mounted upside down.
	FlipY bool
	// ColumnOffset is the display-RAM column, 0 to 4, that shows the
	// frame's column 0. Glasses driven with FlipX usually need 4.
	ColumnOffset int
	// ResetPulse is how long the reset pin is held low, and then how long
	// New waits after releasing it; the datasheet asks for at least 1 µs.
	ResetPulse time.Duration
}

// DefaultOpts suits the CC800's glass: 4 MHz, mid contrast, 1/9 bias,
// mounted upright with no column offset. Copy it before changing a field.
var DefaultOpts = Opts{
	SPIHz:          4_000_000,
	SPIMode:        spi.Mode0,
	Contrast:       22,
	Bias:           9,
	RegulatorRatio: 5,
	ResetPulse:     5 * time.Microsecond,
}

// Dev is one ST7565 display on an SPI port.
//
// Dev is not safe for concurrent use: the phone's event loop is its only
// caller, as hal.Display says.
type Dev struct {
	conn   spi.Conn
	dc     gpio.PinOut
	opts   Opts
	closed bool

	shadow hal.Frame // what the glass shows, valid once synced is set
	synced bool
	cmd    [3]byte // reused command buffer
}

var (
	_ hal.Display  = (*Dev)(nil)
	_ hal.Contrast = (*Dev)(nil)
)

// New connects to port, resets the controller through rst (nil when the
// board ties reset to a power-on circuit; a software reset is sent
// instead), and initialises it with opts (nil means DefaultOpts). The
// glass shows nothing until the first Show.
func New(port spi.Port, dc gpio.PinOut, rst gpio.PinOut, opts *Opts) (*Dev, error) {
	if opts == nil {
		opts = &DefaultOpts
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	c, err := port.Connect(physic.Frequency(opts.SPIHz)*physic.Hertz, opts.SPIMode, 8)
	if err != nil {
		return nil, fmt.Errorf("st7565: connect %s: %w", port, err)
	}
	d := &Dev{conn: c, dc: dc, opts: *opts}
	if err := d.init(rst); err != nil {
		return nil, err
	}
	return d, nil
}

func (o *Opts) check() error {
	switch {
	case o.SPIHz <= 0:
		return fmt.Errorf("%w: SPIHz %d", ErrBadOpts, o.SPIHz)
	case o.Contrast < 0 || o.Contrast > hal.MaxContrast:
		return fmt.Errorf("%w: Contrast %d not in 0..%d", ErrBadOpts, o.Contrast, hal.MaxContrast)
	case o.Bias != 9 && o.Bias != 7:
		return fmt.Errorf("%w: Bias %d is neither 9 nor 7", ErrBadOpts, o.Bias)
	case o.RegulatorRatio < 0 || o.RegulatorRatio > 7:
		return fmt.Errorf("%w: RegulatorRatio %d not in 0..7", ErrBadOpts, o.RegulatorRatio)
	case o.ColumnOffset < 0 || o.ColumnOffset > ramColumns-hal.LCDWidth:
		return fmt.Errorf("%w: ColumnOffset %d not in 0..%d", ErrBadOpts, o.ColumnOffset, ramColumns-hal.LCDWidth)
	case o.ResetPulse < 0:
		return fmt.Errorf("%w: ResetPulse %v", ErrBadOpts, o.ResetPulse)
	}
	return nil
}

// init resets the controller and sends the ST7565R power-up sequence.
func (d *Dev) init(rst gpio.PinOut) error {
	if rst != nil {
		if err := rst.Out(gpio.Low); err != nil {
			return fmt.Errorf("st7565: reset low: %w", err)
		}
		time.Sleep(d.opts.ResetPulse)
		if err := rst.Out(gpio.High); err != nil {
			return fmt.Errorf("st7565: reset high: %w", err)
		}
		time.Sleep(d.opts.ResetPulse)
	} else if err := d.command(cmdReset); err != nil {
		return fmt.Errorf("st7565: software reset: %w", err)
	}
	bias, adc, com := byte(cmdBias9), byte(cmdADCNormal), byte(cmdCOMNormal)
	if d.opts.Bias == 7 {
		bias = cmdBias7
	}
	if d.opts.FlipX {
		adc = cmdADCReverse
	}
	if d.opts.FlipY {
		com = cmdCOMReverse
	}
	seq := []byte{
		bias, adc, com,
		cmdRegulatorRatio | byte(d.opts.RegulatorRatio),
		cmdVolume, byte(d.opts.Contrast),
		cmdPowerAll,
		cmdStartLine | 0,
		cmdDisplayNormal, cmdAllPointsNormal,
		cmdDisplayOn,
	}
	if err := d.command(seq...); err != nil {
		return fmt.Errorf("st7565: init: %w", err)
	}
	return nil
}

// Show sends f to the glass: on the first call every page, afterwards only
// the pages that differ from the last frame shown, each from its first to
// its last changed column. It allocates nothing. If a transfer fails, the
// next Show sends the whole frame again.
func (d *Dev) Show(f *hal.Frame) error {
	if d.closed {
		return fmt.Errorf("st7565: show: %w", hal.ErrClosed)
	}
	for p := 0; p < hal.LCDPages; p++ {
		first, last := 0, hal.LCDWidth-1
		if d.synced {
			first, last = changedSpan(d.shadow.Page(p), f.Page(p))
			if first > last {
				continue
			}
		}
		if err := d.sendSpan(p, first, f.Page(p)[first:last+1]); err != nil {
			d.synced = false
			return fmt.Errorf("st7565: show page %d: %w", p, err)
		}
		copy(d.shadow.Page(p)[first:last+1], f.Page(p)[first:last+1])
	}
	d.synced = true
	return nil
}

// changedSpan returns the first and last index where old and cur differ,
// or first > last when they are equal.
func changedSpan(old, cur []byte) (first, last int) {
	first, last = 0, len(cur)-1
	for first <= last && old[first] == cur[first] {
		first++
	}
	for last >= first && old[last] == cur[last] {
		last--
	}
	return first, last
}

// sendSpan addresses page p at frame column col and writes data there.
func (d *Dev) sendSpan(p, col int, data []byte) error {
	c := col + d.opts.ColumnOffset
	d.cmd = [3]byte{cmdPage | byte(p), cmdColumnUpper | byte(c>>4), cmdColumnLower | byte(c&0x0F)}
	if err := d.command(d.cmd[:]...); err != nil {
		return err
	}
	return d.data(data)
}

// SetContrast implements hal.Contrast: it sets the electronic volume,
// 0 to hal.MaxContrast.
func (d *Dev) SetContrast(level int) error {
	if d.closed {
		return fmt.Errorf("st7565: set contrast: %w", hal.ErrClosed)
	}
	if level < 0 || level > hal.MaxContrast {
		return fmt.Errorf("st7565: contrast %d: %w", level, hal.ErrOutOfRange)
	}
	d.cmd[0], d.cmd[1] = cmdVolume, byte(level)
	if err := d.command(d.cmd[:2]...); err != nil {
		return fmt.Errorf("st7565: set contrast: %w", err)
	}
	d.opts.Contrast = level
	return nil
}

// Halt turns the glass off, keeping its content; the next Show does not
// turn it on again (New does).
func (d *Dev) Halt() error {
	if d.closed {
		return nil
	}
	if err := d.command(cmdDisplayOff); err != nil {
		return fmt.Errorf("st7565: halt: %w", err)
	}
	return nil
}

// Close turns the glass off; later calls to Show and SetContrast fail
// with hal.ErrClosed. It does not close the SPI port, which belongs to the
// caller.
func (d *Dev) Close() error {
	err := d.Halt()
	d.closed = true
	return err
}

// String names the display and its bus.
func (d *Dev) String() string { return fmt.Sprintf("st7565{%s}", d.conn) }

// command sends b with the data/command pin low.
func (d *Dev) command(b ...byte) error {
	if err := d.setDC(false); err != nil {
		return err
	}
	return d.conn.Tx(b, nil)
}

// data sends b with the data/command pin high.
func (d *Dev) data(b []byte) error {
	if err := d.setDC(true); err != nil {
		return err
	}
	return d.conn.Tx(b, nil)
}

func (d *Dev) setDC(high bool) error {
	if err := d.dc.Out(gpio.Level(high)); err != nil {
		return fmt.Errorf("data/command pin: %w", err)
	}
	return nil
}
