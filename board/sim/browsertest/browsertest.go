package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvChromium names the environment variable that, when set, gives the
// path of the browser to start instead of /usr/bin/chromium.
const EnvChromium = "CHROMIUM"

// DefaultPath is where Debian's chromium package installs the browser.
const DefaultPath = "/usr/bin/chromium"

// Default window size: large enough for the sim panel without scrolling.
const (
	DefaultWidth  = 1280
	DefaultHeight = 1000
)

// ErrNotFound is returned by Path when no browser can be found.
var ErrNotFound = errors.New("browsertest: chromium not found")

// deadlineMargin is kept free before the test's deadline, so that a
// waiting action fails the test with a message in time.
const deadlineMargin = 5 * time.Second

// config collects the Options given to New.
type config struct {
	width, height int
	flags         []chromedp.ExecAllocatorOption
	consoleLog    bool
}

// Option changes how New starts the browser.
type Option func(*config)

// WithWindowSize sets the browser window's size in CSS pixels; the default
// is DefaultWidth×DefaultHeight.
func WithWindowSize(width, height int) Option {
	return func(c *config) { c.width, c.height = width, height }
}

// WithFlag passes one more command-line flag to Chromium, as
// chromedp.Flag does: a string value gives --name=value, true gives --name.
func WithFlag(name string, value any) Option {
	return func(c *config) { c.flags = append(c.flags, chromedp.Flag(name, value)) }
}

// WithoutConsoleLog stops New from copying the page's console errors and
// uncaught exceptions to the test log.
func WithoutConsoleLog() Option {
	return func(c *config) { c.consoleLog = false }
}

// Path returns the browser New would start: $CHROMIUM if set, else
// DefaultPath if it exists, else chromium on $PATH. It returns an error
// wrapping ErrNotFound if there is none. It is safe for concurrent use.
func Path() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%w: $%s=%s: %w", ErrNotFound, EnvChromium, p, err)
		}
		return found, nil
	}
	if _, err := os.Stat(DefaultPath); err == nil {
		return DefaultPath, nil
	}
	found, err := exec.LookPath("chromium")
	if err != nil {
		return "", fmt.Errorf("%w: no %s and none on $PATH", ErrNotFound, DefaultPath)
	}
	return found, nil
}

// New starts a headless Chromium for t and returns the chromedp context of
// its one tab, already open on about:blank. Cleanup is registered with
// t.Cleanup. If the browser cannot be found or started, New calls t.Skip
// in -short mode and t.Fatal otherwise. New must be called from the test's
// goroutine; the context it returns follows chromedp's rules: one
// goroutine runs actions on it at a time.
func New(t testing.TB, opts ...Option) context.Context {
	t.Helper()
	cfg := config{width: DefaultWidth, height: DefaultHeight, consoleLog: true}
	for _, o := range opts {
		o(&cfg)
	}

	path, err := Path()
	if err != nil {
		unavailable(t, err)
	}
	dataDir := t.TempDir()

	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(dataDir),
		chromedp.WindowSize(cfg.width, cfg.height),
	}
	allocOpts = append(allocOpts, cfg.flags...)

	// The browser lives as long as this context, which ends in Cleanup.
	parent := context.Background()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, allocOpts...)
	logf := newTestLogf(t)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf.printf))
	var console sync.WaitGroup
	t.Cleanup(func() {
		cancelTab()
		console.Wait()
		cancelAlloc() // waits for the browser to exit
		logf.stop()
	})

	// The first Do starts the browser with no deadline: the browser's life
	// is bound to the context of that call.
	if err := chromedp.Do(tabCtx); err != nil {
		unavailable(t, fmt.Errorf("browsertest: start %s: %w", path, err))
	}
	if cfg.consoleLog {
		// The page's console goes to the test log until the tab closes.
		messages := chromedp.Console(tabCtx)
		console.Go(func() {
			for m, err := range messages {
				if err != nil {
					return
				}
				logf.printf("console %s", strings.TrimSpace(m.String()))
			}
		})
	}

	ctx := tabCtx
	if dl, ok := deadline(t); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(tabCtx, dl.Add(-deadlineMargin))
		t.Cleanup(cancel)
	}
	return ctx
}

// unavailable skips t in -short mode and fails it otherwise.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping browser test in -short mode: %v", err)
	}
	t.Fatalf("%v\nthis test needs Chromium: install the chromium package (apt-get install chromium; make test installs it), or set $%s to a Chromium binary", err, EnvChromium)
}

// deadline returns the test's deadline, if it has one.
func deadline(t testing.TB) (time.Time, bool) {
	d, ok := t.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return time.Time{}, false
	}
	return d.Deadline()
}

// testLogf logs to t until stop, after which logging would panic (the
// browser's goroutines can outlive the test by a moment). It is safe for
// concurrent use.
type testLogf struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

func newTestLogf(t testing.TB) *testLogf { return &testLogf{t: t} }

func (l *testLogf) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("chromium: "+format, args...)
	}
}

func (l *testLogf) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}
