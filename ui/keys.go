package ui

import (
	"strconv"

	"ccphone/hal"
)

// hasLongPress tells the keys that act when released (short press) or when held for the
// long-press time; every other key acts the moment it goes down, so the
// screen answers at once.
func hasLongPress(k hal.Key) bool {
	switch k {
	case hal.KeyLine1, hal.KeyLine2, hal.KeyBack, hal.Key1:
		return true
	}
	return false
}

// key handles one key or switch edge.
func (p *Phone) key(ev hal.KeyEvent) {
	if ev.Key.IsSwitch() {
		p.switchChanged(ev)
		return
	}
	if ev.Down {
		p.held, p.heldAt, p.heldLong = ev.Key, ev.At, false
		if ev.At.IsZero() {
			p.heldAt = p.clock.Now()
		}
		if !hasLongPress(ev.Key) {
			p.press(ev.Key)
		}
		return
	}
	if ev.Key != p.held {
		return // the release of a key whose press we did not see
	}
	long := p.heldLong
	if !long && !ev.At.IsZero() && ev.At.Sub(p.heldAt) >= p.opts.LongPress {
		// The timer did not fire before the release arrived (a busy
		// loop, or a scripted press): it was still a long press.
		long = true
		p.longPress(ev.Key)
	}
	p.held = hal.KeyNone
	if !long && hasLongPress(ev.Key) {
		p.press(ev.Key)
	}
}

func (p *Phone) switchChanged(ev hal.KeyEvent) {
	if ev.Key == hal.KeyMonitorJack && p.monitor != ev.Down {
		p.monitor = ev.Down
		p.log.Info("monitor jack", "plugged", ev.Down)
		p.dirty = true
		if p.opts.SetMonitorMode != nil {
			mode := "off"
			if p.monitor {
				mode = p.set.MonitorMode
			}
			p.opts.SetMonitorMode(mode)
		}
	}
}

// longPress handles a key held for the long-press time.
func (p *Phone) longPress(k hal.Key) {
	switch k {
	case hal.KeyLine1, hal.KeyLine2:
		// As on the CC800: a long press switches the line's
		// registration off, and on again.
		i := 0
		if k == hal.KeyLine2 {
			i = 1
		}
		if !p.set.Lines[i].Enabled {
			p.showNotice(p.cat.T("notice.line_not_configured"))
			return
		}
		p.lineOff[i] = !p.lineOff[i]
		if p.lineOff[i] {
			p.regs[i] = RegistrationDisabled
		} else {
			p.regs[i] = RegistrationRegistering
		}
		p.log.Info("line registration switched", "line", i+1, "on", !p.lineOff[i])
		if p.opts.SwitchLine != nil {
			p.opts.SwitchLine(i+1, !p.lineOff[i])
		}
		p.dirty = true
	case hal.KeyBack:
		p.home()
	case hal.Key1:
		// As on most desk phones: a long 1 calls the voicemail.
		if p.page().id != pageIdle || p.inCall() {
			return
		}
		line := p.defaultLine()
		number := p.set.Lines[line-1].Voicemail
		if number == "" {
			p.showNotice(p.cat.T("notice.no_voicemail"))
			return
		}
		p.startDial(line, number)
		if p.calls[p.focus].predial {
			p.send(p.focus)
		}
	}
}

// press handles a short press.
func (p *Phone) press(k hal.Key) {
	if p.popup.kind == popupNotice {
		p.popup = popup{} // any key dismisses a notice
		p.dirty = true
	}
	ref := p.page()
	def := ref.id.def()
	switch {
	case k == hal.KeyHold && p.inCall() && def.kind == kindIdle:
		// In a call, Hold holds; the call handler takes it.
	case k == hal.KeyAutoAnswer:
		p.toggle(KeyAutoAnswer, p.set.AutoAnswer, func(s *Settings, v bool) { s.AutoAnswer = v })
		return
	case k == hal.KeyHold:
		p.toggle(KeyRingSpeaker, p.set.RingSpeaker, func(s *Settings, v bool) { s.RingSpeaker = v })
		return
	}
	switch def.kind {
	case kindIdle:
		if p.inCall() && p.pressCall(k) {
			return
		}
		p.pressIdle(k)
	case kindList, kindChoice:
		p.pressList(k, ref, def)
	case kindValue:
		p.pressValue(k, def)
	case kindText:
		p.pressText(k, ref)
	case kindLog:
		p.pressLog(k, ref)
	case kindRecordings:
		p.pressRecordings(k, ref)
	}
}

