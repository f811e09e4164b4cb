// Package browsertest starts Debian's Chromium, headless, for tests that
// drive a web page with chromedp: the sim board's front panel, or the whole
// phone end to end.
//
// The common path:
//
//	func TestPanel(t *testing.T) {
//		ctx := browsertest.New(t) // a tab in a fresh headless Chromium
//		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
//			t.Fatal(err)
//		}
//		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-key="menu"]`))); err != nil {
//			t.Fatal(err)
//		}
//		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("button").length`))
//		...
//	}
//
// New finds the browser ($CHROMIUM, else /usr/bin/chromium, else chromium
// on $PATH), starts it with a fresh profile in a temporary directory, opens
// one tab and returns its chromedp context. t.Cleanup closes the tab, stops
// the browser, waits for it and removes the profile. The page's console
// errors and uncaught exceptions are copied to the test log.
//
// When Chromium is missing or cannot start (for example when the test runs
// under qemu-arm-static), New skips the test in -short mode and fails it
// otherwise, saying to install the chromium package (make test does).
//
// Every action run on the returned context ends when the test's deadline
// (go test -timeout) is near, so a page that never reaches the state a test
// waits for fails the test with a message instead of killing the binary.
// For another tab in the same browser, call chromedp.NewContext(ctx).
package browsertest
