package ui

import (
	"context"

	"ccphone/ui/calllog"
	"strings"
	"time"

	"ccphone/hal"
)

// NumCalls is how many calls the phone carries at once; call slot i is
// shown on line key i+1.
const NumCalls = 2

// callSlot is one call appearance: a call being dialled, ringing,
// connected, held, or just ended.
//
//	(free) → predial (digits typed) → Dialing (INVITE sent) → Ringing (18x)
//	       → Connected ⇄ Held → Ended → (free, after endedShown)
//	(free) → Ringing (incoming) → Connected | Ended
type callSlot struct {
	used      bool
	id        CallID // 0 while predial
	line      int    // 1-based account
	state     CallState
	dir       Direction
	remote    string
	name      string
	number    string
	predial   bool   // collecting digits, nothing sent yet
	hotline   bool   // digits hold the hotline number, dialled after HotlineDelay
	transfer  bool   // collecting a blind-transfer target in digits
	consult   CallID // the consultation this call was transferred to (attended)
	digits    string // number being dialled, or transfer target
	lastDigit time.Time
	started   time.Time // the INVITE went out or came in
	connected time.Time
	ended     time.Time
	reason    string
	heldBy    bool // the far end holds us
	answering bool // answered, the far end's ACK not yet in: it rings no more
	muted     bool
	recording bool      // the call is being recorded
	recSince  time.Time // when the current recording segment started
	typed     string    // the last digits dialled in the call, for the feature code
}

// active reports whether the slot holds a call that uses the line: not
// free, not ended.
func (c *callSlot) active() bool { return c.used && c.state != CallEnded }

// lineActivity is what the slot's line LED shows.
func (c *callSlot) lineActivity() lineActivity {
	switch {
	case !c.active():
		return lineIdle
	case c.state == CallRinging && c.dir == Incoming:
		return lineIncoming
	case c.state == CallHeld:
		return lineHeld
	}
	return lineActive
}

// inCall reports whether any slot is in use (including ended calls still
// on the screen).
func (p *Phone) inCall() bool {
	for i := range p.calls {
		if p.calls[i].used {
			return true
		}
	}
	return false
}

func (p *Phone) freeSlot() int {
	for i := range p.calls {
		if !p.calls[i].used {
			return i
		}
	}
	return -1
}

// slotFor is the call appearance for a new call on line: the line's own
// key when it is free, so that its LED shows the line's call, else the
// other free one (-1 when both are busy).
func (p *Phone) slotFor(line int) int {
	if line >= 1 && line <= NumLines && !p.calls[line-1].used {
		return line - 1
	}
	return p.freeSlot()
}

func (p *Phone) slotOf(id CallID) int {
	for i := range p.calls {
		if p.calls[i].used && p.calls[i].id == id {
			return i
		}
	}
	return -1
}

// defaultLine is the line a call is placed on when the agent does not
// pick one: the first enabled line.
func (p *Phone) defaultLine() int {
	for i, l := range p.set.Lines {
		if l.Enabled && !p.lineOff[i] {
			return i + 1
		}
	}
	return 1
}

// CallEvent reports a call's progress from the telephony layer.
func (p *Phone) CallEvent(ctx context.Context, ev CallEvent) error {
	return p.do(ctx, func() { p.callEvent(ev) })
}

