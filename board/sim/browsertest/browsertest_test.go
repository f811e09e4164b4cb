package browsertest_test

import (
	"errors"
	"testing"

	"github.com/chromedp/chromedp"

	"ccphone/board/sim/browsertest"
)

func TestNewOpensATab(t *testing.T) {
	ctx := browsertest.New(t, browsertest.WithWindowSize(800, 600))
	const page = `data:text/html,<title>hello</title><p id="p">ccphone</p>`
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("p")))
	if err != nil {
		t.Fatal(err)
	}
	if text != "ccphone" {
		t.Errorf("text = %q, want ccphone", text)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width != 800 {
		t.Errorf("window width %d, want 800", width)
	}
}

func TestPathHonoursEnvironment(t *testing.T) {
	t.Setenv(browsertest.EnvChromium, "/nonexistent/chromium")
	if p, err := browsertest.Path(); !errors.Is(err, browsertest.ErrNotFound) {
		t.Errorf("Path() = %q, %v; want ErrNotFound", p, err)
	}
}

func TestMissingBrowserSkipsInShortMode(t *testing.T) {
	if !testing.Short() {
		t.Skip("only -short mode skips; otherwise a missing browser fails the test")
	}
	t.Setenv(browsertest.EnvChromium, "/nonexistent/chromium")
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		browsertest.New(t)
		t.Error("New returned without a browser")
	})
	if !skipped {
		t.Error("New did not skip the test")
	}
}
