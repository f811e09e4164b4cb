package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"ccphone/board"
	"ccphone/hal"
)

// Options configures a sim board. New reads it once; the zero value is
// usable: it serves the panel on a kernel-chosen loopback port with no
// phone state.
type Options struct {
	// Addr is the panel's listen address, e.g. "127.0.0.1:8080";
	// "127.0.0.1:0" picks a free port. Empty means "127.0.0.1:0".
	Addr string
	// Logger receives the board's log; nil discards it.
	Logger *slog.Logger
	// State returns the phone's state (lines, calls, registration...); it
	// must marshal to a JSON object. The board adds "leds", "lcd" and
	// "monitor_jack", replacing keys of those names. State is called from
	// HTTP handler goroutines, possibly concurrently, so it must be safe
	// for concurrent use. Nil means no phone state: {}.
	State func() any
	// Title is shown on the panel, e.g. "ccphone 0.1.0 (sim)". Empty means
	// "ccphone (sim)".
	Title string
	// MonitorJack starts the board with the supervisor's headset plugged
	// in; Run then reports the closed switch first.
	MonitorJack bool
	// KeyTimeout bounds how long a key request waits for the phone to take
	// each event before it fails with 503. Zero means DefaultKeyTimeout.
	KeyTimeout time.Duration
	// AudioDir, if not empty, makes Audio a file device: each port plays
	// into AudioDir/<port>.raw and its microphone reads
	// AudioDir/<port>-in.raw (raw s16le; silence without it or after its
	// end), paced by the caller. Empty means the null device.
	AudioDir string
}

// DefaultKeyTimeout is the KeyTimeout used when Options leaves it zero.
const DefaultKeyTimeout = 5 * time.Second

// Default LCD settings of a new board, matching a freshly reset panel.
const (
	DefaultContrast  = 32  // of hal.MaxContrast
	DefaultBacklight = 100 // percent
)

// shutdownGrace bounds how long Run waits for HTTP handlers to finish after
// it has told them to stop.
const shutdownGrace = 5 * time.Second

// Board is the simulated CC800-class board. It implements board.Board.
//
// Display, LEDs and Audio return values that are safe for concurrent use;
// the panel's HTTP handlers read what the phone's event loop writes. Run
// may be called once; Close may be called at any time, more than once,
// from any goroutine.
type Board struct {
	log        *slog.Logger
	stateFn    func() any
	keyTimeout time.Duration
	page       []byte // the rendered front panel
	url        string

	ln  net.Listener
	srv *http.Server
	hub hub

	// base is the parent context of every request; stopRequests cancels it
	// so that long requests (event streams, held keys) end at shutdown.
	base         context.Context
	stopRequests context.CancelFunc

	display Display
	leds    LEDs
	audio   hal.AudioOpener // nullAudio or fileAudio, never changed

	// switchMu serialises switch changes with the delivery of their
	// events, so that the state reported and the events sent agree.
	switchMu sync.Mutex

	mu        sync.Mutex // guards the fields below
	frame     hal.Frame
	contrast  int
	backlight int
	ledStates [hal.NumLEDs]hal.LEDState
	jack      bool // the monitor headset is plugged in
	hook      bool // off hook
	events    chan<- hal.KeyEvent
	ran       bool
	closed    bool

	closeOnce sync.Once
	closeErr  error
}

var _ board.Board = (*Board)(nil)

// New listens on opts.Addr at once, so that URL is known, and returns a
// board that serves its panel once Run is called. The caller must Close
// the board.
func New(opts Options) (*Board, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	title := opts.Title
	if title == "" {
		title = "ccphone (sim)"
	}
	keyTimeout := opts.KeyTimeout
	if keyTimeout <= 0 {
		keyTimeout = DefaultKeyTimeout
	}
	page, err := renderPanel(title)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sim: listen on %s: %w", addr, err)
	}
	base, stop := context.WithCancel(context.Background())
	b := &Board{
		log:          logger,
		stateFn:      opts.State,
		keyTimeout:   keyTimeout,
		page:         page,
		url:          "http://" + ln.Addr().String() + "/",
		ln:           ln,
		base:         base,
		stopRequests: stop,
		contrast:     DefaultContrast,
		backlight:    DefaultBacklight,
		jack:         opts.MonitorJack,
		audio:        nullAudio{},
	}
	if opts.AudioDir != "" {
		b.audio = fileAudio{dir: opts.AudioDir}
	}
	b.hub.init()
	b.display.b = b
	b.leds.b = b
	b.srv = &http.Server{
		Handler:           b.routes(),
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	return b, nil
}

// URL returns the panel's address, "http://127.0.0.1:PORT/". It is safe
// for concurrent use.
func (b *Board) URL() string { return b.url }

// Display returns the LCD, which also implements hal.Contrast and
// hal.Backlight. It is safe for concurrent use.
func (b *Board) Display() hal.Display { return &b.display }

