package cc800

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"ccphone/hal"
)

//go:embed cc800-rev-a.board
var defaultBoard string

// DefaultFile is the name the embedded default definition reports in
// problems.
const DefaultFile = "cc800-rev-a.board"

// Definition is a parsed board file: which pin, bus and audio device does
// what. It is plain data; Validate checks it and Open brings it to life.
// A Definition is not safe for concurrent modification.
type Definition struct {
	File      string // where it was read from, for messages
	LCD       LCD
	Backlight Backlight
	LEDs      map[hal.LED]LEDPins
	// LEDActiveLow means a low pin lights an LED (led.active_low).
	LEDActiveLow bool
	Matrix       Matrix
	Direct       []DirectInput
	Debounce     time.Duration // keys.debounce_ms
	ScanInterval time.Duration // keys.scan_ms
	// Audio holds the PortAudio device name of each port (audio.headset,
	// audio.speaker, audio.monitor).
	Audio [hal.NumAudioPorts]string

	lines    map[string]int // setting → line it was read from
	problems []error        // found while parsing
}

// LCD is the lcd.* section.
type LCD struct {
	SPI            string // lcd.spi: spireg port name
	SPIHz          int64  // lcd.spi_hz: clock in hertz
	DC             string // lcd.dc: data/command pin
	Reset          string // lcd.reset: reset pin; empty if none
	Contrast       int    // lcd.contrast: 0..63
	Bias           int    // lcd.bias: 9 or 7
	RegulatorRatio int    // lcd.regulator_ratio: 0..7
	FlipX, FlipY   bool   // lcd.flip_x, lcd.flip_y
	ColumnOffset   int    // lcd.column_offset: 0..4
}

// Backlight is the backlight.* section.
type Backlight struct {
	Pin       string // backlight.pin; empty if none
	ActiveLow bool   // backlight.active_low
	PWMHz     int64  // backlight.pwm_hz: 0 for on/off only
}

// LEDPins names the pins of one LED; Green is empty for single-colour
// LEDs.
type LEDPins struct{ Red, Green string }

// Matrix is the keys.matrix.* section.
type Matrix struct {
	Rows, Cols      []string    // keys.matrix.rows, keys.matrix.cols
	Keys            [][]hal.Key // keys.matrix.row.N, N from 1; KeyNone for "-"
	ExternalPullUps bool        // keys.matrix.external_pullups
}

// DirectInput is a key or switch on its own pin: keys.direct.<key> or
// jack.monitor.
type DirectInput struct {
	Field     string // the setting that names the pin, for messages
	Key       hal.Key
	Pin       string
	ActiveLow bool   // <field>.active_low, default 1
	Pull      string // <field>.pull: up, down or none; default up when active-low, else down
}

// Problem is one thing wrong with a board file, at a line and setting.
type Problem struct {
	File  string
	Line  int // 0 when the setting is missing altogether
	Field string
	Err   error // wraps one of the package's Err… values
}

func (p *Problem) Error() string {
	where := p.File
	if p.Line > 0 {
		where += ":" + strconv.Itoa(p.Line)
	}
	return where + ": " + p.Field + ": " + p.Err.Error()
}

// Unwrap lets errors.Is find the sentinel.
func (p *Problem) Unwrap() error { return p.Err }

// Default returns the embedded definition of the CC800 revision A.
func Default() (*Definition, error) {
	return Parse(DefaultFile, strings.NewReader(defaultBoard))
}

