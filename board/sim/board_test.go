package sim_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ccphone/board/sim"
	"ccphone/hal"
)

// running is a board served by Run for one test.
type running struct {
	*sim.Board
	events chan hal.KeyEvent
	cancel context.CancelFunc
	done   chan error
}

// start runs a board on a kernel-chosen loopback port until the test ends.
// Its key events go to a buffered channel the test reads.
func start(t *testing.T, opts sim.Options) *running {
	t.Helper()
	return startWith(t, opts, make(chan hal.KeyEvent, 64))
}

func startWith(t *testing.T, opts sim.Options, events chan hal.KeyEvent) *running {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	b, err := sim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Board: b, events: events, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- b.Run(ctx, events) }()
	t.Cleanup(func() {
		r.stop(t)
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

// stop cancels Run and checks that it returned the context's error. It may
// be called more than once.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if err, ok := <-r.done; ok {
		close(r.done)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	}
}

// next returns the next key event.
func (r *running) next(t *testing.T) hal.KeyEvent {
	t.Helper()
	select {
	case ev := <-r.events:
		return ev
	case <-t.Context().Done():
		t.Fatal("test ended before a key event arrived")
	}
	return hal.KeyEvent{}
}

// expect reads the next key events and checks them.
func (r *running) expect(t *testing.T, want ...string) []hal.KeyEvent {
	t.Helper()
	var got []hal.KeyEvent
	for _, w := range want {
		ev := r.next(t)
		got = append(got, ev)
		if ev.String() != w {
			t.Fatalf("key event %d = %v, want %s", len(got), ev, w)
		}
	}
	return got
}

// noEvents checks that no key event is waiting.
func (r *running) noEvents(t *testing.T) {
	t.Helper()
	select {
	case ev := <-r.events:
		t.Fatalf("unexpected key event %v", ev)
	default:
	}
}

func (r *running) url(path string) string { return strings.TrimSuffix(r.URL(), "/") + path }

// do sends a request and returns the status and body.
func do(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func mustStatus(t *testing.T, method, url string, want int) string {
	t.Helper()
	got, body := do(t, method, url)
	if got != want {
		t.Fatalf("%s %s: status %d, want %d; body %q", method, url, got, want, body)
	}
	return body
}

func getState(t *testing.T, r *running) map[string]json.RawMessage {
	t.Helper()
	body := mustStatus(t, "GET", r.url("/api/state"), http.StatusOK)
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("state %q: %v", body, err)
	}
	return m
}

type ledJSON struct {
	Color   string `json:"color"`
	Pattern string `json:"pattern"`
}

func TestURLIsLoopbackWithPort(t *testing.T) {
	b, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	u := b.URL()
	if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/") || strings.HasSuffix(u, ":0/") {
		t.Errorf("URL() = %q, want http://127.0.0.1:PORT/", u)
	}
}

