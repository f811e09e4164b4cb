package ui

import (
	"image"
	"strconv"
	"time"

	"ccphone/hal"
	"ccphone/ui/calllog"
	"ccphone/ui/font"
	"ccphone/ui/i18n"
)

// Screen geometry, from the fonts.
var (
	rowH      = font.Regular.Height()      // one row of Regular text
	smallH    = font.Small.Height()        // one row of Small text
	softTop   = hal.LCDHeight - smallH - 1 // the softkey bar
	listTop   = rowH + 1                   // first row under a title bar
	listRows  = (softTop - 1 - listTop) / rowH
	textRows  = listRows
	softWidth = hal.LCDWidth / 4
)

// view is everything a screen shows. Two equal views draw the same
// pixels, so the loop compares views and draws (and ships) nothing when
// the screen has not changed. Building a view allocates nothing.
type view struct {
	page    pageID
	cat     *i18n.Catalog
	cursor  int
	top     int
	edit    int
	textGen int

	hour, minute int
	day          int
	month        time.Month
	weekday      time.Weekday
	clock24      bool

	lines      [NumLines]lineView
	dnd        bool
	autoAnswer bool
	forward    bool
	missed     int
	voicemail  int
	monitor    bool

	popup      popupKind
	popupValue int
	notice     string

	calls [NumCalls]callView
	focus int
}

type lineView struct {
	label string
	reg   RegistrationState
}

func (p *Phone) view() view {
	ref := p.page()
	now := p.clock.Now()
	v := view{
		page: ref.id, cat: p.cat, cursor: ref.cursor, top: ref.top,
		edit: p.edit, textGen: p.textGen,
		hour: now.Hour(), minute: now.Minute(), day: now.Day(),
		month: now.Month(), weekday: now.Weekday(), clock24: p.set.Clock24,
		dnd: p.set.DND, autoAnswer: p.set.AutoAnswer,
		missed: p.missed, voicemail: p.vm, monitor: p.monitor && p.set.MonitorIndicator,
		popup: p.popup.kind, popupValue: p.popup.value,
	}
	if p.popup.kind == popupNotice {
		v.notice = p.notice
	}
	for i := range p.calls {
		v.calls[i] = p.callView(i, now)
	}
	v.focus = p.focus
	for i, l := range p.set.Lines {
		v.lines[i] = lineView{label: l.Label, reg: p.regs[i]}
		if l.Enabled && l.Forward != "" {
			v.forward = true
		}
	}
	return v
}

// refresh redraws the screen if it changed, updates the LEDs and
// publishes the status.
func (p *Phone) refresh() {
	p.render()
	p.updateLEDs()
	p.updateBusy()
	p.updateSounds()
	p.updateVolumes()
	if p.dirty {
		p.dirty = false
		p.publish()
		if p.opts.OnChange != nil {
			p.opts.OnChange()
		}
	}
}

// render draws the current view and ships it, unless nothing changed.
func (p *Phone) render() {
	v := p.view()
	if p.shown && v == p.last {
		return
	}
	p.draw(&v, &p.frame)
	if err := p.opts.Display.Show(&p.frame); err != nil {
		p.log.Warn("show frame", "err", err)
		return // try again on the next event
	}
	p.last, p.shown = v, true
}