// ParseFile reads the board file at path.
func ParseFile(path string) (*Definition, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cc800: %w", err)
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads a board file from r; name is used in messages. Only a read
// error fails Parse: problems with the content are kept for Validate, so
// that it can report them all at once.
func Parse(name string, r io.Reader) (*Definition, error) {
	d := &Definition{
		File:         name,
		LEDs:         map[hal.LED]LEDPins{},
		Debounce:     20 * time.Millisecond,
		ScanInterval: 5 * time.Millisecond,
		LCD:          LCD{SPIHz: 4_000_000, Contrast: 22, Bias: 9, RegulatorRatio: 5},
		lines:        map[string]int{},
	}
	rows := map[int][]hal.Key{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := commentStart(line); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || key == "" {
			d.problem(n, line, ErrSyntax)
			continue
		}
		if first, dup := d.lines[key]; dup {
			d.problem(n, key, fmt.Errorf("%w (first at line %d)", ErrTwice, first))
			continue
		}
		d.lines[key] = n
		if err := d.set(key, val, rows); err != nil {
			d.problem(n, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cc800: read %s: %w", name, err)
	}
	last := 0
	for i := range rows {
		last = max(last, i)
	}
	for i := 1; i <= last; i++ {
		keys, ok := rows[i]
		if !ok {
			d.problem(0, "keys.matrix.row."+strconv.Itoa(i), ErrMissing)
		}
		d.Matrix.Keys = append(d.Matrix.Keys, keys)
	}
	return d, nil
}

// commentStart returns where a comment starts: a "#" at the start of the
// line or after a blank, or -1.
func commentStart(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return i
		}
	}
	return -1
}

func (d *Definition) problem(line int, field string, err error) {
	d.problems = append(d.problems, &Problem{File: d.File, Line: line, Field: field, Err: err})
}

// set applies one setting.
func (d *Definition) set(key, val string, rows map[int][]hal.Key) error {
	switch key {
	case "lcd.spi":
		return str(&d.LCD.SPI, val)
	case "lcd.spi_hz":
		return int64In(&d.LCD.SPIHz, val, 1, 50_000_000)
	case "lcd.dc":
		return str(&d.LCD.DC, val)
	case "lcd.reset":
		return str(&d.LCD.Reset, val)
	case "lcd.contrast":
		return intIn(&d.LCD.Contrast, val, 0, hal.MaxContrast)
	case "lcd.bias":
		if err := intIn(&d.LCD.Bias, val, 7, 9); err != nil || d.LCD.Bias == 8 {
			return fmt.Errorf("%w: %q is neither 9 nor 7", ErrBadValue, val)
		}
		return nil
	case "lcd.regulator_ratio":
		return intIn(&d.LCD.RegulatorRatio, val, 0, 7)
	case "lcd.flip_x":
		return flag(&d.LCD.FlipX, val)
	case "lcd.flip_y":
		return flag(&d.LCD.FlipY, val)
	case "lcd.column_offset":
		return intIn(&d.LCD.ColumnOffset, val, 0, 4)
	case "backlight.pin":
		return str(&d.Backlight.Pin, val)
	case "backlight.active_low":
		return flag(&d.Backlight.ActiveLow, val)
	case "backlight.pwm_hz":
		return int64In(&d.Backlight.PWMHz, val, 0, 1_000_000)
	case "led.active_low":
		return flag(&d.LEDActiveLow, val)
	case "keys.debounce_ms":
		return msIn(&d.Debounce, val, 0, 200)
	case "keys.scan_ms":
		return msIn(&d.ScanInterval, val, 1, 100)
	case "keys.matrix.rows":
		return list(&d.Matrix.Rows, val)
	case "keys.matrix.cols":
		return list(&d.Matrix.Cols, val)
	case "keys.matrix.external_pullups":
		return flag(&d.Matrix.ExternalPullUps, val)
	case "audio.headset", "audio.speaker", "audio.monitor":
		port, _ := hal.ParseAudioPort(strings.TrimPrefix(key, "audio."))
		return str(&d.Audio[port], val)
	case "jack.monitor":
		return d.direct(key, hal.KeyMonitorJack, val)
	}
	if name, ok := strings.CutPrefix(key, "led."); ok {
		return d.led(name, val)
	}
	if n, ok := strings.CutPrefix(key, "keys.matrix.row."); ok {
		i, err := strconv.Atoi(n)
		if err != nil || i < 1 || i > 16 {
			return ErrUnknownSetting
		}
		return matrixRow(rows, i, val)
	}
	if rest, ok := strings.CutPrefix(key, "keys.direct."); ok {
		name, attr, _ := strings.Cut(rest, ".")
		k, known := hal.ParseKey(name)
		switch {
		case !known:
			return fmt.Errorf("%w %q", ErrUnknownKey, name)
		case attr == "":
			return d.direct(key, k, val)
		}
	}
	if field, ok := strings.CutSuffix(key, ".active_low"); ok && d.directField(field) != nil {
		return flag(&d.directField(field).ActiveLow, val)
	}
	if field, ok := strings.CutSuffix(key, ".pull"); ok && d.directField(field) != nil {
		if val != "up" && val != "down" && val != "none" {
			return fmt.Errorf("%w: %q is not up, down or none", ErrBadValue, val)
		}
		d.directField(field).Pull = val
		return nil
	}
	return ErrUnknownSetting
}

// led sets led.<name>, led.<name>.red or led.<name>.green.
func (d *Definition) led(name, val string) error {
	if val == "" {
		return fmt.Errorf("%w: empty", ErrBadValue)
	}
	name, colour, _ := strings.Cut(name, ".")
	id, ok := hal.ParseLED(name)
	if !ok {
		return ErrUnknownSetting
	}
	two := id == hal.LEDLine1 || id == hal.LEDLine2
	p := d.LEDs[id]
	switch {
	case two && colour == "red", !two && colour == "":
		p.Red = val
	case two && colour == "green":
		p.Green = val
	default:
		return ErrUnknownSetting
	}
	d.LEDs[id] = p
	return nil
}

func (d *Definition) direct(field string, k hal.Key, pin string) error {
	if pin == "" {
		return fmt.Errorf("%w: empty", ErrBadValue)
	}
	d.Direct = append(d.Direct, DirectInput{Field: field, Key: k, Pin: pin, ActiveLow: true})
	return nil
}

// directField returns the direct input named by field, if it came before.
func (d *Definition) directField(field string) *DirectInput {
	for i := range d.Direct {
		if d.Direct[i].Field == field {
			return &d.Direct[i]
		}
	}
	return nil
}

func matrixRow(rows map[int][]hal.Key, i int, val string) error {
	var keys []hal.Key
	var unknown []string
	for _, name := range strings.Split(val, ",") {
		name = strings.TrimSpace(name)
		if name == "-" {
			keys = append(keys, hal.KeyNone)
			continue
		}
		k, ok := hal.ParseKey(name)
		if !ok {
			unknown = append(unknown, strconv.Quote(name))
		}
		keys = append(keys, k)
	}
	rows[i] = keys
	if len(unknown) > 0 {
		return fmt.Errorf("%w %s (known: %s)", ErrUnknownKey, strings.Join(unknown, ", "), strings.Join(hal.KeyNames(), " "))
	}
	return nil
}

func str(dst *string, val string) error {
	if val == "" {
		return fmt.Errorf("%w: empty", ErrBadValue)
	}
	*dst = val
	return nil
}

func list(dst *[]string, val string) error {
	*dst = nil
	for _, v := range strings.Split(val, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			return fmt.Errorf("%w: empty name in list %q", ErrBadValue, val)
		}
		*dst = append(*dst, v)
	}
	return nil
}