func TestStateMergesPhoneStateWithBoard(t *testing.T) {
	phone := map[string]any{
		"lines": []map[string]any{{"line": 1, "label": "Sales 10", "registration": "registered", "server": "pbx.example.net:5060"}},
		"calls": []any{},
		"leds":  "overwritten by the board",
	}
	r := start(t, sim.Options{State: func() any { return phone }})
	if err := r.LEDs().SetLED(hal.LEDLine1, hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternFast}); err != nil {
		t.Fatal(err)
	}
	if err := r.Display().(hal.Contrast).SetContrast(10); err != nil {
		t.Fatal(err)
	}
	if err := r.Display().(hal.Backlight).SetBacklight(0); err != nil {
		t.Fatal(err)
	}

	m := getState(t, r)
	var lines []struct {
		Line         int    `json:"line"`
		Label        string `json:"label"`
		Registration string `json:"registration"`
		Server       string `json:"server"`
	}
	if err := json.Unmarshal(m["lines"], &lines); err != nil {
		t.Fatalf("lines: %v", err)
	}
	if len(lines) != 1 || lines[0].Line != 1 || lines[0].Label != "Sales 10" || lines[0].Registration != "registered" || lines[0].Server != "pbx.example.net:5060" {
		t.Errorf("lines = %+v", lines)
	}
	if string(m["calls"]) != "[]" {
		t.Errorf("calls = %s, want []", m["calls"])
	}

	var leds map[string]ledJSON
	if err := json.Unmarshal(m["leds"], &leds); err != nil {
		t.Fatalf("leds %s: %v", m["leds"], err)
	}
	if len(leds) != hal.NumLEDs {
		t.Errorf("leds has %d entries, want %d: %v", len(leds), hal.NumLEDs, leds)
	}
	for i := range hal.NumLEDs {
		name := hal.LED(i).String()
		want := ledJSON{"off", "off"}
		if hal.LED(i) == hal.LEDLine1 {
			want = ledJSON{"red", "fast"}
		}
		if got, ok := leds[name]; !ok || got != want {
			t.Errorf("leds[%s] = %+v (present %v), want %+v", name, got, ok, want)
		}
	}

	var lcd struct{ Contrast, Backlight int }
	if err := json.Unmarshal(m["lcd"], &lcd); err != nil {
		t.Fatalf("lcd: %v", err)
	}
	if lcd.Contrast != 10 || lcd.Backlight != 0 {
		t.Errorf("lcd = %+v, want contrast 10, backlight 0", lcd)
	}
	if string(m["monitor_jack"]) != `"unplugged"` {
		t.Errorf("monitor_jack = %s, want \"unplugged\"", m["monitor_jack"])
	}
}

func TestStateWithoutPhoneState(t *testing.T) {
	r := start(t, sim.Options{})
	m := getState(t, r)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"lcd", "leds", "monitor_jack"}; !slices.Equal(keys, want) {
		t.Errorf("state keys = %v, want %v", keys, want)
	}
	var lcd struct{ Contrast, Backlight int }
	if err := json.Unmarshal(m["lcd"], &lcd); err != nil {
		t.Fatal(err)
	}
	if lcd.Contrast != sim.DefaultContrast || lcd.Backlight != sim.DefaultBacklight {
		t.Errorf("lcd = %+v, want the defaults", lcd)
	}
}

func TestStateThatIsNotAnObjectFails(t *testing.T) {
	r := start(t, sim.Options{State: func() any { return []int{1, 2} }})
	body := mustStatus(t, "GET", r.url("/api/state"), http.StatusInternalServerError)
	if !strings.Contains(body, "not a JSON object") {
		t.Errorf("body %q does not say why", body)
	}
}

// testFrame returns a frame with an irregular pattern, so that a swapped
// axis or a wrong bit order shows.
func testFrame() *hal.Frame {
	var f hal.Frame
	for y := range hal.LCDHeight {
		for x := range hal.LCDWidth {
			f.SetBit(x, y, (x*7+y*13+x*y)%5 == 0 || (x < 10 && y == 3))
		}
	}
	return &f
}

func TestLCDPNGIsPixelExact(t *testing.T) {
	r := start(t, sim.Options{})
	f := testFrame()
	if err := r.Display().Show(f); err != nil {
		t.Fatal(err)
	}
	for _, scale := range []int{1, 3, 8} {
		url := r.url("/api/lcd.png")
		if scale != 1 {
			url += "?scale=" + string(rune('0'+scale))
		}
		body := mustStatus(t, "GET", url, http.StatusOK)
		img, err := png.Decode(strings.NewReader(body))
		if err != nil {
			t.Fatalf("scale %d: %v", scale, err)
		}
		if b := img.Bounds(); b.Dx() != hal.LCDWidth*scale || b.Dy() != hal.LCDHeight*scale {
			t.Fatalf("scale %d: size %v", scale, b)
		}
		bad := 0
		for y := range hal.LCDHeight * scale {
			for x := range hal.LCDWidth * scale {
				cr, cg, cb, _ := img.At(x, y).RGBA()
				dark := cr == 0 && cg == 0 && cb == 0
				light := cr == 0xffff && cg == 0xffff && cb == 0xffff
				want := f.Bit(x/scale, y/scale)
				if (want && !dark) || (!want && !light) {
					if bad++; bad < 5 {
						t.Errorf("scale %d: pixel (%d,%d) = %v, want set=%v", scale, x, y, img.At(x, y), want)
					}
				}
			}
		}
	}
	for _, bad := range []string{"0", "9", "x", "-1", ""} {
		mustStatus(t, "GET", r.url("/api/lcd.png?scale="+bad), http.StatusBadRequest)
	}
}