func (p *Phone) callEvent(ev CallEvent) {
	p.dirty = true
	i := p.slotOf(ev.ID)
	if i < 0 {
		switch {
		case ev.Direction == Incoming && ev.State == CallRinging:
			p.incoming(ev)
		case ev.Direction == Outgoing && ev.State != CallEnded:
			p.adopt(ev)
		default:
			p.log.Debug("event for an unknown call", "call", ev.ID, "state", ev.State)
		}
		return
	}
	c := &p.calls[i]
	c.state = ev.State
	c.heldBy = ev.HeldByRemote
	if ev.Remote != "" {
		c.remote, c.name, c.number = ev.Remote, ev.RemoteName, ev.RemoteNumber
	}
	switch ev.State {
	case CallConnected:
		if c.connected.IsZero() {
			c.connected = p.clock.Now()
		}
	case CallEnded:
		p.conf = false // a conference ends with either call
		if consult := c.consult; consult != 0 && ev.Reason == "transferred" {
			// The attended transfer is done: the consultation is no
			// longer the agent's, even if its far end (a target without
			// Replaces) does not hang it up.
			if j := p.slotOf(consult); j >= 0 && p.calls[j].active() {
				if err := p.opts.Telephony.Hangup(consult); err != nil {
					p.log.Warn("hang up the consultation", "call", consult, "err", err)
				}
			}
		}
		c.ended = p.clock.Now()
		c.reason = ev.Reason
		c.transfer = false
		p.logCall(c)
		p.log.Info("call ended", "call", ev.ID, "line", c.line, "reason", ev.Reason)
		// The agent looks at the call that is still going.
		if i == p.focus {
			for j := range p.calls {
				if j != i && p.calls[j].active() {
					p.focus = j
				}
			}
		}
	}
}

// incoming handles a new incoming call: DND, a full phone, auto answer.
func (p *Phone) incoming(ev CallEvent) {
	switch {
	case p.set.DND:
		p.reject(ev.ID, p.set.DNDCode)
		p.logCall(&callSlot{dir: Incoming, line: ev.Line, number: ev.RemoteNumber, name: ev.RemoteName, started: p.clock.Now()})
		p.log.Info("incoming call refused: do not disturb", "call", ev.ID, "code", p.set.DNDCode)
		return
	case p.freeSlot() < 0:
		p.reject(ev.ID, 486)
		p.log.Info("incoming call refused: both appearances busy", "call", ev.ID)
		return
	}
	i := p.slotFor(ev.Line)
	busy := p.anyActive()
	p.calls[i] = callSlot{used: true, id: ev.ID, line: ev.Line, state: CallRinging, dir: Incoming,
		remote: ev.Remote, name: ev.RemoteName, number: ev.RemoteNumber, started: p.clock.Now()}
	if !busy {
		p.focus = i
		if p.page().id != pageIdle {
			p.home() // the call is what the agent needs to see
		}
	}
	p.log.Info("incoming call", "call", ev.ID, "line", ev.Line, "from", ev.RemoteNumber)
	if !busy && (p.set.AutoAnswer || (ev.AutoAnswer && p.set.AllowIntercom)) {
		p.answer(i)
		if p.set.AutoAnswerBeep {
			// The agent knows a caller is on: updateSounds beeps once the
			// call is connected and nothing else plays in the headset.
			p.beepFor = ev.ID
		}
	}
}

// adopt gives a slot to an outgoing call the phone did not dial: the
// telephony placed it because the far end of a call transferred us
// (REFER). The agent sees it, and the keys and LEDs act on it, like a
// call dialled from the pad; it comes to the front when no other call
// is going. With both appearances busy it is hung up.
func (p *Phone) adopt(ev CallEvent) {
	i := p.slotFor(ev.Line)
	if i < 0 {
		p.log.Warn("call placed by the telephony refused: both appearances busy", "call", ev.ID)
		if err := p.opts.Telephony.Hangup(ev.ID); err != nil {
			p.log.Warn("hang up", "call", ev.ID, "err", err)
		}
		return
	}
	busy := p.anyActive()
	now := p.clock.Now()
	p.calls[i] = callSlot{used: true, id: ev.ID, line: ev.Line, state: ev.State, dir: Outgoing,
		remote: ev.Remote, name: ev.RemoteName, number: ev.RemoteNumber, started: now}
	if ev.State == CallConnected {
		p.calls[i].connected = now
	}
	if !busy {
		p.focus = i
	}
	p.log.Info("call placed for a transfer", "call", ev.ID, "line", ev.Line, "to", ev.RemoteNumber)
}

