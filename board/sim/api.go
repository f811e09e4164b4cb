package sim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ccphone/hal"
)

// Limits of the API's query parameters.
const (
	maxHoldMs   = 10000 // ?hold= on /api/keys/{name}
	maxPNGScale = 8     // ?scale= on /api/lcd.png
)

// streamWriteTimeout bounds one write to an event stream, so that a panel
// that stopped reading cannot hold a handler forever.
const streamWriteTimeout = 10 * time.Second

// routes returns the panel's handler. Method mismatches get 405 from the
// mux, with an Allow header.
func (b *Board) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", b.servePanel)
	mux.HandleFunc("GET /api/state", b.serveState)
	mux.HandleFunc("GET /api/lcd.png", b.serveLCDPNG)
	mux.HandleFunc("GET /api/events", b.serveEvents)
	mux.HandleFunc("POST /api/keys/{name}", b.serveKey)
	return mux
}

func (b *Board) servePanel(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := w.Write(b.page); err != nil {
		b.log.Debug("sim panel write", "err", err)
	}
}

// ledJSON is one LED in /api/state and the "leds" event.
type ledJSON struct {
	Color   string `json:"color"`
	Pattern string `json:"pattern"`
}

// lcdJSON is the LCD's settings in /api/state.
type lcdJSON struct {
	Contrast  int `json:"contrast"`
	Backlight int `json:"backlight"`
}

func ledsJSON(states [hal.NumLEDs]hal.LEDState) map[string]ledJSON {
	m := make(map[string]ledJSON, hal.NumLEDs)
	for i, s := range states {
		m[hal.LED(i).String()] = ledJSON{Color: s.Color.String(), Pattern: s.Pattern.String()}
	}
	return m
}

// jackWord spells the monitor jack's state as the API does.
func jackWord(plugged bool) string {
	if plugged {
		return "plugged"
	}
	return "unplugged"
}

// stateJSON returns Options.State merged with the board's own keys.
func (b *Board) stateJSON() ([]byte, error) {
	obj := map[string]json.RawMessage{}
	if b.stateFn != nil {
		raw, err := json.Marshal(b.stateFn())
		if err != nil {
			return nil, fmt.Errorf("sim: marshal state: %w", err)
		}
		if string(raw) != "null" {
			if len(raw) == 0 || raw[0] != '{' {
				return nil, fmt.Errorf("sim: state marshals to %.20s: %w", raw, ErrNotObject)
			}
			if err := json.Unmarshal(raw, &obj); err != nil {
				return nil, fmt.Errorf("sim: state: %w: %w", ErrNotObject, err)
			}
		}
	}
	snap := b.snapshot()
	var err error
	set := func(key string, v any) {
		if err != nil {
			return
		}
		obj[key], err = json.Marshal(v)
	}
	set("leds", ledsJSON(snap.leds))
	set("lcd", lcdJSON{Contrast: snap.contrast, Backlight: snap.backlight})
	set("monitor_jack", jackWord(snap.jack))
	if err != nil {
		return nil, fmt.Errorf("sim: marshal board state: %w", err)
	}
	return json.Marshal(obj)
}

func (b *Board) serveState(w http.ResponseWriter, r *http.Request) {
	body, err := b.stateJSON()
	if err != nil {
		b.log.Error("sim state", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := w.Write(append(body, '\n')); err != nil {
		b.log.Debug("sim state write", "err", err)
	}
}

func (b *Board) serveLCDPNG(w http.ResponseWriter, r *http.Request) {
	scale := 1
	if q := r.URL.Query(); q.Has("scale") {
		n, err := strconv.Atoi(q.Get("scale"))
		if err != nil || n < 1 || n > maxPNGScale {
			http.Error(w, fmt.Sprintf("scale must be an integer from 1 to %d", maxPNGScale), http.StatusBadRequest)
			return
		}
		scale = n
	}
	frame := b.snapshot().frame
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	if err := png.Encode(w, scaledGray(&frame, scale)); err != nil {
		b.log.Debug("sim lcd.png write", "err", err)
	}
}

// scaledGray returns f as a greyscale image, dark pixels black, each pixel
// a scale×scale square.
func scaledGray(f *hal.Frame, scale int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, hal.LCDWidth*scale, hal.LCDHeight*scale))
	for y := range img.Rect.Dy() {
		row := img.Pix[y*img.Stride : y*img.Stride+img.Rect.Dx()]
		for x := range row {
			if f.Bit(x/scale, y/scale) {
				row[x] = 0
			} else {
				row[x] = 0xff
			}
		}
	}
	return img
}

// serveEvents streams "lcd", "leds" and "state" events: the current value
// of each first, then each change, until the client or the board goes.
func (b *Board) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	sub := b.hub.subscribe()
	defer b.hub.unsubscribe(sub)

	// EventSource reconnects on its own after this many milliseconds.
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.wake:
		}
		if err := rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			b.log.Debug("sim events deadline", "err", err)
		}
		if err := b.writeEvents(w, b.hub.take(sub)); err != nil {
			b.log.Debug("sim events write", "err", err)
			return
		}
		if err := rc.Flush(); err != nil {
			b.log.Debug("sim events flush", "err", err)
			return
		}
	}
}

