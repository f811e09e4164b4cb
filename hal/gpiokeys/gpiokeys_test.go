package gpiokeys

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"ccphone/hal"
	"ccphone/hal/haltest"
)

const (
	debounce = 20 * time.Millisecond
	interval = 5 * time.Millisecond
)

func testOpts(clk *haltest.Clock) *Opts {
	// EdgeWait is real time (gpiotest pins wait on the system clock); it
	// only bounds how fast Run returns after cancel.
	return &Opts{Debounce: debounce, ScanInterval: interval, EdgeWait: 5 * time.Millisecond, Clock: clk}
}

// start runs src until the returned stop is called; stop cancels, waits
// for Run and returns its error and the events left unread.
func start(t *testing.T, src Source) (<-chan hal.KeyEvent, func() (error, []hal.KeyEvent)) {
	t.Helper()
	events := make(chan hal.KeyEvent, 32)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, events) }()
	var once sync.Once
	var err error
	stop := func() (error, []hal.KeyEvent) {
		once.Do(func() {
			cancel()
			err = <-errc
		})
		var rest []hal.KeyEvent
		for {
			select {
			case ev := <-events:
				rest = append(rest, ev)
			default:
				return err, rest
			}
		}
	}
	t.Cleanup(func() { stop() })
	return events, stop
}

// inPin is a gpiotest pin that says when Run has configured it: In
// flushes edges, so an edge sent before would be lost.
type inPin struct {
	*gpiotest.Pin
	once       sync.Once
	configured chan struct{}
}

func (p *inPin) In(pull gpio.Pull, edge gpio.Edge) error {
	err := p.Pin.In(pull, edge)
	p.once.Do(func() { close(p.configured) })
	return err
}

func inputPin(name string) *inPin {
	return &inPin{Pin: &gpiotest.Pin{N: name, EdgesChan: make(chan gpio.Level)}, configured: make(chan struct{})}
}

// edges feeds levels to pin as edges once Run has configured it. Each
// send returns once the watcher has taken the edge, which is after it has
// handled the one before; end with a repeat of the last level to know the
// last change was handled.
func edges(pin *inPin, levels ...gpio.Level) {
	<-pin.configured
	for _, l := range levels {
		pin.EdgesChan <- l
	}
}

func expect(t *testing.T, events <-chan hal.KeyEvent, want hal.KeyEvent) {
	t.Helper()
	got := <-events
	if got.Key != want.Key || got.Down != want.Down || !got.At.Equal(want.At) {
		t.Fatalf("event %v at %v, want %v at %v", got, got.At, want, want.At)
	}
}

func expectEnd(t *testing.T, stop func() (error, []hal.KeyEvent)) {
	t.Helper()
	err, rest := stop()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v after cancel, want context.Canceled", err)
	}
	if len(rest) != 0 {
		t.Errorf("extra events %v", rest)
	}
}

func TestDirectBouncingPress(t *testing.T) {
	clk := haltest.NewClock()
	pin := inputPin("HEADSET")
	d, err := NewDirect([]Input{{Key: hal.KeyHeadset, Pin: pin, ActiveLow: true, Pull: gpio.PullUp}}, testOpts(clk))
	if err != nil {
		t.Fatal(err)
	}
	events, stop := start(t, d)
	t0 := clk.Now()
	// The contact bounces for 15 ms; the press counts 20 ms after the
	// last bounce.
	edges(pin, gpio.Low, gpio.High, gpio.Low, gpio.Low)
	clk.Advance(10 * time.Millisecond)
	edges(pin, gpio.High, gpio.High)
	clk.Advance(5 * time.Millisecond)
	edges(pin, gpio.Low, gpio.Low)
	clk.Advance(debounce - time.Millisecond)
	if clk.Pending() != 1 {
		t.Fatal("press settled before the debounce time")
	}
	clk.Advance(time.Millisecond)
	down := t0.Add(15*time.Millisecond + debounce)
	expect(t, events, hal.KeyEvent{Key: hal.KeyHeadset, Down: true, At: down})

	edges(pin, gpio.High, gpio.Low, gpio.High, gpio.High)
	clk.Advance(debounce)
	expect(t, events, hal.KeyEvent{Key: hal.KeyHeadset, Down: false, At: down.Add(debounce)})
	if clk.Pending() != 0 {
		t.Error("a timer is armed while no key changes")
	}
	expectEnd(t, stop)
}