func (p *Phone) anyActive() bool {
	for i := range p.calls {
		if p.calls[i].active() {
			return true
		}
	}
	return false
}

func (p *Phone) reject(id CallID, code int) {
	if p.opts.Telephony == nil {
		return
	}
	if err := p.opts.Telephony.Reject(id, code); err != nil {
		p.log.Warn("reject", "call", id, "err", err)
	}
}

// startDial opens a call appearance for dialling on line with the digits
// typed so far. A connected call in the other appearance is held first.
func (p *Phone) startDial(line int, digits string) {
	if p.opts.Telephony == nil {
		p.showNotice(p.cat.T("notice.no_lines"))
		return
	}
	i := p.slotFor(line)
	if i < 0 {
		return
	}
	p.holdOthers(i)
	p.calls[i] = callSlot{used: true, line: line, state: CallDialing, dir: Outgoing,
		predial: true, digits: digits, lastDigit: p.clock.Now()}
	p.focus = i
	p.home()
	p.dirty = true
}

// holdOthers holds every connected call but slot keep.
func (p *Phone) holdOthers(keep int) {
	for j := range p.calls {
		c := &p.calls[j]
		if j != keep && c.active() && c.state == CallConnected {
			if err := p.opts.Telephony.Hold(c.id, true); err != nil {
				p.log.Warn("hold", "call", c.id, "err", err)
				continue
			}
			c.state = CallHeld // the event confirms it
		}
	}
}

// send dials the digits of a predial slot.
func (p *Phone) send(i int) {
	c := &p.calls[i]
	if c.digits == "" {
		return
	}
	if c.transfer {
		if err := p.opts.Telephony.Transfer(c.id, c.digits); err != nil {
			p.log.Warn("transfer", "call", c.id, "err", err)
			p.showNotice(p.cat.T("notice.transfer_failed"))
		}
		c.transfer, c.digits = false, ""
		p.dirty = true
		return
	}
	id, err := p.opts.Telephony.Dial(c.line, c.digits)
	if err != nil {
		p.log.Warn("dial", "line", c.line, "err", err)
		p.calls[i] = callSlot{}
		p.showNotice(p.cat.T("notice.call_failed"))
		return
	}
	p.lastDialed = c.digits
	c.id, c.predial, c.number, c.started = id, false, c.digits, p.clock.Now()
	p.log.Info("dialling", "call", id, "line", c.line, "to", c.digits)
	p.dirty = true
}

func (p *Phone) answer(i int) {
	c := &p.calls[i]
	p.holdOthers(i)
	if err := p.opts.Telephony.Answer(c.id); err != nil {
		p.log.Warn("answer", "call", c.id, "err", err)
		return
	}
	c.answering = true
	p.focus = i
	p.dirty = true
}

// hangup ends the call in slot i, whatever its state.
func (p *Phone) hangup(i int) {
	c := &p.calls[i]
	switch {
	case c.predial:
		p.calls[i] = callSlot{}
		p.refocus()
	case c.transfer:
		c.transfer, c.digits = false, ""
	case c.state == CallEnded:
		p.calls[i] = callSlot{}
		p.refocus()
	case c.dir == Incoming && c.state == CallRinging:
		p.reject(c.id, 603)
	default:
		if err := p.opts.Telephony.Hangup(c.id); err != nil {
			p.log.Warn("hang up", "call", c.id, "err", err)
		}
	}
	p.dirty = true
}

// refocus moves the focus to a slot in use, if the focused one is free.
func (p *Phone) refocus() {
	if p.calls[p.focus].used {
		return
	}
	for j := range p.calls {
		if p.calls[j].used {
			p.focus = j
		}
	}
}

func (p *Phone) toggleHold(i int) {
	c := &p.calls[i]
	if c.state != CallConnected && c.state != CallHeld {
		return
	}
	hold := c.state == CallConnected
	if !hold {
		p.holdOthers(i)
	}
	if err := p.opts.Telephony.Hold(c.id, hold); err != nil {
		p.log.Warn("hold", "call", c.id, "err", err)
		return
	}
	if hold {
		c.state = CallHeld
	} else {
		c.state = CallConnected
	}
	p.dirty = true
}

