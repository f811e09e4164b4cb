package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"ccphone/hal"
	"ccphone/ui/calllog"
	"ccphone/ui/i18n"
)

// Errors returned by the phone.
var (
	ErrOptions = errors.New("ui: bad options")
)

// Options configures a Phone. Display, LEDs and Catalogs are required.
type Options struct {
	Display  hal.Display // the LCD; may also implement hal.Contrast and hal.Backlight
	LEDs     hal.LEDs
	Catalogs *i18n.Set
	Settings Settings // the configuration at start
	Clock    Clock    // nil means hal.SystemClock
	Logger   *slog.Logger

	Version string // shown on the Version screen and in Status
	Board   string // the board's name, shown on the Version screen

	// NetAddrs lists the phone's network addresses for the Network
	// screen. Nil shows none.
	NetAddrs func() []string
	// SaveSetting persists a change the user made on the phone (a
	// user-owned setting such as KeyLanguage). It runs on the event loop
	// and must be quick. An error keeps the old value and says so on the
	// LCD. Nil keeps changes in memory only.
	SaveSetting func(key, value string) error
	// OnChange is called on the event loop after a new Status is
	// published. It must not block.
	OnChange func()
	// SwitchLine switches a line's registration off or on (a long press
	// on its line key), without changing the configuration. It runs on
	// the event loop and must not block. Nil only changes the display.
	SwitchLine func(line int, on bool)
	// Recording starts and stops on-demand recording; nil hides the Rec
	// softkey's effect.
	Recording Recording
	// SetMonitorMode switches the supervisor's monitor port: "off",
	// "listen", "whisper" or "barge". It runs on the event loop and must
	// not block.
	SetMonitorMode func(mode string)
	// Recordings lists the recordings for the menu; nil shows none.
	Recordings Recordings
	// Sounds plays tones and the ringer; nil plays nothing.
	Sounds Sounds
	// CallLog keeps the call history; nil keeps none.
	CallLog *calllog.Log
	// LineIdle is called on the event loop when a line's last call has
	// ended, so that configuration held back while it was busy can be
	// applied. It must not block.
	LineIdle func(line int)
	// CheckProvisioning asks for a provisioning check now (the Check
	// softkey on the Provisioning screen). It must not block.
	CheckProvisioning func()
	// Telephony places and controls calls. Nil leaves the phone without
	// calls (the keys that would start one say so).
	Telephony Telephony
	// LongPress is how long a key must be held to count as a long press.
	// Zero means DefaultLongPress.
	LongPress time.Duration
}

// DefaultLongPress is the CC800's long-press time.
const DefaultLongPress = time.Second

// popupTime is how long a level pop-up (volume) stays on the idle screen.
const popupTime = 3 * time.Second

// Phone is the phone as the agent uses it: the one event loop that owns
// all line, call and screen state. Keys, SIP events and configuration
// changes reach it through its methods, which are safe to call from any
// goroutine; Run does all the work on one goroutine.
type Phone struct {
	opts   Options
	log    *slog.Logger
	clock  Clock
	keys   chan hal.KeyEvent
	events chan func()
	status atomic.Pointer[Status]
	busy   atomic.Uint32 // bit n-1: line n has a call

	// Owned by the Run goroutine.
	set       Settings
	cat       *i18n.Catalog
	regs      [NumLines]RegistrationState
	regServer [NumLines]string // the registrar in use, as the SIP layer reports it
	lineOff   [NumLines]bool   // registration switched off by a long press
	missed    int
	vm        int
	vmByLine  [NumLines]int // new voicemail messages per line
	monitor   bool
	stack     [8]pageRef // open pages; stack[0] is idle
	depth     int
	edit      int // value being edited on a kindValue page
	text      []string
	textGen   int
	popup     popup
	held      hal.Key // key down and not yet released
	heldAt    time.Time
	heldLong  bool
	frame     hal.Frame
	last      view
	shown     bool
	leds      [hal.NumLEDs]hal.LEDState
	ledsSet   bool
	dirty     bool // Status needs publishing
	notice    string

	prov       ProvisioningStatus
	recs       []RecordingInfo // the Recordings page's list, newest first
	recShown   RecordingInfo   // the recording on the details page
	sounds     [hal.NumAudioPorts]Sound
	beepFor    CallID                 // an auto-answered call whose beep waits for it to connect
	volumes    [hal.NumAudioPorts]int // levels last handed to Volumes; -1 before
	calls      [NumCalls]callSlot
	conf       bool   // the two calls are in a 3-way conference
	focus      int    // the call slot in front
	lastDialed string // for the Redial key
}

