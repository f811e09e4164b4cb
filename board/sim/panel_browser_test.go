package sim_test

import (
	"context"
	"image"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"ccphone/board/sim"
	"ccphone/board/sim/browsertest"
	"ccphone/hal"
)

// EnvScreenshot names a variable that, when set, makes the browser test
// save a screenshot of the panel at that path (keep it out of the repo).
const envScreenshot = "SIM_PANEL_SCREENSHOT"

// readCanvasJS returns the LCD canvas as 8192 characters, '1' for each
// pixel with any ink, row by row.
const readCanvasJS = `(() => {
	const c = document.getElementById("lcd");
	const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
	let s = "";
	for (let i = 3; i < d.length; i += 4) s += d[i] > 0 ? "1" : "0";
	return s;
})()`

// frameBits returns f in the form of readCanvasJS.
func frameBits(f *hal.Frame) string {
	var sb strings.Builder
	for y := range hal.LCDHeight {
		for x := range hal.LCDWidth {
			if f.Bit(x, y) {
				sb.WriteByte('1')
			} else {
				sb.WriteByte('0')
			}
		}
	}
	return sb.String()
}

func browse(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func evalJS[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %.80s: %v", js, err)
	}
	return v
}

// waitFor waits until the JavaScript expression is truthy.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(0))); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func TestPanelInBrowser(t *testing.T) {
	r := start(t, sim.Options{
		Title: "ccphone test (sim)",
		State: func() any {
			return map[string]any{"lines": []map[string]any{
				{"line": 1, "label": "Sales 10", "registration": "registered", "server": "pbx.example.net:5060"},
				{"line": 2, "label": "Support", "registration": "failed", "server": "pbx.example.net:5060"},
			}}
		},
	})
	ctx := browsertest.New(t)
	browse(t, ctx, chromedp.Navigate(r.URL()))
	waitFor(t, ctx, "the event stream", `document.getElementById("conn").dataset.state === "live"`)

	t.Run("every key has a button", func(t *testing.T) {
		got := evalJS[[]string](t, ctx, `[...document.querySelectorAll("button[data-key]")].map(b => b.dataset.key)`)
		var want []string
		for _, name := range hal.KeyNames() {
			if k, _ := hal.ParseKey(name); !k.IsSwitch() {
				want = append(want, name)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("buttons %v, want %v", got, want)
		}
	})

	t.Run("click sends the key", func(t *testing.T) {
		browse(t, ctx, chromedp.Click(chromedp.CSS(`button[data-key="menu"]`)))
		r.expect(t, "menu down", "menu up")
		browse(t, ctx, chromedp.Click(chromedp.CSS(`button[data-key="soft3"]`)))
		r.expect(t, "soft3 down", "soft3 up")
	})

	t.Run("canvas shows the frame bit for bit", func(t *testing.T) {
		f := testFrame()
		if err := r.Display().Show(f); err != nil {
			t.Fatal(err)
		}
		want := frameBits(f)
		waitFor(t, ctx, "the frame on the canvas", readCanvasJS+` === "`+want+`"`)
		got := evalJS[string](t, ctx, readCanvasJS)
		if got != want {
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("canvas pixel (%d,%d) = %c, want %c", i%hal.LCDWidth, i/hal.LCDWidth, got[i], want[i])
				}
			}
		}
		size := evalJS[[]int](t, ctx, `(() => { const r = document.getElementById("lcd").getBoundingClientRect(); return [r.width, r.height]; })()`)
		if size[0] != 4*hal.LCDWidth || size[1] != 4*hal.LCDHeight {
			t.Errorf("canvas shown at %v, want ×4", size)
		}
	})

	t.Run("LED shows colour and pattern", func(t *testing.T) {
		if err := r.LEDs().SetLED(hal.LEDLine1, hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternFast}); err != nil {
			t.Fatal(err)
		}
		led := `document.querySelector('.led[data-led="line1"]')`
		waitFor(t, ctx, "the LED", led+`.dataset.pattern === "fast"`)
		style := evalJS[map[string]string](t, ctx, `(() => { const el = `+led+`; const s = getComputedStyle(el);
			return {color: el.dataset.color, bg: s.backgroundColor, name: s.animationName, duration: s.animationDuration}; })()`)
		if style["color"] != "red" || style["bg"] != "rgb(255, 48, 40)" || style["name"] != "blink" {
			t.Errorf("line1 LED = %v, want red and blinking", style)
		}
		secs, err := strconv.ParseFloat(strings.TrimSuffix(style["duration"], "s"), 64)
		if err != nil || int(secs*1000+0.5) != 2*hal.FastHalfPeriodMs {
			t.Errorf("blink period %q, want %d ms", style["duration"], 2*hal.FastHalfPeriodMs)
		}
		// Another LED stays dark.
		if bg := evalJS[string](t, ctx, `getComputedStyle(document.querySelector('.led[data-led="line2"]')).backgroundColor`); bg != "rgba(0, 0, 0, 0)" {
			t.Errorf("line2 LED background %q, want transparent", bg)
		}
	})

	t.Run("PC keyboard maps to keys", func(t *testing.T) {
		browse(t, ctx, chromedp.KeyEvent("q"))
		r.expect(t, "line1 down", "line1 up")
		browse(t, ctx, chromedp.KeyEvent("7"))
		r.expect(t, "7 down", "7 up")
		browse(t, ctx, chromedp.KeyEvent(kb.ArrowUp))
		r.expect(t, "2 down", "2 up")
		browse(t, ctx, chromedp.KeyEvent(kb.Enter))
		r.expect(t, "ok down", "ok up")
		browse(t, ctx, chromedp.KeyEvent(kb.F2))
		r.expect(t, "soft2 down", "soft2 up")
	})

	t.Run("monitor jack toggles", func(t *testing.T) {
		browse(t, ctx, chromedp.Click(chromedp.ID("jack")))
		r.expect(t, "monitor-jack down")
		waitFor(t, ctx, "the jack shown plugged", `document.getElementById("jack").dataset.state === "plugged"`)
		browse(t, ctx, chromedp.Click(chromedp.ID("jack")))
		r.expect(t, "monitor-jack up")
		waitFor(t, ctx, "the jack shown unplugged", `document.getElementById("jack").dataset.state === "unplugged"`)
	})

	t.Run("status shows the lines", func(t *testing.T) {
		text := evalJS[string](t, ctx, `document.getElementById("lines").textContent`)
		for _, want := range []string{"Line 1", "Sales 10", "registered", "Line 2", "Support", "failed"} {
			if !strings.Contains(text, want) {
				t.Errorf("status %q lacks %q", text, want)
			}
		}
	})

	if path := os.Getenv(envScreenshot); path != "" {
		f := idleScreen()
		if err := r.Display().Show(f); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the idle screen", readCanvasJS+` === "`+frameBits(f)+`"`)
		for i, s := range []hal.LEDState{{Color: hal.ColorGreen, Pattern: hal.PatternSteady}, {}, {Color: hal.ColorRed, Pattern: hal.PatternSteady}} {
			if err := r.LEDs().SetLED(hal.LED(int(hal.LEDLine2)+i), s); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, ctx, "the LEDs", `document.querySelector('.led[data-led="hold"]').dataset.color === "red"`)
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("panel screenshot in %s", path)

		// A second one in the dark, with the supervisor listening.
		mustStatus(t, "POST", r.url("/api/keys/monitor-jack?state=plugged"), http.StatusOK)
		r.expect(t, "monitor-jack down")
		if err := r.Display().(hal.Backlight).SetBacklight(0); err != nil {
			t.Fatal(err)
		}
		if err := r.Display().(hal.Contrast).SetContrast(hal.MaxContrast); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the dark panel", `document.getElementById("lcd").dataset.backlight === "0" && document.getElementById("jack").dataset.state === "plugged"`)
		buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		dark := strings.TrimSuffix(path, ".png") + "-dark.png"
		if err := os.WriteFile(dark, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("dark panel screenshot in %s", dark)
	}
}

// idleScreen draws something like the phone's idle screen, for the
// screenshot.
func idleScreen() *hal.Frame {
	var f hal.Frame
	d := font.Drawer{Dst: &f, Src: image.NewUniform(hal.On), Face: basicfont.Face7x13}
	text := func(x, y int, s string) {
		d.Dot = fixed.P(x, y)
		d.DrawString(s)
	}
	text(2, 11, "Sales 10")
	text(86, 11, "10:42")
	f.Fill(image.Rect(0, 14, hal.LCDWidth, 15), true)
	text(2, 30, "L1 registered")
	text(2, 43, "L2 failed")
	for i, s := range []string{"Dir", "Hist", "DND", "Menu"} {
		x := i*32 + (32-len(s)*7)/2
		text(x, 62, s)
	}
	f.Invert(image.Rect(0, 51, hal.LCDWidth, hal.LCDHeight))
	return &f
}