func (p *Phone) toggle(key string, cur bool, set func(*Settings, bool)) {
	v := !cur
	p.saveSetting(key, boolString(v), func(s *Settings) { set(s, v) })
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (p *Phone) pressIdle(k hal.Key) {
	if d := k.Digit(); d != 0 {
		p.startDial(p.defaultLine(), string(d))
		return
	}
	switch k {
	case hal.KeyHeadset:
		p.startDial(p.defaultLine(), "")
		if p.set.Hotline != "" && p.calls[p.focus].predial {
			c := &p.calls[p.focus]
			c.digits, c.hotline = p.set.Hotline, true
			if p.set.HotlineDelay <= 0 {
				p.send(p.focus)
			}
		}
	case hal.KeyLine1, hal.KeyLine2:
		p.switchTo(int(k - hal.KeyLine1))
	case hal.KeyRedial:
		if p.lastDialed == "" {
			p.showNotice(p.cat.T("notice.nothing_to_redial"))
			return
		}
		p.startDial(p.defaultLine(), p.lastDialed)
		p.send(p.focus)
	case hal.KeyMenu, hal.KeyOK, hal.KeySoft4:
		p.open(pageMenu)
	case hal.KeySoft1:
		p.open(pageCallLog)
	case hal.KeySoft2:
		p.open(pagePhonebook)
	case hal.KeySoft3:
		p.toggle(KeyDND, p.set.DND, func(s *Settings, v bool) { s.DND = v })
	case hal.KeyVolUp, hal.KeyVolDown, hal.KeyVol:
		p.volumeKey(k)
	}
}

// listLen returns how many rows a list or choice page has.
func (p *Phone) listLen(ref *pageRef, def *pageDef) int {
	if def.kind == kindChoice {
		values, _, _ := p.choices(ref.id)
		return len(values)
	}
	return len(def.items)
}

func (p *Phone) pressList(k hal.Key, ref *pageRef, def *pageDef) {
	if p.navigate(k, ref, p.listLen(ref, def)) {
		return
	}
	switch k {
	case hal.Key6, hal.Key5, hal.KeyOK, hal.KeySoft4:
		if def.kind == kindChoice {
			values, _, _ := p.choices(ref.id)
			v := values[ref.cursor]
			if p.saveSetting(def.setting, v, func(s *Settings) { setChoice(s, def.setting, v) }) {
				if def.setting == KeyMonitorMode && p.opts.SetMonitorMode != nil && p.monitor {
					p.opts.SetMonitorMode(v) // takes effect now, or when the headset is plugged in
				}
				p.back()
			}
			return
		}
		p.open(def.items[ref.cursor])
	}
}

// navigate handles the keys every list page shares: 2 and 8 move the
// cursor over n rows (wrapping), 4, Back and the first softkey go back,
// Menu goes home. It reports whether it took the key.
func (p *Phone) navigate(k hal.Key, ref *pageRef, n int) bool {
	switch k {
	case hal.Key2, hal.Key8:
		if n > 0 {
			step := 1
			if k == hal.Key2 {
				step = n - 1
			}
			ref.cursor = (ref.cursor + step) % n
			ref.top = scrollTo(ref.cursor, ref.top, listRows)
			p.dirty = true
		}
	case hal.Key4, hal.KeyBack, hal.KeySoft1:
		p.back()
	case hal.KeyMenu:
		p.home()
	default:
		return false
	}
	return true
}

// scrollTo returns the first visible row that keeps cursor in view.
func scrollTo(cursor, top, rows int) int {
	if cursor < top {
		return cursor
	}
	if cursor >= top+rows {
		return cursor - rows + 1
	}
	return top
}

func (p *Phone) pressValue(k hal.Key, def *pageDef) {
	switch k {
	case hal.Key4, hal.Key8, hal.KeyVolDown, hal.KeySoft1:
		p.edit = clamp(p.edit-1, def.min, def.max)
	case hal.Key6, hal.Key2, hal.KeyVolUp, hal.KeySoft2:
		p.edit = clamp(p.edit+1, def.min, def.max)
	case hal.KeyOK, hal.Key5, hal.KeySoft4:
		v := p.edit
		ok := p.saveSetting(def.setting, strconv.Itoa(v), func(s *Settings) {
			switch def.setting {
			case KeyContrast:
				s.Contrast = v
			case KeyRingVolume:
				s.RingVolume = v
			}
		})
		if ok {
			p.back()
		}
		return
	case hal.KeyBack, hal.KeySoft3:
		p.back()
		p.applyDisplaySettings() // drop a contrast preview
		return
	case hal.KeyMenu:
		p.home()
		p.applyDisplaySettings()
		return
	default:
		return
	}
	if def.setting == KeyContrast {
		// Preview: the agent sees the contrast while choosing it.
		if c, ok := p.opts.Display.(hal.Contrast); ok {
			if err := c.SetContrast(p.edit); err != nil {
				p.log.Warn("set contrast", "err", err)
			}
		}
	}
	p.dirty = true
}

func (p *Phone) pressText(k hal.Key, ref *pageRef) {
	switch k {
	case hal.KeySoft4:
		if ref.id == pageProvisioning && p.opts.CheckProvisioning != nil {
			p.opts.CheckProvisioning()
			p.showNotice(p.cat.T("notice.provisioning_checking"))
		}
		return
	case hal.Key2:
		if ref.top > 0 {
			ref.top--
		}
	case hal.Key8:
		if ref.top < len(p.text)-textRows {
			ref.top++
		}
	case hal.Key4, hal.KeyBack, hal.KeyOK, hal.KeySoft1:
		p.back()
		return
	case hal.KeyMenu:
		p.home()
		return
	default:
		return
	}
	p.dirty = true
}

// pressLog handles the call history: 2 and 8 move, OK or Dial calls the
// entry back on its line.
func (p *Phone) pressLog(k hal.Key, ref *pageRef) {
	n := p.logLen()
	if p.navigate(k, ref, n) {
		return
	}
	switch k {
	case hal.KeyOK, hal.Key5, hal.Key6, hal.KeySoft2, hal.KeyHeadset:
		e, ok := p.logEntry(ref.cursor)
		if !ok || e.Number == "" {
			return
		}
		line := e.Line
		if line < 1 || line > NumLines || !p.set.Lines[line-1].Enabled {
			line = p.defaultLine()
		}
		p.startDial(line, e.Number)
		if p.calls[p.focus].predial {
			p.send(p.focus)
		}
	}
}

// pressRecordings handles the Recordings page: 2 and 8 move, Retry
// uploads a failed one again, Play plays it to the headset, OK or Details
// shows it.
func (p *Phone) pressRecordings(k hal.Key, ref *pageRef) {
	n := len(p.recs)
	if p.navigate(k, ref, n) {
		return
	}
	switch k {
	case hal.KeySoft2, hal.KeySoft3, hal.KeyOK, hal.Key5, hal.Key6, hal.KeySoft4:
		if ref.cursor >= n || p.opts.Recordings == nil {
			return
		}
		r := p.recs[ref.cursor]
		var err error
		switch k {
		case hal.KeySoft2:
			err = p.opts.Recordings.Retry(r.ID)
			p.enter() // show the new state
		case hal.KeySoft3:
			err = p.opts.Recordings.Play(r.ID)
		default:
			p.recShown = r
			p.open(pageRecording)
		}
		if err != nil {
			p.log.Warn("recording", "id", r.ID, "err", err)
			p.showNotice(p.cat.T("notice.failed"))
		}
	}
}