// switchTo brings slot i to the front: the line keys swap between calls.
func (p *Phone) switchTo(i int) {
	c := &p.calls[i]
	switch {
	case !c.used:
		line := i + 1
		if !p.set.Lines[i].Enabled || p.lineOff[i] {
			line = p.defaultLine()
		}
		p.startDial(line, "")
	case c.dir == Incoming && c.state == CallRinging:
		p.answer(i)
	case c.state == CallHeld:
		// The line key of a held call resumes it, in front or not.
		p.focus = i
		p.toggleHold(i)
	default:
		p.focus = i
	}
	p.dirty = true
}

// transferKey starts a transfer: attended when the agent has a second
// call (the consultation), blind otherwise (type the target, then send).
func (p *Phone) transferKey() {
	i := p.focus
	c := &p.calls[i]
	if !c.active() || c.predial || (c.state != CallConnected && c.state != CallHeld) {
		return
	}
	for j := range p.calls {
		o := &p.calls[j]
		if j != i && o.active() && !o.predial && (o.state == CallConnected || o.state == CallHeld) {
			// Transfer the held call to the one the agent talks to.
			held, consult := c, o
			if c.state == CallConnected {
				held, consult = o, c
			}
			if err := p.opts.Telephony.TransferTo(held.id, consult.id); err != nil {
				p.log.Warn("attended transfer", "call", held.id, "err", err)
				p.showNotice(p.cat.T("notice.transfer_failed"))
				return
			}
			held.consult = consult.id
			return
		}
	}
	c.transfer, c.digits = true, ""
	c.lastDigit = p.clock.Now()
	p.dirty = true
}

// pressCall handles a key while the phone shows calls.
func (p *Phone) pressCall(k hal.Key) bool {
	i := p.focus
	c := &p.calls[i]
	if !c.used {
		return false
	}
	if d := k.Digit(); d != 0 {
		switch {
		case c.predial || c.transfer:
			if c.hotline {
				// The agent dials something else than the hotline.
				c.digits, c.hotline = "", false
			}
			if len(c.digits) < maxDigits {
				c.digits += string(d)
				c.lastDigit = p.clock.Now()
			}
			if d == '#' && p.set.PoundSends && len(c.digits) > 1 {
				c.digits = strings.TrimSuffix(c.digits, "#")
				p.send(i)
			}
		case c.state == CallConnected:
			if err := p.opts.Telephony.SendDTMF(c.id, d); err != nil {
				p.log.Warn("dtmf", "call", c.id, "err", err)
			}
			c.typed += string(d)
			if len(c.typed) > 8 {
				c.typed = c.typed[len(c.typed)-8:]
			}
			if code := p.set.RecordFeatureCode; code != "" && strings.HasSuffix(c.typed, code) {
				c.typed = ""
				p.toggleRecording(i)
			}
		}
		p.dirty = true
		return true
	}
	collecting := c.predial || c.transfer
	switch k {
	case hal.KeyOK:
		switch {
		case collecting:
			p.send(i)
		case c.dir == Incoming && c.state == CallRinging:
			p.answer(i)
		case c.state == CallConnected || c.state == CallHeld:
			p.open(pageQuality) // how the call sounds; Back returns
		}
	case hal.KeyHeadset:
		if c.dir == Incoming && c.state == CallRinging {
			p.answer(i)
		} else {
			p.hangupFront(i)
		}
	case hal.KeyLine1, hal.KeyLine2:
		p.switchTo(int(k - hal.KeyLine1))
	case hal.KeyHold:
		if c.dir == Incoming && c.state == CallRinging {
			// Mute ringing: move the ringing between headset and speaker.
			p.toggle(KeyRingSpeaker, p.set.RingSpeaker, func(s *Settings, v bool) { s.RingSpeaker = v })
			return true
		}
		p.toggleHold(i)
	case hal.KeyRedial:
		if c.state == CallConnected {
			c.muted = !c.muted
			if err := p.opts.Telephony.Mute(c.id, c.muted); err != nil {
				p.log.Warn("mute", "call", c.id, "err", err)
				c.muted = !c.muted
			}
		}
	case hal.KeyTransfer:
		p.transferKey()
	case hal.KeyVol, hal.KeyVolUp, hal.KeyVolDown:
		p.volumeKey(k)
	case hal.KeyBack:
		if collecting && c.digits != "" {
			c.digits = c.digits[:len(c.digits)-1]
		} else if collecting {
			p.hangup(i)
		}
	case hal.KeySoft1, hal.KeySoft2, hal.KeySoft3, hal.KeySoft4:
		p.softCall(int(k-hal.KeySoft1), i)
	default:
		return false
	}
	p.dirty = true
	return true
}