// draw paints v into f.
func (p *Phone) draw(v *view, f *hal.Frame) {
	f.Clear()
	def := v.page.def()
	switch def.kind {
	case kindIdle:
		if v.calls[0].used || v.calls[1].used {
			drawCalls(v, f)
			drawSoftkeys(f, v.cat, callSoftkeys(v.calls[v.focus]))
			p.drawPopup(v, f)
			return
		}
		drawIdle(v, f)
	case kindList:
		drawTitle(f, v.cat.T(def.title), v.cursor+1, len(def.items))
		for row := 0; row < listRows && v.top+row < len(def.items); row++ {
			i := v.top + row
			label := strconv.Itoa(i+1) + ". " + v.cat.T(def.items[i].def().title)
			drawRow(f, row, label, i == v.cursor)
		}
	case kindChoice:
		values, labels, current := p.choices(v.page)
		drawTitle(f, v.cat.T(def.title), v.cursor+1, len(values))
		for row := 0; row < listRows && v.top+row < len(values); row++ {
			i := v.top + row
			mark := "  "
			if values[i] == current {
				mark = "• "
			}
			drawRow(f, row, mark+labels[i], i == v.cursor)
		}
	case kindValue:
		drawTitle(f, v.cat.T(def.title), 0, 0)
		drawLevel(f, listTop+rowH/2, v.edit, def.min, def.max)
	case kindText:
		drawTitle(f, v.cat.T(def.title), 0, 0)
		for row := 0; row < textRows && v.top+row < len(p.text); row++ {
			font.Regular.Draw(f, 1, listTop+row*rowH, font.Regular.Truncate(p.text[v.top+row], hal.LCDWidth-8))
		}
		if v.top > 0 {
			font.IconArrowUp.Draw(f, hal.LCDWidth-font.IconArrowUp.Width(), listTop)
		}
		if v.top+textRows < len(p.text) {
			font.IconArrowDown.Draw(f, hal.LCDWidth-font.IconArrowDown.Width(), softTop-2-font.IconArrowDown.Height())
		}
	case kindLog:
		n := p.logLen()
		drawTitle(f, v.cat.T(def.title), v.cursor+1, n)
		if n == 0 {
			font.Regular.Draw(f, 1, listTop, v.cat.T("list.empty"))
		}
		for row := 0; row < listRows && v.top+row < n; row++ {
			e, _ := p.logEntry(v.top + row)
			drawLogRow(f, v, row, e, v.top+row == v.cursor)
		}
	case kindRecordings:
		drawTitle(f, v.cat.T(def.title), v.cursor+1, len(p.recs))
		if len(p.recs) == 0 {
			font.Regular.Draw(f, 1, listTop, v.cat.T("list.empty"))
		}
		for row := 0; row < listRows && v.top+row < len(p.recs); row++ {
			drawRecordingRow(f, v, row, p.recs[v.top+row], v.top+row == v.cursor)
		}
	case kindNotice:
		drawCentered(f, font.Regular, (hal.LCDHeight-rowH)/2, v.cat.T(def.title))
		return // no softkeys
	}
	keys := softkeys(def.kind)
	if v.page == pageProvisioning && p.opts.CheckProvisioning != nil {
		keys[3] = "soft.check"
	}
	drawSoftkeys(f, v.cat, keys)
	p.drawPopup(v, f)
}

// drawPopup paints the pop-up of v, if any, over the screen.
func (p *Phone) drawPopup(v *view, f *hal.Frame) {
	switch v.popup {
	case popupRingVolume:
		drawPopup(f, v.cat.T("ringvolume.title"), func(y int) { drawLevel(f, y, v.popupValue, 0, MaxRingVolume) })
	case popupHeadsetVolume:
		drawPopup(f, v.cat.T("headsetvolume.title"), func(y int) { drawLevel(f, y, v.popupValue, 0, MaxVolume) })
	case popupSpeakerVolume:
		drawPopup(f, v.cat.T("speakervolume.title"), func(y int) { drawLevel(f, y, v.popupValue, 0, MaxVolume) })
	case popupNotice:
		drawPopup(f, v.notice, nil)
	}
}

// drawIdle paints the idle screen: status icons and the clock, both lines
// with their registration, the date, and the softkeys.
func drawIdle(v *view, f *hal.Frame) {
	drawStatusBar(v, f)

	// The two lines.
	for i, l := range v.lines {
		y := rowH + 2 + i*(rowH+1)
		iw := font.IconRegistered.Width()
		switch l.reg {
		case RegistrationRegistered:
			font.IconRegistered.Draw(f, 0, y+(rowH-font.IconRegistered.Height())/2)
		case RegistrationRegistering:
			font.IconRegistering.Draw(f, 0, y+(rowH-font.IconRegistering.Height())/2)
		case RegistrationFailed:
			font.IconRegistrationFailed.Draw(f, 0, y+(rowH-font.IconRegistrationFailed.Height())/2)
		default: // disabled: a dash where the icon would be
			f.Fill(image.Rect(1, y+rowH/2-1, iw-1, y+rowH/2), true)
		}
		label := l.label
		if label == "" {
			label = v.cat.T("line." + strconv.Itoa(i+1))
		}
		x := iw + 3
		font.Regular.Draw(f, x, y, font.Regular.Truncate(label, hal.LCDWidth-x))
	}

	// The date.
	date := v.cat.T("day."+strconv.Itoa(int(v.weekday))) + " " + strconv.Itoa(v.day) + " " + v.cat.T("month."+strconv.Itoa(int(v.month)))
	drawCentered(f, font.Regular, rowH+2+2*(rowH+1)+2, date)
}