func TestDirectGlitchIsIgnored(t *testing.T) {
	clk := haltest.NewClock()
	pin := inputPin("HEADSET")
	d, err := NewDirect([]Input{{Key: hal.KeyHeadset, Pin: pin, ActiveLow: true, Pull: gpio.PullUp}}, testOpts(clk))
	if err != nil {
		t.Fatal(err)
	}
	_, stop := start(t, d)
	edges(pin, gpio.Low, gpio.Low)
	clk.Advance(debounce / 2)
	edges(pin, gpio.High, gpio.High)
	clk.Advance(2 * debounce)
	expectEnd(t, stop)
}

func TestDirectJack(t *testing.T) {
	for _, plugged := range []bool{false, true} {
		t.Run(fmt.Sprintf("plugged at start=%v", plugged), func(t *testing.T) {
			clk := haltest.NewClock()
			headset := inputPin("HEADSET")
			jack := inputPin("JACK")
			jack.L = gpio.Level(!plugged) // external pull-up; plugged pulls low
			d, err := NewDirect([]Input{
				{Key: hal.KeyHeadset, Pin: headset, ActiveLow: true, Pull: gpio.PullUp},
				{Key: hal.KeyMonitorJack, Pin: jack, ActiveLow: true, Pull: gpio.PullNoChange},
			}, testOpts(clk))
			if err != nil {
				t.Fatal(err)
			}
			events, stop := start(t, d)
			t0 := clk.Now()
			if plugged {
				expect(t, events, hal.KeyEvent{Key: hal.KeyMonitorJack, Down: true, At: t0})
				edges(jack, gpio.High, gpio.High)
				clk.Advance(debounce)
				expect(t, events, hal.KeyEvent{Key: hal.KeyMonitorJack, Down: false, At: t0.Add(debounce)})
			} else {
				edges(jack, gpio.Low, gpio.Low)
				clk.Advance(debounce)
				expect(t, events, hal.KeyEvent{Key: hal.KeyMonitorJack, Down: true, At: t0.Add(debounce)})
			}
			// The headset key does not disturb the jack.
			edges(headset, gpio.Low, gpio.Low)
			clk.Advance(debounce)
			expect(t, events, hal.KeyEvent{Key: hal.KeyHeadset, Down: true, At: t0.Add(2 * debounce)})
			expectEnd(t, stop)
		})
	}
}

func TestDirectKeyHeldAtStart(t *testing.T) {
	clk := haltest.NewClock()
	pin := inputPin("HOLD")
	pin.L = gpio.High // active-high key with an external pull-down, held
	d, err := NewDirect([]Input{{Key: hal.KeyHold, Pin: pin, Pull: gpio.PullNoChange}}, testOpts(clk))
	if err != nil {
		t.Fatal(err)
	}
	events, stop := start(t, d)
	t0 := clk.Now()
	clk.WaitPending(1)
	clk.Advance(debounce)
	expect(t, events, hal.KeyEvent{Key: hal.KeyHold, Down: true, At: t0.Add(debounce)})
	expectEnd(t, stop)
}