func flag(dst *bool, val string) error {
	switch val {
	case "0":
		*dst = false
	case "1":
		*dst = true
	default:
		return fmt.Errorf("%w: %q is not 0 or 1", ErrBadValue, val)
	}
	return nil
}

func int64In(dst *int64, val string, lo, hi int64) error {
	v, err := strconv.ParseInt(val, 10, 64)
	if err != nil || v < lo || v > hi {
		return fmt.Errorf("%w: %q is not a number from %d to %d", ErrBadValue, val, lo, hi)
	}
	*dst = v
	return nil
}

func intIn(dst *int, val string, lo, hi int) error {
	var v int64
	if err := int64In(&v, val, int64(lo), int64(hi)); err != nil {
		return err
	}
	*dst = int(v)
	return nil
}

func msIn(dst *time.Duration, val string, lo, hi int) error {
	var v int
	if err := intIn(&v, val, lo, hi); err != nil {
		return err
	}
	*dst = time.Duration(v) * time.Millisecond
	return nil
}

// Validate reports every problem with d, each a *Problem naming the file,
// line and setting, joined with errors.Join; nil when d is usable. It does
// not look at the hardware: Open checks that the pins exist.
func (d *Definition) Validate() error {
	problems := slices.Clone(d.problems)
	add := func(field string, err error) {
		problems = append(problems, &Problem{File: d.File, Line: d.lines[field], Field: field, Err: err})
	}
	if d.LCD.SPI == "" && d.LCD.DC == "" {
		add("lcd", fmt.Errorf("%w: no LCD section (lcd.spi, lcd.dc)", ErrMissing))
	} else {
		if d.LCD.SPI == "" {
			add("lcd.spi", ErrMissing)
		}
		if d.LCD.DC == "" {
			add("lcd.dc", ErrMissing)
		}
	}
	for p := hal.AudioPort(0); p < hal.NumAudioPorts; p++ {
		if d.Audio[p] == "" {
			add("audio."+p.String(), fmt.Errorf("%w: no PortAudio device for the %v", ErrMissing, p))
		}
	}
	for id, p := range d.LEDs {
		if p.Red == "" {
			add("led."+id.String()+".red", fmt.Errorf("%w: %v has a green pin but no red one", ErrMissing, id))
		}
	}
	m := d.Matrix
	switch {
	case len(m.Rows) == 0 && len(m.Cols) == 0 && len(m.Keys) == 0:
	case len(m.Rows) == 0:
		add("keys.matrix.rows", ErrMissing)
	case len(m.Cols) == 0:
		add("keys.matrix.cols", ErrMissing)
	default:
		if len(m.Keys) != len(m.Rows) {
			add("keys.matrix.rows", fmt.Errorf("%w: %d rows but %d keys.matrix.row.N lines", ErrBadValue, len(m.Rows), len(m.Keys)))
		}
		for i, row := range m.Keys {
			if row != nil && len(row) != len(m.Cols) {
				field := "keys.matrix.row." + strconv.Itoa(i+1)
				add(field, fmt.Errorf("%w: %d keys for %d columns", ErrBadValue, len(row), len(m.Cols)))
			}
		}
	}
	// Each key in one place.
	keyAt := map[hal.Key]string{}
	useKey := func(k hal.Key, field string) {
		if k == hal.KeyNone {
			return
		}
		if first, ok := keyAt[k]; ok {
			add(field, fmt.Errorf("%w: %v is already on %s (line %d)", ErrKeyReused, k, first, d.lines[first]))
			return
		}
		keyAt[k] = field
	}
	for i, row := range m.Keys {
		for _, k := range row {
			useKey(k, "keys.matrix.row."+strconv.Itoa(i+1))
		}
	}
	for _, in := range d.Direct {
		useKey(in.Key, in.Field)
	}
	// Each pin in one place.
	pinAt := map[string]string{}
	for _, u := range d.pinUses() {
		if first, ok := pinAt[u.pin]; ok {
			add(u.field, fmt.Errorf("%w: %s is already %s (line %d)", ErrPinReused, u.pin, first, d.lines[first]))
			continue
		}
		pinAt[u.pin] = u.field
	}
	return errors.Join(problems...)
}

// pinUse is one pin named by one setting.
type pinUse struct{ field, pin string }

// pinUses lists every GPIO the definition names, in file order of
// sections.
func (d *Definition) pinUses() []pinUse {
	var u []pinUse
	add := func(field, pin string) {
		if pin != "" {
			u = append(u, pinUse{field, pin})
		}
	}
	add("lcd.dc", d.LCD.DC)
	add("lcd.reset", d.LCD.Reset)
	add("backlight.pin", d.Backlight.Pin)
	for id := hal.LED(0); id < hal.NumLEDs; id++ {
		p := d.LEDs[id]
		if p.Green != "" || id == hal.LEDLine1 || id == hal.LEDLine2 {
			add("led."+id.String()+".red", p.Red)
			add("led."+id.String()+".green", p.Green)
		} else {
			add("led."+id.String(), p.Red)
		}
	}
	for _, p := range d.Matrix.Rows {
		add("keys.matrix.rows", p)
	}
	for _, p := range d.Matrix.Cols {
		add("keys.matrix.cols", p)
	}
	for _, in := range d.Direct {
		add(in.Field, in.Pin)
	}
	return u
}