// drawStatusBar paints the top row: indicators on the left, the time on
// the right, and a rule under them.
func drawStatusBar(v *view, f *hal.Frame) {
	x := 0
	icon := func(ic font.Icon, on bool) {
		if on {
			ic.Draw(f, x, (rowH-ic.Height())/2)
			x += ic.Width() + 2
		}
	}
	icon(font.IconDND, v.dnd)
	icon(font.IconAutoAnswer, v.autoAnswer)
	icon(font.IconCallForward, v.forward)
	icon(font.IconHeadset, v.monitor)
	if v.missed > 0 {
		icon(font.IconMissedCall, true)
		x = font.Small.Draw(f, x, (rowH-smallH)/2, strconv.Itoa(v.missed)) + 2
	}
	if v.voicemail > 0 {
		icon(font.IconVoicemail, true)
		font.Small.Draw(f, x, (rowH-smallH)/2, strconv.Itoa(v.voicemail))
	}
	clock := clockText(v.hour, v.minute, v.clock24)
	font.Regular.Draw(f, hal.LCDWidth-font.Regular.Width(clock), 0, clock)
	hline(f, rowH)
}

func clockText(h, m int, clock24 bool) string {
	suffix := ""
	if !clock24 {
		suffix = "am"
		if h >= 12 {
			suffix = "pm"
		}
		h %= 12
		if h == 0 {
			h = 12
		}
	}
	mm := strconv.Itoa(m)
	if m < 10 {
		mm = "0" + mm
	}
	return strconv.Itoa(h) + ":" + mm + suffix
}

// drawTitle paints an inverted title bar, with "pos/n" on the right when
// n > 0.
func drawTitle(f *hal.Frame, title string, pos, n int) {
	right := hal.LCDWidth - 1
	if n > 0 {
		s := strconv.Itoa(pos) + "/" + strconv.Itoa(n)
		right -= font.Small.Width(s) + 1
		font.Small.Draw(f, right+1, (rowH-smallH)/2, s)
	}
	font.Regular.Draw(f, 1, 0, font.Regular.Truncate(title, right-2))
	f.Invert(image.Rect(0, 0, hal.LCDWidth, rowH))
}

// drawRow paints one list row, inverted when selected.
func drawRow(f *hal.Frame, row int, text string, selected bool) {
	y := listTop + row*rowH
	font.Regular.Draw(f, 2, y, font.Regular.Truncate(text, hal.LCDWidth-4))
	if selected {
		f.Invert(image.Rect(0, y, hal.LCDWidth, y+rowH))
	}
}

// drawLevel paints a number and a bar from lo to hi at row y.
func drawLevel(f *hal.Frame, y, v, lo, hi int) {
	s := strconv.Itoa(v)
	drawCentered(f, font.Regular, y, s)
	y += rowH + 2
	bar := image.Rect(14, y, hal.LCDWidth-14, y+8)
	outline(f, bar)
	if hi > lo {
		w := (bar.Dx() - 4) * (v - lo) / (hi - lo)
		f.Fill(image.Rect(bar.Min.X+2, bar.Min.Y+2, bar.Min.X+2+w, bar.Max.Y-2), true)
	}
}

// drawSoftkeys paints the four softkey labels in cells above the keys.
func drawSoftkeys(f *hal.Frame, cat *i18n.Catalog, keys [4]string) {
	hline(f, softTop-1)
	for i, k := range keys {
		if k == "" {
			continue
		}
		label := font.Small.Truncate(cat.T(k), softWidth-2)
		x := i*softWidth + (softWidth-font.Small.Width(label))/2
		font.Small.Draw(f, x, softTop+1, label)
		if i > 0 {
			f.Fill(image.Rect(i*softWidth, softTop, i*softWidth+1, hal.LCDHeight), true)
		}
	}
}