func TestKeyPressSendsDownThenUp(t *testing.T) {
	r := start(t, sim.Options{})
	for _, name := range hal.KeyNames() {
		k, _ := hal.ParseKey(name)
		if k.IsSwitch() {
			continue
		}
		before := time.Now()
		mustStatus(t, "POST", r.url("/api/keys/"+name), http.StatusNoContent)
		evs := r.expect(t, name+" down", name+" up")
		if evs[0].Key != k || evs[0].At.Before(before) || evs[1].At.Before(evs[0].At) {
			t.Errorf("%s: events %+v", name, evs)
		}
	}
	r.noEvents(t)
}

func TestKeyHold(t *testing.T) {
	r := start(t, sim.Options{})
	const hold = 30 * time.Millisecond
	mustStatus(t, "POST", r.url("/api/keys/5?hold=30"), http.StatusNoContent)
	// The reply comes after the up was delivered, so both are waiting.
	var evs []hal.KeyEvent
	for range 2 {
		select {
		case ev := <-r.events:
			evs = append(evs, ev)
		default:
			t.Fatalf("after the reply, only %v had arrived", evs)
		}
	}
	if evs[0].String() != "5 down" || evs[1].String() != "5 up" {
		t.Fatalf("events %v, want 5 down, 5 up", evs)
	}
	if d := evs[1].At.Sub(evs[0].At); d < hold {
		t.Errorf("held %v, want at least %v", d, hold)
	}
	mustStatus(t, "POST", r.url("/api/keys/5?hold=0"), http.StatusNoContent)
	r.expect(t, "5 down", "5 up")
}

func TestKeyActionSendsOneEdge(t *testing.T) {
	r := start(t, sim.Options{})
	mustStatus(t, "POST", r.url("/api/keys/ok?action=down"), http.StatusNoContent)
	r.expect(t, "ok down")
	r.noEvents(t)
	mustStatus(t, "POST", r.url("/api/keys/ok?action=up"), http.StatusNoContent)
	r.expect(t, "ok up")
	r.noEvents(t)
}

