package main

import (
	"fmt"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ccphone/board/sim/browsertest"
)

// canvasBits reads the panel's LCD canvas as 0/1 characters, one per
// pixel, row by row: a pixel with ink is 1.
const canvasBits = `(() => {
	const c = document.getElementById("lcd");
	const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
	let s = "";
	for (let i = 3; i < d.length; i += 4) s += d[i] > 0 ? "1" : "0";
	return s;
})()`

// pngBits turns /api/lcd.png into the same form.
func pngBits(img image.Image) string {
	var b strings.Builder
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if r < 0x8000 {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		}
	}
	return b.String()
}

// TestPanelInBrowser drives the whole phone from its front panel in
// Chromium: it clicks keys, types on the PC keyboard, and checks that the
// LCD on the page and the LEDs change as the phone says they should.
func TestPanelInBrowser(t *testing.T) {
	p := startPhone(t, "--config", "testdata/phone.cfg", "--state", t.TempDir())
	ctx := browsertest.New(t)

	// waitCanvas waits until the page's LCD shows what the phone shows.
	waitCanvas := func(what string) {
		t.Helper()
		want := pngBits(p.lcd())
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](canvasBits))
			if err != nil {
				t.Fatal(err)
			}
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the page's LCD differs from /api/lcd.png", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	attr := func(sel, name string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q)`, sel, name)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	click := func(key string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-key=%q]`, key)))); err != nil {
			t.Fatal(err)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.ID("lcd"))); err != nil {
		t.Fatal(err)
	}
	waitCanvas("idle")
	idle := pngBits(p.lcd())

	click("menu")
	p.waitState("the menu after a click", func(s apiState) bool { return s.Screen == "menu" })
	waitCanvas("menu")
	if pngBits(p.lcd()) == idle {
		t.Fatal("the LCD did not change")
	}

	// The PC keyboard: arrow down is the 8 key, Enter is OK.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	p.waitState("the call log from the keyboard", func(s apiState) bool { return s.Screen == "calllog" })
	waitCanvas("call log")

	click("back")
	click("back")
	p.waitState("idle again", func(s apiState) bool { return s.Screen == "idle" })
	waitCanvas("idle again")

	led := `.led[data-led="autoanswer"]`
	if c := attr(led, "data-color"); c != "off" {
		t.Fatalf("auto answer LED starts %q", c)
	}
	click("autoanswer")
	p.waitState("auto answer on", func(s apiState) bool { return s.LEDs["autoanswer"].Color == "red" })
	deadline := time.Now().Add(10 * time.Second)
	for attr(led, "data-color") != "red" || attr(led, "data-pattern") != "steady" {
		if time.Now().After(deadline) {
			t.Fatalf("auto answer LED on the page: %q %q", attr(led, "data-color"), attr(led, "data-pattern"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitCanvas("auto answer indicator")
}