// LEDs returns the indicators. They are safe for concurrent use.
func (b *Board) LEDs() hal.LEDs { return &b.leds }

// Audio returns the audio device: by default the null device (ports read
// silence and discard what is written), with Options.AudioDir the file
// device. It is safe for concurrent use.
func (b *Board) Audio() hal.AudioOpener { return b.audio }

// NotifyState tells open panels that the phone's state changed, so that
// they fetch Options.State again. It never blocks: notifications that
// arrive faster than a panel reads are coalesced. It is safe for
// concurrent use.
func (b *Board) NotifyState() { b.hub.publish(topicState) }

// Run reports switches that are closed at start, then serves the panel and
// delivers key events to events until ctx is done. It then stops every
// request (event streams end, pending key presses fail with 503), shuts
// the server down and returns ctx.Err(). Run may be called once; if Close
// ends it early, it returns an error wrapping hal.ErrClosed.
func (b *Board) Run(ctx context.Context, events chan<- hal.KeyEvent) error {
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return fmt.Errorf("sim: run: %w", hal.ErrClosed)
	case b.ran:
		b.mu.Unlock()
		return ErrRunning
	}
	b.ran = true
	b.mu.Unlock()

	if err := b.reportClosedSwitches(ctx, events); err != nil {
		b.stopRequests()
		return err
	}
	b.mu.Lock()
	b.events = events
	b.mu.Unlock()
	b.log.Info("sim panel serving", "url", b.url)

	served := make(chan error, 1)
	go func() { served <- b.srv.Serve(b.ln) }()

	var err error
	select {
	case <-ctx.Done():
		err = ctx.Err()
	case serr := <-served:
		served <- serr // for the wait below
		b.mu.Lock()
		closed := b.closed
		b.mu.Unlock()
		if closed || errors.Is(serr, http.ErrServerClosed) {
			err = fmt.Errorf("sim: run: %w", hal.ErrClosed)
		} else {
			err = fmt.Errorf("sim: serve panel: %w", serr)
		}
	}

	b.stopRequests()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	if serr := b.srv.Shutdown(sctx); serr != nil {
		b.log.Warn("sim panel shutdown", "err", serr)
		if cerr := b.srv.Close(); cerr != nil {
			b.log.Warn("sim panel close", "err", cerr)
		}
	}
	cancel()
	<-served

	b.mu.Lock()
	b.events = nil
	b.mu.Unlock()
	return err
}

// reportClosedSwitches sends a down event for each switch closed at start.
func (b *Board) reportClosedSwitches(ctx context.Context, events chan<- hal.KeyEvent) error {
	b.switchMu.Lock()
	defer b.switchMu.Unlock()
	b.mu.Lock()
	closed := map[hal.Key]bool{hal.KeyMonitorJack: b.jack, hal.KeyHook: b.hook}
	b.mu.Unlock()
	for _, k := range []hal.Key{hal.KeyMonitorJack, hal.KeyHook} {
		if !closed[k] {
			continue
		}
		select {
		case events <- hal.KeyEvent{Key: k, Down: true, At: time.Now()}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close turns the LEDs off, stops the panel and releases the listener. It
// is idempotent and safe for concurrent use; after it, Show and SetLED
// return hal.ErrClosed.
func (b *Board) Close() error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.ledStates = [hal.NumLEDs]hal.LEDState{}
		b.closed = true
		b.mu.Unlock()
		b.hub.publish(topicLEDs)
		b.stopRequests()
		if err := b.srv.Close(); err != nil {
			b.closeErr = fmt.Errorf("sim: close panel: %w", err)
		}
		// Serve closes the listener it was given; if Run never served,
		// nobody else will.
		if err := b.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) && b.closeErr == nil {
			b.closeErr = fmt.Errorf("sim: close listener: %w", err)
		}
	})
	return b.closeErr
}

// deliver hands ev to the phone, waiting at most KeyTimeout or until ctx
// ends.
func (b *Board) deliver(ctx context.Context, ev hal.KeyEvent) error {
	b.mu.Lock()
	ch := b.events
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, b.keyTimeout)
	defer cancel()
	select {
	case ch <- ev: // a nil ch (Run not running) never sends
		return nil
	case <-ctx.Done():
		return fmt.Errorf("deliver %v: %w", ev, ErrNotDelivered)
	}
}

// snapshot is what the panel shows, copied under the lock.
type snapshot struct {
	frame     hal.Frame
	contrast  int
	backlight int
	leds      [hal.NumLEDs]hal.LEDState
	jack      bool
}

func (b *Board) snapshot() snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	return snapshot{
		frame:     b.frame,
		contrast:  b.contrast,
		backlight: b.backlight,
		leds:      b.ledStates,
		jack:      b.jack,
	}
}