// writeEvents writes one event for each topic in t, in a fixed order: lcd,
// leds, state.
func (b *Board) writeEvents(w http.ResponseWriter, t topic) error {
	snap := b.snapshot()
	if t&topicLCD != 0 {
		data := base64.StdEncoding.EncodeToString(snap.frame.Pix[:])
		if err := writeEvent(w, "lcd", []byte(data)); err != nil {
			return err
		}
	}
	if t&topicLEDs != 0 {
		data, err := json.Marshal(ledsJSON(snap.leds))
		if err != nil {
			return fmt.Errorf("marshal leds: %w", err)
		}
		if err := writeEvent(w, "leds", data); err != nil {
			return err
		}
	}
	if t&topicState != 0 {
		data, err := b.stateJSON()
		if err != nil {
			// A broken State func should not cut the panel off: it keeps
			// showing the LCD and LEDs.
			b.log.Error("sim state", "err", err)
			return nil
		}
		if err := writeEvent(w, "state", data); err != nil {
			return err
		}
	}
	return nil
}

// writeEvent writes one server-sent event; data must hold no newline.
func writeEvent(w http.ResponseWriter, name string, data []byte) error {
	if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); err != nil {
		return fmt.Errorf("write %s event: %w", name, err)
	}
	return nil
}

func (b *Board) serveKey(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	k, ok := hal.ParseKey(name)
	if !ok {
		http.Error(w, fmt.Sprintf("unknown key %q; valid keys: %s", name, strings.Join(hal.KeyNames(), " ")),
			http.StatusNotFound)
		return
	}
	at := time.Now()
	q := r.URL.Query()
	if k.IsSwitch() {
		b.serveSwitch(w, r, k, at)
		return
	}
	if q.Has("state") {
		http.Error(w, fmt.Sprintf("%s is a key, not a switch: use hold or action, not state", k), http.StatusBadRequest)
		return
	}
	action := q.Get("action")
	if action != "" && q.Has("hold") {
		http.Error(w, "use either action or hold, not both", http.StatusBadRequest)
		return
	}
	var err error
	switch action {
	case "down", "up":
		err = b.deliver(r.Context(), hal.KeyEvent{Key: k, Down: action == "down", At: at})
	case "":
		hold := 0
		if q.Has("hold") {
			hold, err = strconv.Atoi(q.Get("hold"))
			if err != nil || hold < 0 || hold > maxHoldMs {
				http.Error(w, fmt.Sprintf("hold must be milliseconds from 0 to %d", maxHoldMs), http.StatusBadRequest)
				return
			}
		}
		err = b.press(r.Context(), k, at, time.Duration(hold)*time.Millisecond)
	default:
		http.Error(w, fmt.Sprintf("action must be down or up, not %q", action), http.StatusBadRequest)
		return
	}
	if err != nil {
		b.log.Warn("sim key", "key", k, "err", err)
		http.Error(w, "the phone did not take the key event (is it running?): "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// press delivers k down at at, waits hold, then delivers k up. Once the
// down is delivered the up is always attempted, even if the request ends
// during the hold, so that the phone never sees a key stuck down while the
// board runs.
func (b *Board) press(ctx context.Context, k hal.Key, at time.Time, hold time.Duration) error {
	if err := b.deliver(ctx, hal.KeyEvent{Key: k, Down: true, At: at}); err != nil {
		return err
	}
	if hold > 0 {
		t := time.NewTimer(hold)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	up := hal.KeyEvent{Key: k, Down: false, At: time.Now()}
	if ctx.Err() != nil {
		ctx = b.base // the client went; the board may still be running
	}
	return b.deliver(ctx, up)
}

// parseSwitchWord returns the switch position a ?state= word names (true:
// closed, i.e. plugged in or off hook) and whether the word is known.
func parseSwitchWord(s string) (closed, ok bool) {
	switch s {
	case "plugged", "on", "offhook":
		return true, true
	case "unplugged", "off", "onhook":
		return false, true
	}
	return false, false
}

// switchJSON is the reply to a switch request.
type switchJSON struct {
	Key   string `json:"key"`
	State string `json:"state"`
}

// serveSwitch toggles k or sets it from ?state= (or ?action=down|up), and
// delivers an event if the position changed.
func (b *Board) serveSwitch(w http.ResponseWriter, r *http.Request, k hal.Key, at time.Time) {
	q := r.URL.Query()
	if q.Has("hold") {
		http.Error(w, fmt.Sprintf("%s is a switch: use state=plugged|unplugged (or on|off), not hold", k), http.StatusBadRequest)
		return
	}
	want, set := false, false
	if s := q.Get("state"); q.Has("state") {
		want, set = parseSwitchWord(s)
		if !set {
			http.Error(w, fmt.Sprintf("state must be plugged, unplugged, on or off, not %q", s), http.StatusBadRequest)
			return
		}
	}
	if a := q.Get("action"); q.Has("action") {
		if set || (a != "down" && a != "up") {
			http.Error(w, "action must be down or up, and not given with state", http.StatusBadRequest)
			return
		}
		want, set = a == "down", true
	}

	b.switchMu.Lock()
	defer b.switchMu.Unlock()
	b.mu.Lock()
	pos := &b.jack
	if k == hal.KeyHook {
		pos = &b.hook
	}
	cur := *pos
	b.mu.Unlock()
	if !set {
		want = !cur
	}
	if want != cur {
		if err := b.deliver(r.Context(), hal.KeyEvent{Key: k, Down: want, At: at}); err != nil {
			b.log.Warn("sim switch", "key", k, "err", err)
			http.Error(w, "the phone did not take the switch event (is it running?): "+err.Error(),
				http.StatusServiceUnavailable)
			return
		}
		b.mu.Lock()
		*pos = want
		b.mu.Unlock()
		b.hub.publish(topicState)
	}
	word := jackWord(want)
	if k == hal.KeyHook {
		word = "onhook"
		if want {
			word = "offhook"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(switchJSON{Key: k.String(), State: word}); err != nil {
		b.log.Debug("sim switch write", "err", err)
	}
}