type pageRef struct {
	id     pageID
	cursor int
	top    int
}

type popup struct {
	kind  popupKind
	value int
	until time.Time
}

type popupKind uint8

const (
	popupNone popupKind = iota
	popupRingVolume
	popupHeadsetVolume
	popupSpeakerVolume
	popupNotice
)

// New returns a phone ready to Run.
func New(opts Options) (*Phone, error) {
	switch {
	case opts.Display == nil:
		return nil, fmt.Errorf("%w: no display", ErrOptions)
	case opts.LEDs == nil:
		return nil, fmt.Errorf("%w: no LEDs", ErrOptions)
	case opts.Catalogs == nil:
		return nil, fmt.Errorf("%w: no catalogs", ErrOptions)
	}
	if opts.Clock == nil {
		opts.Clock = hal.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.LongPress <= 0 {
		opts.LongPress = DefaultLongPress
	}
	p := &Phone{
		opts:   opts,
		log:    opts.Logger,
		clock:  opts.Clock,
		keys:   make(chan hal.KeyEvent, 64),
		events: make(chan func(), 64),
		depth:  1,
	}
	for i := range p.volumes {
		p.volumes[i] = -1
	}
	p.useSettings(opts.Settings)
	p.publish()
	return p, nil
}

// Keys returns the channel the board delivers key events to.
func (p *Phone) Keys() chan<- hal.KeyEvent { return p.keys }

// LineBusy reports whether line (1-based) has a call: dialled, ringing,
// connected or held. It is safe from any goroutine and reflects the state
// after the phone's last event.
func (p *Phone) LineBusy(line int) bool {
	return line >= 1 && line <= NumLines && p.busy.Load()&(1<<(line-1)) != 0
}

// Status returns the latest published snapshot of the phone.
func (p *Phone) Status() *Status { return p.status.Load() }

// ApplySettings hands the phone a new configuration. Lines and screens
// change on the event loop.
func (p *Phone) ApplySettings(ctx context.Context, s Settings) error {
	return p.do(ctx, func() { p.useSettings(s) })
}

// SetRegistration reports a line's registration state (line is 1-based)
// and the registrar it is at ("" keeps the configured one on show).
func (p *Phone) SetRegistration(ctx context.Context, line int, st RegistrationState, server string) error {
	if line < 1 || line > NumLines {
		return fmt.Errorf("%w: line %d", ErrOptions, line)
	}
	return p.do(ctx, func() {
		p.regs[line-1] = st
		p.regServer[line-1] = server
		p.dirty = true
	})
}

// SetProvisioning reports the outcome of a provisioning check. A failure
// shows a notice on the LCD, unless it is Quiet; the Provisioning screen
// under Status shows the details.
func (p *Phone) SetProvisioning(ctx context.Context, st ProvisioningStatus) error {
	return p.do(ctx, func() {
		p.prov = st
		switch {
		case st.Result == "failed" && !st.Quiet:
			p.showNotice(p.cat.T("notice.provisioning_failed"))
		case st.Result == "applied":
			p.showNotice(p.cat.T("notice.provisioning_applied"))
		}
		if ref := p.page(); ref.id == pageProvisioning {
			p.enter() // refresh the text on show
		}
		p.dirty = true
	})
}

// SetVoicemail reports the messages waiting on a line (MWI); the idle
// screen shows the new ones of both lines.
func (p *Phone) SetVoicemail(ctx context.Context, line, newMessages int) error {
	if line < 1 || line > NumLines {
		return fmt.Errorf("%w: line %d", ErrOptions, line)
	}
	return p.do(ctx, func() {
		p.vmByLine[line-1] = newMessages
		p.vm = 0
		for _, n := range p.vmByLine {
			p.vm += n
		}
		p.dirty = true
	})
}

// do runs f on the event loop.
func (p *Phone) do(ctx context.Context, f func()) error {
	select {
	case p.events <- f:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run is the event loop. It returns ctx's error once ctx is done, after
// showing the shutdown screen and turning the LEDs off.
func (p *Phone) Run(ctx context.Context) error {
	timer := p.clock.NewTimer()
	defer timer.Stop()
	p.applyDisplaySettings()
	p.refresh()
	for {
		if d, ok := p.nextWake(); ok {
			timer.Reset(d)
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			p.shutdown()
			return ctx.Err()
		case ev := <-p.keys:
			p.key(ev)
		case f := <-p.events:
			f()
		case <-timer.C():
			p.tick()
		}
		p.refresh()
	}
}

// shutdown shows the last screen and turns every LED off.
func (p *Phone) shutdown() {
	p.stack[0] = pageRef{id: pageShutdown}
	p.depth = 1
	p.popup = popup{}
	p.render()
	for l := range hal.NumLEDs {
		if err := p.opts.LEDs.SetLED(hal.LED(l), hal.LEDState{}); err != nil {
			p.log.Warn("led off", "led", hal.LED(l), "err", err)
		}
	}
	if p.opts.Sounds != nil {
		for port, s := range p.sounds {
			if s != SoundNone {
				p.opts.Sounds.SetSound(hal.AudioPort(port), SoundNone)
			}
		}
	}
}

// nextWake returns how long until the loop must wake by itself: the next
// minute (the clock), the end of a long press or of a pop-up.
func (p *Phone) nextWake() (time.Duration, bool) {
	now := p.clock.Now()
	next := now.Truncate(time.Minute).Add(time.Minute)
	if p.held != hal.KeyNone && !p.heldLong {
		if t := p.heldAt.Add(p.opts.LongPress); t.Before(next) {
			next = t
		}
	}
	if p.popup.kind != popupNone && p.popup.until.Before(next) {
		next = p.popup.until
	}
	if t, ok := p.callWake(now); ok && t.Before(next) {
		next = t
	}
	d := next.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}

// tick handles the timer: long presses and pop-ups that are due. The
// clock itself is redrawn by refresh, which reads the time.
func (p *Phone) tick() {
	now := p.clock.Now()
	if p.held != hal.KeyNone && !p.heldLong && !now.Before(p.heldAt.Add(p.opts.LongPress)) {
		p.heldLong = true
		p.longPress(p.held)
	}
	if p.popup.kind != popupNone && !now.Before(p.popup.until) {
		p.popup = popup{}
		p.dirty = true
	}
	p.callTick(now)
}

// useSettings adopts a new configuration.
func (p *Phone) useSettings(s Settings) {
	old := p.set
	p.set = s
	p.cat = p.opts.Catalogs.Lookup(s.Language)
	for i, l := range s.Lines {
		switch {
		case !l.Enabled || p.lineOff[i]:
			p.regs[i] = RegistrationDisabled
		case p.regs[i] == RegistrationDisabled || l.Server != old.Lines[i].Server:
			p.regs[i] = RegistrationRegistering
		}
	}
	p.applyDisplaySettings()
	p.dirty = true
}

func (p *Phone) applyDisplaySettings() {
	if c, ok := p.opts.Display.(hal.Contrast); ok {
		if err := c.SetContrast(clamp(p.set.Contrast, 0, hal.MaxContrast)); err != nil {
			p.log.Warn("set contrast", "err", err)
		}
	}
	if b, ok := p.opts.Display.(hal.Backlight); ok {
		if err := b.SetBacklight(clamp(p.set.Backlight, 0, 100)); err != nil {
			p.log.Warn("set backlight", "err", err)
		}
	}
}

// saveSetting persists a user change and adopts it; on failure the old
// value stays and the LCD says so.
func (p *Phone) saveSetting(key, value string, apply func(*Settings)) bool {
	if p.opts.SaveSetting != nil {
		if err := p.opts.SaveSetting(key, value); err != nil {
			p.log.Error("save setting", "key", key, "err", err)
			p.showNotice(p.cat.T("notice.not_saved"))
			return false
		}
	}
	s := p.set
	apply(&s)
	p.useSettings(s)
	p.log.Info("setting changed", "key", key, "value", value)
	return true
}

func (p *Phone) showNotice(text string) {
	p.notice = text
	p.popup = popup{kind: popupNotice, until: p.clock.Now().Add(popupTime)}
	p.dirty = true // Status.Notice
}

// page returns the page on top of the stack.
func (p *Phone) page() *pageRef { return &p.stack[p.depth-1] }

func (p *Phone) open(id pageID) {
	if p.depth == len(p.stack) {
		return
	}
	p.stack[p.depth] = pageRef{id: id}
	p.depth++
	p.enter()
}

func (p *Phone) back() {
	if p.depth > 1 {
		p.depth--
		p.enter()
	}
}

func (p *Phone) home() {
	p.depth = 1
	p.enter()
}

// enter prepares the page on top of the stack.
func (p *Phone) enter() {
	ref := p.page()
	def := ref.id.def()
	switch def.kind {
	case kindValue:
		p.edit = p.settingValue(def.setting)
	case kindChoice:
		values, _, current := p.choices(ref.id)
		for i, v := range values {
			if v == current {
				ref.cursor = i
			}
		}
	case kindText:
		p.text = p.textFor(ref.id)
		p.textGen++
	case kindLog:
		p.missed = 0 // the agent has seen them
		p.textGen++
	case kindRecordings:
		p.recs = nil
		if p.opts.Recordings != nil {
			p.recs = p.opts.Recordings.List()
		}
		ref.cursor = min(ref.cursor, max(len(p.recs)-1, 0))
		p.textGen++
	}
	p.dirty = true
}

func (p *Phone) settingValue(key string) int {
	switch key {
	case KeyContrast:
		return p.set.Contrast
	case KeyRingVolume:
		return p.set.RingVolume
	}
	return 0
}

// textFor returns the lines of a read-only page.
func (p *Phone) textFor(id pageID) []string {
	var out []string
	switch id {
	case pageNetwork:
		var addrs []string
		if p.opts.NetAddrs != nil {
			addrs = p.opts.NetAddrs()
		}
		if len(addrs) == 0 {
			return []string{p.cat.T("network.none")}
		}
		return addrs
	case pageAccounts:
		for i, l := range p.set.Lines {
			label := l.Label
			if label == "" {
				label = "-"
			}
			out = append(out, strconv.Itoa(i+1)+": "+label)
			if l.User != "" || l.Server != "" {
				out = append(out, "  "+l.User+"@"+l.Server)
			}
			out = append(out, "  "+p.cat.T("reg."+p.regs[i].String()))
		}
	case pageVersion:
		out = append(out, "ccphone "+p.opts.Version)
		if p.opts.Board != "" {
			out = append(out, p.cat.T("version.board")+": "+p.opts.Board)
		}
	case pageProvisioning:
		st := p.prov
		if st.Result == "" || st.Result == "none" {
			return []string{p.cat.T("provisioning.never")}
		}
		at := st.At
		out = append(out, p.cat.T("provisioning.last")+" "+clockText(at.Hour(), at.Minute(), p.set.Clock24))
		out = append(out, p.cat.T("provisioning.result."+st.Result))
		if st.Server != "" {
			out = append(out, wrap(st.Server, textColumns)...)
		}
		if st.Error != "" {
			out = append(out, wrap(st.Error, textColumns)...)
		}
	case pageRecording:
		r := p.recShown
		out = append(out,
			strconv.Itoa(r.Start.Day())+" "+p.cat.T("month."+strconv.Itoa(int(r.Start.Month())))+" "+clockText(r.Start.Hour(), r.Start.Minute(), p.set.Clock24),
			p.cat.T("recording.dir."+r.Direction.String())+" "+r.Number,
			duration(int(r.Duration/time.Second)),
			p.cat.T("recording.upload."+r.Upload))
		if r.Tries > 0 {
			out = append(out, p.cat.T("recording.tries")+" "+strconv.Itoa(r.Tries))
		}
		if r.LastError != "" {
			out = append(out, wrap(r.LastError, textColumns)...)
		}
	case pageQuality:
		qr, ok := p.opts.Telephony.(QualityReporter)
		c := &p.calls[p.focus]
		if !ok || !c.active() || c.id == 0 {
			return []string{p.cat.T("quality.none")}
		}
		q, ok := qr.CallQuality(c.id)
		if !ok {
			return []string{p.cat.T("quality.none")}
		}
		ms := func(d time.Duration) string { return strconv.Itoa(int(d/time.Millisecond)) + " ms" }
		pct := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "%" }
		out = append(out,
			"MOS "+strconv.FormatFloat(q.MOS, 'f', 1, 64)+" "+p.cat.T(qualityWord(q.MOS)),
			p.cat.T("quality.codec")+" "+q.Codec+srtpMark(q.SRTP),
			p.cat.T("quality.loss")+" "+pct(q.Loss))
		if q.FarReported {
			out = append(out, p.cat.T("quality.farloss")+" "+pct(q.FarLoss))
		}
		out = append(out, p.cat.T("quality.jitter")+" "+ms(q.Jitter))
		if q.RTT > 0 {
			out = append(out, "RTT "+ms(q.RTT))
		}
	case pagePhonebook:
		out = append(out, p.cat.T("list.empty"))
	}
	return out
}

// srtpMark is what the quality page adds after the codec of a call
// whose media is encrypted.
func srtpMark(on bool) string {
	if on {
		return " SRTP"
	}
	return ""
}

// textColumns is how many Regular characters a text page row holds.
const textColumns = 20

// wrap cuts s into rows of at most n runes, at spaces where it can.
func wrap(s string, n int) []string {
	var rows []string
	r := []rune(s)
	for len(r) > n {
		cut := n
		for i := n; i > n/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		rows = append(rows, string(r[:cut]))
		r = r[cut:]
		for len(r) > 0 && r[0] == ' ' {
			r = r[1:]
		}
	}
	if len(r) > 0 {
		rows = append(rows, string(r))
	}
	return rows
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// MonitorModes are the supervisor monitor port's modes, in menu order.
var MonitorModes = []string{"off", "listen", "whisper", "barge"}

// choices returns the values of a choice page, their labels, and the
// current value.
func (p *Phone) choices(id pageID) (values, labels []string, current string) {
	switch id {
	case pageMonitor:
		for _, m := range MonitorModes {
			labels = append(labels, p.cat.T("monitor."+m))
		}
		return MonitorModes, labels, p.set.MonitorMode
	}
	codes := p.opts.Catalogs.Codes()
	for _, c := range codes {
		labels = append(labels, p.opts.Catalogs.Lookup(c).Name)
	}
	return codes, labels, p.set.Language
}

// setChoice stores a choice page's value in s.
func setChoice(s *Settings, key, v string) {
	switch key {
	case KeyLanguage:
		s.Language = v
	case KeyMonitorMode:
		s.MonitorMode = v
	}
}

// qualityWord names a MOS in the agent's terms.
func qualityWord(mos float64) string {
	switch {
	case mos >= 4.0:
		return "quality.good"
	case mos >= 3.6:
		return "quality.fair"
	case mos >= 3.1:
		return "quality.poor"
	}
	return "quality.bad"
}