func jackState(t *testing.T, r *running) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(getState(t, r)["monitor_jack"], &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMonitorJackTogglesAndSets(t *testing.T) {
	r := start(t, sim.Options{})
	body := mustStatus(t, "POST", r.url("/api/keys/monitor-jack"), http.StatusOK)
	if !strings.Contains(body, `"plugged"`) {
		t.Errorf("toggle reply %q, want state plugged", body)
	}
	r.expect(t, "monitor-jack down")
	if s := jackState(t, r); s != "plugged" {
		t.Errorf("monitor_jack = %q after plugging", s)
	}
	mustStatus(t, "POST", r.url("/api/keys/monitor-jack"), http.StatusOK)
	r.expect(t, "monitor-jack up")
	if s := jackState(t, r); s != "unplugged" {
		t.Errorf("monitor_jack = %q after unplugging", s)
	}

	mustStatus(t, "POST", r.url("/api/keys/monitor-jack?state=plugged"), http.StatusOK)
	r.expect(t, "monitor-jack down")
	// Setting the state it is already in sends nothing.
	mustStatus(t, "POST", r.url("/api/keys/monitor-jack?state=on"), http.StatusOK)
	r.noEvents(t)
	mustStatus(t, "POST", r.url("/api/keys/monitor-jack?state=off"), http.StatusOK)
	r.expect(t, "monitor-jack up")
	mustStatus(t, "POST", r.url("/api/keys/monitor-jack?state=unplugged"), http.StatusOK)
	r.noEvents(t)

	mustStatus(t, "POST", r.url("/api/keys/monitor-jack?state=sideways"), http.StatusBadRequest)
	mustStatus(t, "POST", r.url("/api/keys/monitor-jack?hold=100"), http.StatusBadRequest)

	mustStatus(t, "POST", r.url("/api/keys/hook"), http.StatusOK)
	r.expect(t, "hook down")
	r.noEvents(t)
}

func TestRunReportsPluggedJackFirst(t *testing.T) {
	r := start(t, sim.Options{MonitorJack: true})
	r.expect(t, "monitor-jack down")
	if s := jackState(t, r); s != "plugged" {
		t.Errorf("monitor_jack = %q", s)
	}
	mustStatus(t, "POST", r.url("/api/keys/monitor-jack"), http.StatusOK)
	r.expect(t, "monitor-jack up")
}

func TestUnknownKeyListsValidNames(t *testing.T) {
	r := start(t, sim.Options{})
	body := mustStatus(t, "POST", r.url("/api/keys/frobnicate"), http.StatusNotFound)
	for _, name := range hal.KeyNames() {
		if !strings.Contains(body, " "+name) {
			t.Errorf("404 body %q does not list %q", body, name)
		}
	}
	r.noEvents(t)
}

func TestBadRequests(t *testing.T) {
	r := start(t, sim.Options{})
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/api/keys/menu", http.StatusMethodNotAllowed},
		{"PUT", "/api/keys/menu", http.StatusMethodNotAllowed},
		{"DELETE", "/api/keys/menu", http.StatusMethodNotAllowed},
		{"POST", "/api/state", http.StatusMethodNotAllowed},
		{"POST", "/api/lcd.png", http.StatusMethodNotAllowed},
		{"POST", "/", http.StatusMethodNotAllowed},
		{"POST", "/api/keys/menu?hold=-1", http.StatusBadRequest},
		{"POST", "/api/keys/menu?hold=10001", http.StatusBadRequest},
		{"POST", "/api/keys/menu?hold=abc", http.StatusBadRequest},
		{"POST", "/api/keys/menu?hold=", http.StatusBadRequest},
		{"POST", "/api/keys/menu?action=sideways", http.StatusBadRequest},
		{"POST", "/api/keys/menu?action=down&hold=5", http.StatusBadRequest},
		{"POST", "/api/keys/menu?state=plugged", http.StatusBadRequest},
		{"GET", "/nothing-here", http.StatusNotFound},
	} {
		got, body := do(t, tc.method, r.url(tc.path))
		if got != tc.want {
			t.Errorf("%s %s: status %d, want %d; body %q", tc.method, tc.path, got, tc.want, body)
		}
	}
	r.noEvents(t)
}

func TestKeyFailsWhenPhoneDoesNotTakeIt(t *testing.T) {
	// Nobody reads this unbuffered channel: the phone is stuck.
	r := startWith(t, sim.Options{KeyTimeout: 20 * time.Millisecond}, make(chan hal.KeyEvent))
	mustStatus(t, "POST", r.url("/api/keys/menu"), http.StatusServiceUnavailable)
	mustStatus(t, "POST", r.url("/api/keys/monitor-jack"), http.StatusServiceUnavailable)
	// The jack did not change, as the phone never heard of it.
	if s := jackState(t, r); s != "unplugged" {
		t.Errorf("monitor_jack = %q after a failed toggle", s)
	}
}