// softCall runs softkey n (0-3) of the call in slot i; the labels come
// from callSoftkeys.
func (p *Phone) softCall(n, i int) {
	c := &p.calls[i]
	switch callSoftkeys(p.callView(i, p.clock.Now()))[n] {
	case "soft.send":
		p.send(i)
	case "soft.delete":
		if c.digits != "" {
			c.digits = c.digits[:len(c.digits)-1]
		}
	case "soft.cancel", "soft.end":
		p.hangupFront(i)
	case "soft.answer":
		p.answer(i)
	case "soft.reject":
		p.reject(c.id, 486)
	case "soft.hold", "soft.resume":
		p.toggleHold(i)
	case "soft.transfer":
		p.transferKey()
	case "soft.record", "soft.stoprec":
		p.toggleRecording(i)
	case "soft.conf":
		p.conference(true)
	case "soft.split":
		p.conference(false)
	}
}

// other returns the slot of the agent's other live call, or -1.
func (p *Phone) other(i int) int {
	for j := range p.calls {
		o := &p.calls[j]
		if j != i && o.active() && !o.predial && (o.state == CallConnected || o.state == CallHeld) {
			return j
		}
	}
	return -1
}

// hangupFront ends the call in front, or the whole conference when the
// call is in one: the agent who hangs up leaves both parties, as on
// desk phones (Split first to keep one of them).
func (p *Phone) hangupFront(i int) {
	if !p.conf || !p.calls[i].active() {
		p.hangup(i)
		return
	}
	for j := range p.calls {
		if p.calls[j].active() {
			p.hangup(j)
		}
	}
}

// conference joins the agent's two calls into a 3-way conference, or
// splits it: the call in front stays, the other is held.
func (p *Phone) conference(on bool) {
	c, ok := p.opts.Telephony.(Conferencer)
	j := p.other(p.focus)
	if !ok || j < 0 {
		return
	}
	a, b := &p.calls[p.focus], &p.calls[j]
	if err := c.Conference(a.id, b.id, on); err != nil {
		p.log.Warn("conference", "err", err)
		p.showNotice(p.cat.T("notice.failed"))
		return
	}
	p.conf = on
	if on {
		a.state, b.state = CallConnected, CallConnected
	} else {
		b.state = CallHeld
	}
	p.dirty = true
}

// toggleRecording asks for on-demand recording of call i to start or stop.
func (p *Phone) toggleRecording(i int) {
	c := &p.calls[i]
	if p.opts.Recording == nil || c.state != CallConnected && c.state != CallHeld {
		return
	}
	if err := p.opts.Recording.Record(c.id, !c.recording); err != nil {
		p.log.Warn("record", "call", c.id, "err", err)
		p.showNotice(p.cat.T("notice.record_refused"))
	}
}

