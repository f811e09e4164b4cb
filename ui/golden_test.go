package ui

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ccphone/hal"
	"ccphone/ui/font"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata/golden")

// goldenScreens reaches every screen of the phone with keys, in English
// and in Russian.
var goldenScreens = []struct {
	name  string
	setup func(tp *testPhone)
}{
	{"idle", func(tp *testPhone) {}},
	{"idle_indicators", func(tp *testPhone) {
		s := tp.set
		s.DND, s.AutoAnswer = true, true
		s.Lines[0].Forward = "2000"
		s.Lines[1].Enabled = true
		tp.useSettings(s)
		tp.regs = [NumLines]RegistrationState{RegistrationRegistered, RegistrationFailed}
		tp.missed, tp.vm, tp.monitor = 3, 12, true
	}},
	{"idle_12h", func(tp *testPhone) {
		s := tp.set
		s.Clock24 = false
		tp.useSettings(s)
	}},
	{"idle_volume", func(tp *testPhone) { tp.press(hal.KeyVolUp) }},
	{"notice", func(tp *testPhone) { tp.hold(hal.KeyLine2, 1500*time.Millisecond) }},
	{"menu", func(tp *testPhone) { tp.press(hal.KeyMenu) }},
	{"menu_settings", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.Key2) }},
	{"status", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.KeyOK) }},
	{"network", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.KeyOK, hal.KeyOK) }},
	{"accounts", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.KeyOK, hal.Key8, hal.KeyOK) }},
	{"accounts_scrolled", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.KeyOK, hal.Key8, hal.KeyOK, hal.Key8, hal.Key8) }},
	{"version", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.KeyOK, hal.Key2, hal.KeyOK) }},
	{"provisioning_failed", func(tp *testPhone) {
		tp.opts.CheckProvisioning = func() {}
		tp.press(hal.KeyMenu, hal.KeyOK, hal.Key8, hal.Key8, hal.KeyOK)
		tp.prov = ProvisioningStatus{At: start, Result: "failed", Server: "http://prov.example.net/cc800/",
			Error: `http://prov.example.net/cc800/001565aabbcc.cfg:4: lcd.contrast: "dark" is not a whole number; allowed 0..63`}
		tp.enter()
	}},
	{"calllog", func(tp *testPhone) { tp.press(hal.KeySoft1) }},
	{"phonebook", func(tp *testPhone) { tp.press(hal.KeySoft2) }},
	{"settings", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK) }},
	{"language", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK, hal.KeyOK) }},
	{"contrast", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK, hal.Key8, hal.KeyOK, hal.Key6) }},
	{"ringvolume", func(tp *testPhone) { tp.press(hal.KeyMenu, hal.Key2, hal.KeyOK, hal.Key8, hal.Key8, hal.KeyOK) }},
	{"shutdown", func(tp *testPhone) { tp.shutdown() }},
}

func TestGoldenScreens(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		for _, sc := range goldenScreens {
			name := sc.name + "_" + lang
			t.Run(name, func(t *testing.T) {
				s := testSettings()
				s.Language = lang
				tp := newTestPhone(t, s)
				sc.setup(tp)
				tp.refresh()
				checkGolden(t, name, tp.display.Frame())
			})
		}
	}
}

// checkGolden compares f with testdata/golden/name.png pixel by pixel, or
// rewrites the PNG with -update.
func checkGolden(t *testing.T, name string, f hal.Frame) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".png")
	if *update {
		var buf bytes.Buffer
		if err := png.Encode(&buf, f.Gray()); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -run Golden -update to create it)", err)
	}
	defer file.Close()
	img, err := png.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, hal.LCDWidth, hal.LCDHeight) {
		t.Fatalf("%s: bounds %v", path, img.Bounds())
	}
	var want hal.Frame
	for y := range hal.LCDHeight {
		for x := range hal.LCDWidth {
			want.Set(x, y, img.At(x, y))
		}
	}
	if f != want {
		t.Errorf("%s differs from the screen:\n%s", path, diffPicture(f, want))
	}
}

// diffPicture draws the two frames as text: # both, + only got, - only
// want.
func diffPicture(got, want hal.Frame) string {
	var b bytes.Buffer
	for y := range hal.LCDHeight {
		for x := range hal.LCDWidth {
			g, w := got.Bit(x, y), want.Bit(x, y)
			switch {
			case g && w:
				b.WriteByte('#')
			case g:
				b.WriteByte('+')
			case w:
				b.WriteByte('-')
			default:
				b.WriteByte('.')
			}
		}
		fmt.Fprintln(&b)
	}
	return b.String()
}

func TestCatalogTextsHaveGlyphs(t *testing.T) {
	tp := newTestPhone(t, testSettings())
	for _, code := range tp.opts.Catalogs.Codes() {
		cat := tp.opts.Catalogs.Lookup(code)
		for _, text := range cat.Texts() {
			for _, r := range text {
				if !font.Regular.Has(r) || !font.Small.Has(r) {
					t.Errorf("%s.cat: %q: the fonts lack %q (U+%04X)", code, text, r, r)
				}
			}
		}
	}
}
