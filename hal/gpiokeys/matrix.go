package gpiokeys

import (
	"context"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"ccphone/hal"
)

// MatrixPins wires a key matrix: a key closes the contact between its row
// and its column.
type MatrixPins struct {
	// Rows are driven low one at a time to select them, and released
	// (high impedance) otherwise; all are driven low while idle.
	Rows []gpio.PinIO
	// Cols read low when a closed key connects them to a selected row.
	Cols []gpio.PinIn
	// Keys[r][c] is the key between row r and column c, or hal.KeyNone
	// where there is none. It has len(Rows) rows of len(Cols) keys.
	Keys [][]hal.Key
	// ExternalPullUps means the board has pull-up resistors on the
	// columns; otherwise Run enables the pins' internal pull-ups.
	ExternalPullUps bool
}

// Matrix scans a key matrix. It implements Source. Run must not be called
// by two goroutines at once.
type Matrix struct {
	pins MatrixPins
	cols []gpio.PinIn
	opts Opts
}

var _ Source = (*Matrix)(nil)

// NewMatrix returns a Matrix for pins with opts (nil means DefaultOpts).
// Nothing touches the pins before Run.
func NewMatrix(pins MatrixPins, opts *Opts) (*Matrix, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	if len(pins.Rows) == 0 || len(pins.Cols) == 0 || len(pins.Keys) != len(pins.Rows) {
		return nil, wrapf(ErrBadConfig, "%d rows, %d columns, %d rows of keys", len(pins.Rows), len(pins.Cols), len(pins.Keys))
	}
	for r, row := range pins.Keys {
		if len(row) != len(pins.Cols) {
			return nil, wrapf(ErrBadConfig, "row %d has %d keys for %d columns", r, len(row), len(pins.Cols))
		}
	}
	return &Matrix{pins: pins, cols: pins.Cols, opts: o}, nil
}

// matrixKey is the debouncing state of one crossing.
type matrixKey struct {
	raw      bool      // closed in the last usable scan
	since    time.Time // when raw last changed
	reported bool      // closed, as last reported
}

// Run implements Source. While every key is up it sleeps until a column
// sees an edge; while any key is down it scans every Opts.ScanInterval.
func (m *Matrix) Run(ctx context.Context, events chan<- hal.KeyEvent) error {
	pull := gpio.PullUp
	if m.pins.ExternalPullUps {
		pull = gpio.PullNoChange
	}
	for c, p := range m.pins.Cols {
		if err := p.In(pull, gpio.BothEdges); err != nil {
			return fmt.Errorf("%w: matrix column %d on %s: %w", ErrPin, c, p, err)
		}
	}
	if err := m.selectAll(); err != nil {
		return err
	}
	keys := make([][]matrixKey, len(m.pins.Rows))
	sample := make([][]bool, len(m.pins.Rows))
	for r := range keys {
		keys[r] = make([]matrixKey, len(m.pins.Cols))
		sample[r] = make([]bool, len(m.pins.Cols))
	}
	wake := make(chan struct{}, 1)
	tick := make(chan struct{}, 1)
	stopWatch := watch(m.cols, m.opts.EdgeWait, func(int) { signal(wake) })
	defer stopWatch()
	var stopTimer func() bool
	defer func() {
		if stopTimer != nil {
			stopTimer()
		}
	}()

	var out []hal.KeyEvent
	for {
		// Idle: every row selected, so any key pulls its column low.
		// Forget edges seen so far, then look: an edge after the look
		// wakes us.
		select {
		case <-wake:
		default:
		}
		if !m.anyColumnLow() {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-wake:
			}
		}
		if err := m.deselectAll(); err != nil {
			return err
		}
		for {
			now := m.opts.Clock.Now()
			if err := m.scan(sample); err != nil {
				return err
			}
			var active bool
			out, active = m.debounce(keys, sample, now, out[:0])
			stopTimer = nil
			if active {
				stopTimer = m.opts.Clock.AfterFunc(m.opts.ScanInterval, func() { signal(tick) })
			}
			if err := send(ctx, events, out); err != nil {
				return err
			}
			if !active {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick:
			}
		}
		if err := m.selectAll(); err != nil {
			return err
		}
	}
}

// scan selects each row in turn and reads which columns it pulls low.
func (m *Matrix) scan(sample [][]bool) error {
	for r, row := range m.pins.Rows {
		if err := row.Out(gpio.Low); err != nil {
			return fmt.Errorf("%w: select matrix row %d on %s: %w", ErrPin, r, row, err)
		}
		for c, col := range m.pins.Cols {
			sample[r][c] = col.Read() == gpio.Low
		}
		if err := row.In(gpio.PullNoChange, gpio.NoEdge); err != nil {
			return fmt.Errorf("%w: release matrix row %d on %s: %w", ErrPin, r, row, err)
		}
	}
	return nil
}

// debounce folds one scan into keys, appends the keys that settled to out,
// and reports whether any key is down or about to change (so scanning
// must go on).
func (m *Matrix) debounce(keys [][]matrixKey, sample [][]bool, now time.Time, out []hal.KeyEvent) ([]hal.KeyEvent, bool) {
	usable := !ghosted(sample)
	active := false
	for r := range keys {
		for c := range keys[r] {
			k := &keys[r][c]
			if usable && sample[r][c] != k.raw {
				k.raw, k.since = sample[r][c], now
			}
			if key := m.pins.Keys[r][c]; key != hal.KeyNone && k.raw != k.reported && now.Sub(k.since) >= m.opts.Debounce {
				k.reported = k.raw
				out = append(out, hal.KeyEvent{Key: key, Down: k.raw, At: now})
			}
			active = active || k.raw || k.reported
		}
	}
	return out, active
}

// ghosted reports whether a scan shows four closed crossings at the
// corners of a rectangle: without diodes, three real keys there read as
// four, and no one can tell which is the ghost. Such scans are skipped.
func ghosted(sample [][]bool) bool {
	for r1 := range sample {
		for r2 := r1 + 1; r2 < len(sample); r2++ {
			shared := 0
			for c := range sample[r1] {
				if sample[r1][c] && sample[r2][c] {
					shared++
				}
			}
			if shared >= 2 {
				return true
			}
		}
	}
	return false
}

// selectAll drives every row low: the idle state.
func (m *Matrix) selectAll() error {
	for r, row := range m.pins.Rows {
		if err := row.Out(gpio.Low); err != nil {
			return fmt.Errorf("%w: matrix row %d on %s: %w", ErrPin, r, row, err)
		}
	}
	return nil
}

// deselectAll releases every row.
func (m *Matrix) deselectAll() error {
	for r, row := range m.pins.Rows {
		if err := row.In(gpio.PullNoChange, gpio.NoEdge); err != nil {
			return fmt.Errorf("%w: matrix row %d on %s: %w", ErrPin, r, row, err)
		}
	}
	return nil
}

func (m *Matrix) anyColumnLow() bool {
	for _, c := range m.pins.Cols {
		if c.Read() == gpio.Low {
			return true
		}
	}
	return false
}