func TestPanelPageHasEveryKeyAndLED(t *testing.T) {
	r := start(t, sim.Options{Title: "ccphone 9.9 <sim>"})
	resp, err := http.Get(r.url("/"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, name := range hal.KeyNames() {
		k, _ := hal.ParseKey(name)
		if k == hal.KeyHook {
			continue // the CC800 has no handset; the API still takes it
		}
		if k.IsSwitch() {
			if !strings.Contains(page, `id="jack"`) {
				t.Errorf("page has no monitor jack")
			}
			continue
		}
		if !strings.Contains(page, `data-key="`+name+`"`) {
			t.Errorf("page has no button for %q", name)
		}
	}
	for i := range hal.NumLEDs {
		if !strings.Contains(page, `data-led="`+hal.LED(i).String()+`"`) {
			t.Errorf("page has no LED %v", hal.LED(i))
		}
	}
	if !strings.Contains(page, "ccphone 9.9 &lt;sim&gt;") {
		t.Errorf("page does not show the escaped title")
	}
	for _, external := range []string{`src="http`, `href="http`, `url(http`, "@import"} {
		if strings.Contains(page, external) {
			t.Errorf("page loads an external resource: %q", external)
		}
	}
}

// sse reads server-sent events.
type sse struct {
	body io.ReadCloser
	rd   *bufio.Reader
}

func openEvents(t *testing.T, r *running) *sse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", r.url("/api/events"), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %s, %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	s := &sse{body: resp.Body, rd: bufio.NewReader(resp.Body)}
	t.Cleanup(func() { s.body.Close() })
	return s
}

// next returns the next event's name and data, or an error at the end of
// the stream.
func (s *sse) next() (name, data string, err error) {
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			return "", "", err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if name != "" {
				return name, data, nil
			}
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func (s *sse) expect(t *testing.T, want string) string {
	t.Helper()
	name, data, err := s.next()
	if err != nil {
		t.Fatalf("waiting for %s event: %v", want, err)
	}
	if name != want {
		t.Fatalf("got %s event (%.60s), want %s", name, data, want)
	}
	return data
}

func TestEventsPushChanges(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	r := start(t, sim.Options{State: func() any {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return map[string]int{"version": calls}
	}})
	s := openEvents(t, r)

	// The current state of everything comes first.
	lcd := s.expect(t, "lcd")
	if pix, err := base64.StdEncoding.DecodeString(lcd); err != nil || len(pix) != len(hal.Frame{}.Pix) {
		t.Fatalf("initial lcd %q: %d bytes, %v", lcd, len(pix), err)
	}
	s.expect(t, "leds")
	s.expect(t, "state")

	f := testFrame()
	if err := r.Display().Show(f); err != nil {
		t.Fatal(err)
	}
	pix, err := base64.StdEncoding.DecodeString(s.expect(t, "lcd"))
	if err != nil {
		t.Fatal(err)
	}
	if string(pix) != string(f.Pix[:]) {
		t.Errorf("lcd event carries other pixels than the frame shown")
	}

	// An unchanged frame pushes nothing: the next event is the LEDs'.
	same := *f
	if err := r.Display().Show(&same); err != nil {
		t.Fatal(err)
	}
	if err := r.LEDs().SetLED(hal.LEDHeadset, hal.LEDState{Color: hal.ColorRed, Pattern: hal.PatternSteady}); err != nil {
		t.Fatal(err)
	}
	var leds map[string]ledJSON
	if err := json.Unmarshal([]byte(s.expect(t, "leds")), &leds); err != nil {
		t.Fatal(err)
	}
	if leds["headset"] != (ledJSON{"red", "steady"}) || len(leds) != hal.NumLEDs {
		t.Errorf("leds event %v", leds)
	}

	r.NotifyState()
	var st struct {
		Version int `json:"version"`
		LCD     struct{ Backlight int }
	}
	if err := json.Unmarshal([]byte(s.expect(t, "state")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Version < 2 {
		t.Errorf("state event has version %d: State was not asked again", st.Version)
	}

	if err := r.Display().(hal.Backlight).SetBacklight(40); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(s.expect(t, "state")), &st); err != nil {
		t.Fatal(err)
	}
	if st.LCD.Backlight != 40 {
		t.Errorf("state event after SetBacklight(40) has backlight %d", st.LCD.Backlight)
	}
}

func TestRunReturnsWithOpenEventStreams(t *testing.T) {
	r := start(t, sim.Options{})
	streams := []*sse{openEvents(t, r), openEvents(t, r)}
	for _, s := range streams {
		s.expect(t, "lcd")
	}
	r.stop(t) // fails the test if Run does not return context.Canceled
	for _, s := range streams {
		for {
			if _, _, err := s.next(); err != nil {
				break // the stream ended
			}
		}
	}
}

func TestRunAndCloseMisuse(t *testing.T) {
	b, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.LEDs().SetLED(hal.LEDLine2, hal.LEDState{Color: hal.ColorGreen, Pattern: hal.PatternSlow}); err != nil {
		t.Fatal(err)
	}
	if err := b.LEDs().SetLED(hal.NumLEDs, hal.LEDState{}); !errors.Is(err, hal.ErrOutOfRange) {
		t.Errorf("SetLED(NumLEDs) = %v, want ErrOutOfRange", err)
	}
	if err := b.Display().(hal.Contrast).SetContrast(hal.MaxContrast + 1); !errors.Is(err, hal.ErrOutOfRange) {
		t.Errorf("SetContrast(too high) = %v, want ErrOutOfRange", err)
	}
	if err := b.Display().(hal.Backlight).SetBacklight(-1); !errors.Is(err, hal.ErrOutOfRange) {
		t.Errorf("SetBacklight(-1) = %v, want ErrOutOfRange", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, make(chan hal.KeyEvent)) }()
	// Once the panel answers, the Run above is the one serving it.
	resp, err := http.Get(b.URL() + "api/state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := b.Run(ctx, make(chan hal.KeyEvent)); !errors.Is(err, sim.ErrRunning) {
		t.Errorf("second Run = %v, want ErrRunning", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}

	for range 2 {
		if err := b.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	}
	if err := b.Display().Show(testFrame()); !errors.Is(err, hal.ErrClosed) {
		t.Errorf("Show after Close = %v, want ErrClosed", err)
	}
	if err := b.LEDs().SetLED(hal.LEDLine1, hal.LEDState{}); !errors.Is(err, hal.ErrClosed) {
		t.Errorf("SetLED after Close = %v, want ErrClosed", err)
	}
}

func TestRunAfterCloseFails(t *testing.T) {
	b, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background(), make(chan hal.KeyEvent)); !errors.Is(err, hal.ErrClosed) {
		t.Errorf("Run after Close = %v, want ErrClosed", err)
	}
}

func TestCloseEndsRun(t *testing.T) {
	b, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(context.Background(), make(chan hal.KeyEvent)) }()
	// Wait until the panel is served, then close the board under it.
	resp, err := http.Get(b.URL() + "api/state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, hal.ErrClosed) {
		t.Errorf("Run = %v after Close, want ErrClosed", err)
	}
}

func TestNullAudio(t *testing.T) {
	b, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	f := hal.AudioFormat{SampleRate: 8000, Channels: 1, FrameSamples: 160}
	s, err := b.Audio().OpenAudio(hal.PortHeadset, f)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, 160)
	for i := range frame {
		frame[i] = int16(i + 1)
	}
	if err := s.WriteFrame(frame); err != nil {
		t.Fatal(err)
	}
	if err := s.ReadFrame(frame); err != nil {
		t.Fatal(err)
	}
	for i, v := range frame {
		if v != 0 {
			t.Fatalf("sample %d = %d, want silence", i, v)
		}
	}
	if err := s.ReadFrame(make([]int16, 80)); !errors.Is(err, sim.ErrFrameSize) {
		t.Errorf("short frame: %v, want ErrFrameSize", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFrame(frame); !errors.Is(err, hal.ErrClosed) {
		t.Errorf("write after Close: %v, want ErrClosed", err)
	}
	if _, err := b.Audio().OpenAudio(hal.NumAudioPorts, f); !errors.Is(err, hal.ErrOutOfRange) {
		t.Errorf("bad port: %v", err)
	}
	if _, err := b.Audio().OpenAudio(hal.PortMonitor, hal.AudioFormat{SampleRate: 44100, Channels: 1, FrameSamples: 160}); !errors.Is(err, sim.ErrFormat) {
		t.Errorf("bad rate: %v", err)
	}
}
