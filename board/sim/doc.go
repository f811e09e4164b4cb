// Package sim is the simulated board: virtual hardware with a web front
// panel, so that the phone can be driven without a CC800 on the desk.
//
// The common path:
//
//	b, err := sim.New(sim.Options{Addr: "127.0.0.1:8080", State: snapshot, Logger: log})
//	if err != nil { ... }
//	defer b.Close()
//	keys := make(chan hal.KeyEvent, 16)
//	// The phone's event loop draws on b.Display(), sets b.LEDs(), reads
//	// keys and calls b.NotifyState() when lines or calls change.
//	err = b.Run(ctx, keys) // serves the panel until ctx ends
//
// New listens at once, so URL is known before Run starts; Run serves HTTP
// and delivers every key press from the panel or the API to the events
// channel as hal.KeyEvents. The phone draws with Display().Show and sets
// indicators with LEDs().SetLED, exactly as on the real board; the panel
// shows both live. When the phone's own state (lines, calls, registration)
// changes, it calls NotifyState, and open panels fetch it again through
// Options.State.
//
// The HTTP API, for people and scripts:
//
//	GET  /                 the front panel: one self-contained page
//	GET  /api/state        JSON: Options.State merged with "leds", "lcd" and "monitor_jack"
//	GET  /api/lcd.png      the LCD as a 128×64 PNG; ?scale=N (1..8) enlarges it
//	GET  /api/events       server-sent events "lcd", "leds" and "state"; the current
//	                       value of each comes first on connect
//	POST /api/keys/{name}  a key press (down, then up); ?hold=ms holds it,
//	                       ?action=down or ?action=up sends one edge; the switches
//	                       monitor-jack and hook toggle, or take ?state=plugged|unplugged
//
// Key names are hal.KeyNames. A press's down event carries the time of the
// request and its up event the time of the release, so up.At-down.At is at
// least the hold. A request whose event the phone does not take within
// Options.KeyTimeout (Run not running, event loop stuck) fails with 503.
//
// Audio() is a null device for now: its ports read silence and discard
// what is written.
package sim