// drawPopup paints a framed box over the middle of the screen with a
// title and, optionally, more content drawn by body below it.
func drawPopup(f *hal.Frame, title string, body func(y int)) {
	h := rowH + 6
	if body != nil {
		h += rowH + 12
	}
	box := image.Rect(6, (hal.LCDHeight-h)/2, hal.LCDWidth-6, (hal.LCDHeight-h)/2+h)
	f.Fill(box, false)
	outline(f, box)
	drawCentered(f, font.Regular, box.Min.Y+3, font.Regular.Truncate(title, box.Dx()-6))
	if body != nil {
		body(box.Min.Y + 3 + rowH)
	}
}

func drawCentered(f *hal.Frame, face *font.Face, y int, s string) {
	s = face.Truncate(s, hal.LCDWidth)
	face.Draw(f, (hal.LCDWidth-face.Width(s))/2, y, s)
}

func hline(f *hal.Frame, y int) {
	f.Fill(image.Rect(0, y, hal.LCDWidth, y+1), true)
}

func outline(f *hal.Frame, r image.Rectangle) {
	f.Fill(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), true)
	f.Fill(image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), true)
	f.Fill(image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), true)
	f.Fill(image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), true)
}

// publish stores a new Status snapshot.
func (p *Phone) publish() {
	s := &Status{
		Lines:        make([]LineStatus, NumLines),
		Calls:        p.callStatus(),
		Screen:       p.page().id.String(),
		Language:     p.cat.Code,
		DND:          p.set.DND,
		AutoAnswer:   p.set.AutoAnswer,
		RingSpeaker:  p.set.RingSpeaker,
		MissedCalls:  p.missed,
		Voicemail:    p.vm,
		Version:      p.opts.Version,
		Provisioning: p.prov,
		Monitor:      "unplugged",
	}
	if p.popup.kind == popupNotice {
		s.Notice = p.notice
	}
	if p.monitor {
		s.Monitor = p.set.MonitorMode
	}
	for i, l := range p.set.Lines {
		server := l.Server
		if p.regServer[i] != "" {
			server = p.regServer[i]
		}
		s.Lines[i] = LineStatus{Line: i + 1, Label: l.Label, Registration: p.regs[i], Server: server}
	}
	p.status.Store(s)
}

// drawLogRow paints one call-history entry: what happened, who, and when
// (the time today, the date before).
func drawLogRow(f *hal.Frame, v *view, row int, e calllog.Entry, selected bool) {
	y := listTop + row*rowH
	icon := font.IconPhoneOut
	switch e.Kind {
	case calllog.Missed:
		icon = font.IconMissedCall
	case calllog.Received:
		icon = font.IconPhoneIn
	}
	icon.Draw(f, 1, y+(rowH-icon.Height())/2)
	when := clockText(e.Time.Hour(), e.Time.Minute(), v.clock24)
	if e.Time.Day() != v.day || e.Time.Month() != v.month {
		when = strconv.Itoa(e.Time.Day()) + " " + v.cat.T("month."+strconv.Itoa(int(e.Time.Month())))
	}
	right := hal.LCDWidth - 1 - font.Small.Width(when)
	font.Small.Draw(f, right, y+(rowH-smallH)/2, when)
	who := e.Name
	if who == "" {
		who = e.Number
	}
	x := icon.Width() + 4
	font.Regular.Draw(f, x, y, font.Regular.Truncate(who, right-x-2))
	if selected {
		f.Invert(image.Rect(0, y, hal.LCDWidth, y+rowH))
	}
}

// drawRecordingRow paints one recording: direction, number, and its
// upload state on the right.
func drawRecordingRow(f *hal.Frame, v *view, row int, r RecordingInfo, selected bool) {
	y := listTop + row*rowH
	icon := font.IconPhoneOut
	if r.Direction == Incoming {
		icon = font.IconPhoneIn
	}
	icon.Draw(f, 1, y+(rowH-icon.Height())/2)
	state := v.cat.T("recording.short." + r.Upload)
	right := hal.LCDWidth - 1 - font.Small.Width(state)
	font.Small.Draw(f, right, y+(rowH-smallH)/2, state)
	x := icon.Width() + 4
	font.Regular.Draw(f, x, y, font.Regular.Truncate(r.Number, right-x-2))
	if selected {
		f.Invert(image.Rect(0, y, hal.LCDWidth, y+rowH))
	}
}