// SetCallRecording reports that a call's recording started or stopped
// (by policy, by the server, or on demand). since is when the current
// segment began; the call screen shows REC and its time.
func (p *Phone) SetCallRecording(ctx context.Context, id CallID, on bool, since time.Time) error {
	return p.do(ctx, func() {
		i := p.slotOf(id)
		if i < 0 {
			return
		}
		p.calls[i].recording, p.calls[i].recSince = on, since
		p.dirty = true
	})
}

// Notice shows a short message (a catalog key) on the LCD, e.g. that a
// recording was refused because the phone's storage is full.
func (p *Phone) Notice(ctx context.Context, key string) error {
	return p.do(ctx, func() { p.showNotice(p.cat.T(key)) })
}

// callSoftkeys returns the softkey labels for a call.
func callSoftkeys(c callView) [4]string {
	switch {
	case c.collect:
		return [4]string{"soft.send", "soft.delete", "", "soft.cancel"}
	case c.state == CallEnded:
		return [4]string{}
	case c.dir == Incoming && c.state == CallRinging:
		return [4]string{"soft.answer", "soft.reject", "", ""}
	case c.conf:
		return [4]string{"soft.split", "", "", "soft.end"}
	case c.state == CallConnected && c.two:
		return [4]string{"soft.hold", "soft.transfer", "soft.conf", "soft.end"}
	case c.state == CallConnected && c.rec:
		return [4]string{"soft.hold", "soft.transfer", "soft.stoprec", "soft.end"}
	case c.state == CallConnected:
		return [4]string{"soft.hold", "soft.transfer", "soft.record", "soft.end"}
	case c.state == CallHeld:
		return [4]string{"soft.resume", "soft.transfer", "", "soft.end"}
	}
	return [4]string{"", "", "", "soft.end"}
}

// maxDigits bounds a dialled number.
const maxDigits = 32

// callTick handles the call timers: the inter-digit timeout and the end
// of an ended call's display.
func (p *Phone) callTick(now time.Time) {
	if p.page().id == pageQuality {
		p.enter() // the figures change as the call goes on
	}
	for i := range p.calls {
		c := &p.calls[i]
		switch {
		case c.state == CallEnded && !now.Before(c.ended.Add(endedShown)):
			p.calls[i] = callSlot{}
			p.refocus()
			p.dirty = true
		case (c.predial || c.transfer) && c.digits != "" && !now.Before(p.dialDue(c)):
			p.send(i)
		}
	}
}

// dialDue is when a number being typed is dialled by itself.
func (p *Phone) dialDue(c *callSlot) time.Time {
	if c.hotline {
		return c.lastDigit.Add(p.set.HotlineDelay)
	}
	return c.lastDigit.Add(p.dialTimeout())
}

// TransferProgress shows how a blind transfer the agent started is going
// (the NOTIFYs of the far end: 100, 180, 200, or a failure).
func (p *Phone) TransferProgress(ctx context.Context, id CallID, code int, reason string) error {
	return p.do(ctx, func() {
		switch {
		case code >= 300 || code == 0:
			p.showNotice(p.cat.T("notice.transfer_failed"))
		case code >= 200:
			p.showNotice(p.cat.T("notice.transferred"))
		default:
			p.showNotice(p.cat.T("notice.transferring"))
		}
	})
}

func (p *Phone) dialTimeout() time.Duration {
	if p.set.DialTimeout > 0 {
		return p.set.DialTimeout
	}
	return DefaultDialTimeout
}

// callWake returns the next time a call needs the loop: the dial timeout,
// the end of an ended call's display, the next second of a call's timer.
func (p *Phone) callWake(now time.Time) (time.Time, bool) {
	var next time.Time
	earliest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for i := range p.calls {
		c := &p.calls[i]
		switch {
		case !c.used:
		case c.state == CallEnded:
			earliest(c.ended.Add(endedShown))
		case (c.predial || c.transfer) && c.digits != "":
			earliest(p.dialDue(c))
		case !c.connected.IsZero():
			earliest(now.Add(time.Second - now.Sub(c.connected)%time.Second))
		}
	}
	return next, !next.IsZero()
}

