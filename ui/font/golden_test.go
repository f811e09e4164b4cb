package font

import (
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"ccphone/hal"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata/")

// gutter is the grey between the frames of a sample sheet.
const gutter = 4

// TestGoldenSheets renders every required glyph of both faces, sample UI
// text and every icon, and compares the pixels with testdata/*.png. Run
// go test ./ui/font -update to rewrite them, then look at them.
func TestGoldenSheets(t *testing.T) {
	sheets := map[string][]*hal.Frame{
		"regular.png": append(glyphFrames(Regular), sampleFrame(Regular)),
		"small.png":   append(glyphFrames(Small), sampleFrame(Small)),
		"icons.png":   {iconFrame(), screenFrame()},
	}
	for name, frames := range sheets {
		t.Run(name, func(t *testing.T) {
			got := sheet(frames)
			path := filepath.Join("testdata", name)
			if *update {
				writePNG(t, path, got)
				return
			}
			want := readPNG(t, path)
			if !want.Bounds().Eq(got.Bounds()) {
				t.Fatalf("%s is %v, rendering is %v; run go test -update and look", path, want.Bounds(), got.Bounds())
			}
			diff := 0
			for y := got.Rect.Min.Y; y < got.Rect.Max.Y; y++ {
				for x := got.Rect.Min.X; x < got.Rect.Max.X; x++ {
					if g, w := got.GrayAt(x, y).Y, grayAt(want, x, y); g != w {
						if diff < 5 {
							t.Errorf("pixel (%d,%d) = %d, golden %d", x, y, g, w)
						}
						diff++
					}
				}
			}
			if diff > 0 {
				t.Errorf("%d pixels differ from %s; if the change is intended, run go test -update and look", diff, path)
			}
		})
	}
}

// glyphFrames draws every rune the tests require, as many screens as it
// takes, one face line after another.
func glyphFrames(f *Face) []*hal.Frame {
	var runes []rune
	for _, rr := range requiredRanges {
		for r := rr.lo; r <= rr.hi; r++ {
			runes = append(runes, r)
		}
	}
	perLine := hal.LCDWidth / f.Width("M")
	lines := hal.LCDHeight / f.Height()
	var frames []*hal.Frame
	for len(runes) > 0 {
		fr := new(hal.Frame)
		for line := 0; line < lines && len(runes) > 0; line++ {
			n := min(perLine, len(runes))
			f.Draw(fr, 0, line*f.Height(), string(runes[:n]))
			runes = runes[n:]
		}
		frames = append(frames, fr)
	}
	return frames
}

// sampleFrame sets the kind of text the phone shows, in both languages,
// with the second line highlighted as a menu selection would be.
func sampleFrame(f *Face) *hal.Frame {
	lines := []string{
		"Hello, world! 0123456789",
		"Привет! Входящий вызов",
		"Съешь же ещё этих мягких французских булок",
		"Jackdaws love my big sphinx of quartz",
		"Łódź Ørsted Čech Ğüç «№5» — 21°",
		"Ґанок Її Єва Ђорђе ← ↑ ↓ → • ✓ ✗ 中",
		"1234567890*#",
		"",
	}
	fr := new(hal.Frame)
	for i, s := range lines {
		y := i * f.Height()
		if y+f.Height() > hal.LCDHeight {
			break
		}
		f.Draw(fr, 0, y, f.Truncate(s, hal.LCDWidth))
	}
	fr.Invert(image.Rect(0, f.Height(), hal.LCDWidth, 2*f.Height()))
	return fr
}

// iconFrame draws every icon plain, then on an inverted row, then clipped
// at the frame's right edge.
func iconFrame() *hal.Frame {
	fr := new(hal.Frame)
	x, y := 0, 0
	for _, ic := range Icons() {
		if x+ic.Width() > hal.LCDWidth {
			x, y = 0, y+ic.Height()+2
		}
		ic.Draw(fr, x, y)
		x += ic.Width() + 3
	}
	y += 10
	fr.Fill(image.Rect(0, y-1, hal.LCDWidth, y+8), true)
	x = 0
	var inverted hal.Frame
	for _, ic := range Icons()[:12] {
		ic.Draw(&inverted, x, y)
		x += ic.Width() + 3
	}
	for i := range fr.Pix {
		fr.Pix[i] ^= inverted.Pix[i]
	}
	Small.Draw(fr, 0, 40, "DND")
	IconDND.Draw(fr, Small.Width("DND")+1, 40)
	Regular.Draw(fr, 0, 50, "REC")
	IconRecording.Draw(fr, Regular.Width("REC")+2, 51)
	IconArrowRight.Draw(fr, hal.LCDWidth-4, 51)
	return fr
}

// screenFrame is a plausible idle screen: status bar, two lines, a menu
// selection and softkeys, to judge the faces together.
func screenFrame() *hal.Frame {
	fr := new(hal.Frame)
	Small.Draw(fr, 0, 0, "10:42  Пн 12.05")
	x := hal.LCDWidth - 4*9
	for _, ic := range []Icon{IconRegistered, IconDND, IconVoicemail, IconHeadset} {
		ic.Draw(fr, x, 0)
		x += 9
	}
	fr.Fill(image.Rect(0, 8, hal.LCDWidth, 9), true)
	IconRegistered.Draw(fr, 0, 11)
	Regular.Draw(fr, 9, 10, Regular.Truncate("Линия 1: Продажи 10 (отдел)", hal.LCDWidth-9))
	IconRegistrationFailed.Draw(fr, 0, 21)
	Regular.Draw(fr, 9, 20, "Line 2: Support")
	IconPhoneIn.Draw(fr, 0, 31)
	Regular.Draw(fr, 9, 30, "2001 Анна")
	IconRecording.Draw(fr, 120, 31)
	Regular.Draw(fr, 9, 40, "Переадресация → 2002")
	fr.Invert(image.Rect(0, 40, hal.LCDWidth, 50))
	for i, label := range []string{"Меню", "Вызов", "DND", "Назад"} {
		left := i * 32
		Small.Draw(fr, left+(32-Small.Width(label))/2, 56, label)
	}
	fr.Invert(image.Rect(0, 56, hal.LCDWidth, 64))
	return fr
}

// sheet stacks frames vertically with a grey gutter between them.
func sheet(frames []*hal.Frame) *image.Gray {
	h := len(frames)*(hal.LCDHeight+gutter) - gutter
	img := image.NewGray(image.Rect(0, 0, hal.LCDWidth, h))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	for i, fr := range frames {
		g := fr.Gray()
		top := i * (hal.LCDHeight + gutter)
		for y := range hal.LCDHeight {
			copy(img.Pix[(top+y)*img.Stride:], g.Pix[y*g.Stride:y*g.Stride+hal.LCDWidth])
		}
	}
	return img
}

func grayAt(img image.Image, x, y int) uint8 {
	r, _, _, _ := img.At(x, y).RGBA()
	return uint8(r >> 8)
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("golden file: %v (run go test -update to create it)", err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(fh, img); err != nil {
		fh.Close()
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
}