func TestDirectPinFailure(t *testing.T) {
	pin := &gpiotest.Pin{N: "NOEDGES"} // gpiotest refuses edges without EdgesChan
	d, err := NewDirect([]Input{{Key: hal.KeyHook, Pin: pin}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Run(context.Background(), make(chan hal.KeyEvent)); !errors.Is(err, ErrPin) {
		t.Errorf("Run = %v, want ErrPin", err)
	}
}

func TestBadConfig(t *testing.T) {
	if _, err := NewDirect([]Input{{Key: hal.KeyHook}}, nil); !errors.Is(err, ErrBadConfig) {
		t.Errorf("NewDirect without a pin = %v", err)
	}
	if _, err := NewDirect(nil, &Opts{ScanInterval: 0, EdgeWait: time.Second}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("NewDirect with zero ScanInterval = %v", err)
	}
	m := newKeyMatrix(2, 2)
	p := m.pins()
	p.Keys = p.Keys[:1]
	if _, err := NewMatrix(p, nil); !errors.Is(err, ErrBadConfig) {
		t.Errorf("NewMatrix with a missing row of keys = %v", err)
	}
}

// keyMatrix is an electrical model of a diode-less key matrix: a column
// reads low when a chain of closed keys connects it to a row driven low.
type keyMatrix struct {
	mu      sync.Mutex
	rows    []*matrixRow
	cols    []*matrixCol
	pressed map[[2]int]bool
}

type matrixRow struct {
	*gpiotest.Pin
	m      *keyMatrix
	driven bool // driven low
}

func (r *matrixRow) Out(l gpio.Level) error {
	r.m.mu.Lock()
	r.driven = l == gpio.Low
	r.m.mu.Unlock()
	return r.Pin.Out(l)
}

func (r *matrixRow) In(pull gpio.Pull, edge gpio.Edge) error {
	r.m.mu.Lock()
	r.driven = false
	r.m.mu.Unlock()
	return r.Pin.In(pull, edge)
}

type matrixCol struct {
	*inPin
	m *keyMatrix
	c int
}

func (c *matrixCol) Read() gpio.Level { return c.m.level(c.c) }

func newKeyMatrix(rows, cols int) *keyMatrix {
	m := &keyMatrix{pressed: map[[2]int]bool{}}
	for r := 0; r < rows; r++ {
		m.rows = append(m.rows, &matrixRow{Pin: &gpiotest.Pin{N: fmt.Sprintf("ROW%d", r)}, m: m})
	}
	for c := 0; c < cols; c++ {
		m.cols = append(m.cols, &matrixCol{inPin: inputPin(fmt.Sprintf("COL%d", c)), m: m, c: c})
	}
	return m
}

// layout gives every crossing a distinct key, row by row from KeyLine1.
func (m *keyMatrix) layout() [][]hal.Key {
	keys := make([][]hal.Key, len(m.rows))
	k := hal.KeyLine1
	for r := range keys {
		for range m.cols {
			keys[r] = append(keys[r], k)
			k++
		}
	}
	return keys
}

func (m *keyMatrix) pins() MatrixPins {
	p := MatrixPins{Keys: m.layout()}
	for _, r := range m.rows {
		p.Rows = append(p.Rows, r)
	}
	for _, c := range m.cols {
		p.Cols = append(p.Cols, c)
	}
	return p
}

// level is column c's level: low when connected, through closed keys, to
// a driven row.
func (m *keyMatrix) level(c int) gpio.Level {
	m.mu.Lock()
	defer m.mu.Unlock()
	seenRow := make([]bool, len(m.rows))
	seenCol := make([]bool, len(m.cols))
	seenCol[c] = true
	queue := []int{c}
	for len(queue) > 0 {
		col := queue[0]
		queue = queue[1:]
		for r := range m.rows {
			if seenRow[r] || !m.pressed[[2]int{r, col}] {
				continue
			}
			if m.rows[r].driven {
				return gpio.Low
			}
			seenRow[r] = true
			for c2 := range m.cols {
				if !seenCol[c2] && m.pressed[[2]int{r, c2}] {
					seenCol[c2] = true
					queue = append(queue, c2)
				}
			}
		}
	}
	return gpio.High
}

// press closes the keys at once and, as the hardware would, makes an
// edge on the column of the first.
func (m *keyMatrix) press(rc ...[2]int) {
	m.mu.Lock()
	for _, k := range rc {
		m.pressed[k] = true
	}
	m.mu.Unlock()
	edges(m.cols[rc[0][1]].inPin, gpio.Low)
}

func (m *keyMatrix) release(r, c int) {
	m.mu.Lock()
	delete(m.pressed, [2]int{r, c})
	m.mu.Unlock()
}

// steps lets the scanner finish its scan, then moves time to the next
// one, n times.
func steps(clk *haltest.Clock, n int) {
	for i := 0; i < n; i++ {
		clk.WaitPending(1)
		clk.Advance(interval)
	}
}

const settle = int(debounce / interval) // scans after the first that a change takes

func TestMatrixPressAndRelease(t *testing.T) {
	for _, rc := range [][2]int{{0, 0}, {0, 3}, {2, 1}, {4, 5}} {
		t.Run(fmt.Sprintf("row %d col %d", rc[0], rc[1]), func(t *testing.T) {
			clk := haltest.NewClock()
			m := newKeyMatrix(5, 6)
			mx, err := NewMatrix(m.pins(), testOpts(clk))
			if err != nil {
				t.Fatal(err)
			}
			want := m.layout()[rc[0]][rc[1]]
			events, stop := start(t, mx)
			if clk.Armed() != 0 {
				t.Fatal("the idle matrix armed a timer")
			}
			t0 := clk.Now()
			m.press(rc)
			steps(clk, settle)
			expect(t, events, hal.KeyEvent{Key: want, Down: true, At: t0.Add(debounce)})

			clk.WaitPending(1)
			m.release(rc[0], rc[1])
			steps(clk, 1+settle)
			expect(t, events, hal.KeyEvent{Key: want, Down: false, At: t0.Add(2*debounce + interval)})
			if clk.Pending() != 0 {
				t.Error("the scanner keeps scanning after every key is up")
			}
			armed := clk.Armed()
			clk.Advance(time.Second)
			if clk.Armed() != armed {
				t.Error("the idle matrix woke up")
			}
			for r, row := range m.rows {
				if row.Read() != gpio.Low {
					t.Errorf("row %d not driven low while idle", r)
				}
			}
			expectEnd(t, stop)
		})
	}
}

func TestMatrixTwoKeys(t *testing.T) {
	tests := []struct {
		name string
		a, b [2]int
	}{
		{"different rows and columns", [2]int{0, 1}, [2]int{3, 4}},
		{"same column", [2]int{0, 2}, [2]int{4, 2}},
		{"same row", [2]int{1, 0}, [2]int{1, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := haltest.NewClock()
			m := newKeyMatrix(5, 6)
			mx, err := NewMatrix(m.pins(), testOpts(clk))
			if err != nil {
				t.Fatal(err)
			}
			layout := m.layout()
			ka, kb := layout[tt.a[0]][tt.a[1]], layout[tt.b[0]][tt.b[1]]
			events, stop := start(t, mx)
			t0 := clk.Now()
			m.press(tt.a)
			steps(clk, 2)
			m.press(tt.b) // b goes down 10 ms after a
			steps(clk, settle)
			expect(t, events, hal.KeyEvent{Key: ka, Down: true, At: t0.Add(debounce)})
			expect(t, events, hal.KeyEvent{Key: kb, Down: true, At: t0.Add(debounce + 2*interval)})

			clk.WaitPending(1)
			m.release(tt.a[0], tt.a[1])
			steps(clk, 1+settle)
			expect(t, events, hal.KeyEvent{Key: ka, Down: false, At: t0.Add(2*debounce + 3*interval)})
			clk.WaitPending(1)
			m.release(tt.b[0], tt.b[1])
			steps(clk, 1+settle)
			expect(t, events, hal.KeyEvent{Key: kb, Down: false, At: t0.Add(3*debounce + 4*interval)})
			expectEnd(t, stop)
		})
	}
}

// TestMatrixThreeKeysGhost: three keys at the corners of a rectangle make
// the fourth read closed; the scanner must not report that ghost.
func TestMatrixThreeKeysGhost(t *testing.T) {
	clk := haltest.NewClock()
	m := newKeyMatrix(3, 3)
	mx, err := NewMatrix(m.pins(), testOpts(clk))
	if err != nil {
		t.Fatal(err)
	}
	layout := m.layout()
	events, stop := start(t, mx)
	t0 := clk.Now()
	m.press([2]int{0, 0}, [2]int{0, 1})
	steps(clk, settle)
	expect(t, events, hal.KeyEvent{Key: layout[0][0], Down: true, At: t0.Add(debounce)})
	expect(t, events, hal.KeyEvent{Key: layout[0][1], Down: true, At: t0.Add(debounce)})
	clk.WaitPending(1)
	m.press([2]int{1, 0}) // (1,1) now reads closed too
	steps(clk, 2*settle)
	clk.WaitPending(1)
	m.release(1, 0)
	m.release(0, 1)
	m.release(0, 0)
	steps(clk, 1+settle)
	expect(t, events, hal.KeyEvent{Key: layout[0][0], Down: false, At: t0.Add(2*debounce + 2*debounce + interval)})
	expect(t, events, hal.KeyEvent{Key: layout[0][1], Down: false, At: t0.Add(4*debounce + interval)})
	expectEnd(t, stop)
}

func TestMatrixCancelWhileScanning(t *testing.T) {
	clk := haltest.NewClock()
	m := newKeyMatrix(2, 2)
	mx, err := NewMatrix(m.pins(), testOpts(clk))
	if err != nil {
		t.Fatal(err)
	}
	_, stop := start(t, mx)
	m.press([2]int{1, 1})
	clk.WaitPending(1)
	expectEnd(t, stop)
	if clk.Pending() != 0 {
		t.Error("Run left its scan timer armed")
	}
}