// callStatus lists the calls for Status.
func (p *Phone) callStatus() []CallStatus {
	out := []CallStatus{}
	for i := range p.calls {
		c := &p.calls[i]
		if !c.used {
			continue
		}
		cs := CallStatus{Line: c.line, State: c.state, Direction: c.dir, Remote: c.remote, Recording: c.recording}
		if qr, ok := p.opts.Telephony.(QualityReporter); ok && c.id != 0 && (c.state == CallConnected || c.state == CallHeld) {
			if q, ok := qr.CallQuality(c.id); ok {
				cs.Codec = q.Codec
				cs.SRTP = q.SRTP
			}
		}
		out = append(out, cs)
	}
	return out
}

// callView is what the screen shows of one call.
type callView struct {
	used     bool
	line     int
	state    CallState
	dir      Direction
	name     string
	number   string
	collect  bool // typing a number (predial or transfer target)
	transfer bool
	digits   string
	secs     int
	muted    bool
	heldBy   bool
	reason   string
	rec      bool
	recSecs  int
	two      bool // the agent has another live call (Conf is offered)
	conf     bool // in a 3-way conference
}

func (c *callSlot) view(now time.Time) callView {
	v := callView{used: c.used, line: c.line, state: c.state, dir: c.dir, name: c.name, number: c.number,
		collect: c.predial || c.transfer, transfer: c.transfer, digits: c.digits,
		muted: c.muted, heldBy: c.heldBy, reason: c.reason, rec: c.recording}
	if c.recording && !c.recSince.IsZero() {
		v.recSecs = int(now.Sub(c.recSince) / time.Second)
	}
	if !c.connected.IsZero() {
		end := now
		if c.state == CallEnded {
			end = c.ended
		}
		v.secs = int(end.Sub(c.connected) / time.Second)
	}
	return v
}

// updateBusy publishes which lines have calls and reports lines that have
// just become idle.
func (p *Phone) updateBusy() {
	var now uint32
	for i := range p.calls {
		c := &p.calls[i]
		if c.active() && !c.predial && c.line >= 1 && c.line <= NumLines {
			now |= 1 << (c.line - 1)
		}
	}
	was := p.busy.Swap(now)
	for n := 1; n <= NumLines; n++ {
		bit := uint32(1) << (n - 1)
		if was&bit != 0 && now&bit == 0 && p.opts.LineIdle != nil {
			p.opts.LineIdle(n)
		}
	}
}

// logCall records an ended call in the history: dialled, received, or
// missed (an incoming call never answered: the missed-call indicator
// counts it).
func (p *Phone) logCall(c *callSlot) {
	e := calllog.Entry{Time: c.started, Line: c.line, Number: c.number, Name: c.name}
	switch {
	case c.dir == Outgoing:
		e.Kind = calllog.Dialed
	case c.connected.IsZero():
		e.Kind = calllog.Missed
		p.missed++
	default:
		e.Kind = calllog.Received
	}
	if !c.connected.IsZero() {
		e.Duration = p.clock.Now().Sub(c.connected)
	}
	if e.Time.IsZero() {
		e.Time = p.clock.Now()
	}
	if p.opts.CallLog == nil {
		return
	}
	if err := p.opts.CallLog.Add(e); err != nil {
		p.log.Warn("call log", "err", err) // kept in memory; saved with the next call
	}
	p.textGen++
}

func (p *Phone) logLen() int {
	if p.opts.CallLog == nil {
		return 0
	}
	return p.opts.CallLog.Len()
}

func (p *Phone) logEntry(i int) (calllog.Entry, bool) {
	if p.opts.CallLog == nil {
		return calllog.Entry{}, false
	}
	return p.opts.CallLog.At(i)
}

// callView is slot i as the screen shows it.
func (p *Phone) callView(i int, now time.Time) callView {
	v := p.calls[i].view(now)
	v.two = p.other(i) >= 0
	v.conf = p.conf && p.calls[i].active()
	return v
}
