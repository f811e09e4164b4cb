package ui

import (
	"image"
	"strconv"

	"ccphone/hal"
	"ccphone/ui/font"
)

// drawCalls paints the call screen: one call in detail, or both calls a
// row each with the one in front highlighted and its state under them.
func drawCalls(v *view, f *hal.Frame) {
	drawStatusBar(v, f)
	c := &v.calls[v.focus]
	top := rowH + 2
	if v.calls[0].used && v.calls[1].used {
		for i := range v.calls {
			y := top + i*rowH
			drawCallRow(v, f, i, y)
			if i == v.focus {
				f.Invert(image.Rect(0, y, hal.LCDWidth, y+rowH))
			}
		}
		drawCentered(f, font.Regular, top+2*rowH+2, callStateText(v, c))
		return
	}

	if c.collect {
		title := v.lines[min(max(c.line, 1), NumLines)-1].label
		if title == "" {
			title = v.cat.T("line." + strconv.Itoa(min(max(c.line, 1), NumLines)))
		}
		if c.transfer {
			title = v.cat.T("call.transfer_to")
		}
		font.IconPhoneOut.Draw(f, 0, top+(rowH-font.IconPhoneOut.Height())/2)
		font.Regular.Draw(f, font.IconPhoneOut.Width()+3, top, font.Regular.Truncate(title, hal.LCDWidth-font.IconPhoneOut.Width()-4))
		digits := c.digits
		for font.Regular.Width(digits) > hal.LCDWidth-4 && len(digits) > 0 {
			digits = digits[1:] // keep the last digits in view
		}
		font.Regular.Draw(f, hal.LCDWidth-2-font.Regular.Width(digits), top+rowH+4, digits)
		f.Fill(image.Rect(2, top+2*rowH+6, hal.LCDWidth-2, top+2*rowH+7), true)
		return
	}

	// One call in detail: state and time, name, number.
	icon := font.IconPhoneOut
	if c.dir == Incoming {
		icon = font.IconPhoneIn
	}
	icon.Draw(f, 0, top+(rowH-icon.Height())/2)
	x := icon.Width() + 3
	state := callStateText(v, c)
	right := hal.LCDWidth
	if c.secs > 0 || c.state == CallConnected || c.state == CallHeld {
		d := duration(c.secs)
		right -= font.Regular.Width(d)
		font.Regular.Draw(f, right, top, d)
	}
	font.Regular.Draw(f, x, top, font.Regular.Truncate(state, right-x-2))
	who, second := c.name, c.number
	if who == "" {
		who, second = c.number, ""
	}
	drawCentered(f, font.Regular, top+rowH+2, who)
	if second != "" {
		drawCentered(f, font.Regular, top+2*rowH+2, second)
	}
	if c.state == CallEnded && c.reason != "" {
		drawCentered(f, font.Regular, top+3*rowH+2, c.reason)
	}
	if c.muted {
		font.IconMute.Draw(f, 0, top+2*rowH+2)
	}
	if c.rec {
		// REC and the recording's time, bottom left above the softkeys.
		y := softTop - 2 - rowH
		font.IconRecording.Draw(f, 0, y+(rowH-font.IconRecording.Height())/2)
		font.Regular.Draw(f, font.IconRecording.Width()+2, y, "REC "+duration(c.recSecs))
	}
}

// drawCallRow paints call i as one row: its appearance number, who, and
// its time or state.
func drawCallRow(v *view, f *hal.Frame, i, y int) {
	c := &v.calls[i]
	x := font.Regular.Draw(f, 1, y, strconv.Itoa(i+1)) + 3
	var icon font.Icon
	switch {
	case c.state == CallHeld:
		icon = font.IconHold
	case c.dir == Incoming:
		icon = font.IconPhoneIn
	default:
		icon = font.IconPhoneOut
	}
	icon.Draw(f, x, y+(rowH-icon.Height())/2)
	x += icon.Width() + 3
	tail := ""
	switch {
	case c.dir == Incoming && c.state == CallRinging:
		tail = v.cat.T("call.waiting")
	case c.secs > 0:
		tail = duration(c.secs)
	}
	right := hal.LCDWidth - font.Regular.Width(tail)
	font.Regular.Draw(f, right, y, tail)
	who := c.name
	switch {
	case c.collect:
		who = c.digits
	case who == "":
		who = c.number
	}
	font.Regular.Draw(f, x, y, font.Regular.Truncate(who, right-x-3))
}

// callStateText says where a call stands, in the agent's language.
func callStateText(v *view, c *callView) string {
	switch {
	case c.collect && c.transfer:
		return v.cat.T("call.transfer_to")
	case c.collect:
		return v.cat.T("call.enter_number")
	case c.state == CallEnded:
		return v.cat.T("call.ended")
	case c.conf:
		return v.cat.T("call.conference")
	case c.state == CallHeld:
		return v.cat.T("call.held")
	case c.heldBy:
		return v.cat.T("call.held_by")
	case c.state == CallConnected && c.muted:
		return v.cat.T("call.muted")
	case c.state == CallConnected:
		return v.cat.T("call.connected")
	case c.dir == Incoming:
		return v.cat.T("call.incoming")
	case c.state == CallRinging:
		return v.cat.T("call.ringing")
	}
	return v.cat.T("call.calling")
}

// duration formats seconds as m:ss, or h:mm:ss past an hour.
func duration(secs int) string {
	two := func(n int) string {
		if n < 10 {
			return "0" + strconv.Itoa(n)
		}
		return strconv.Itoa(n)
	}
	if secs >= 3600 {
		return strconv.Itoa(secs/3600) + ":" + two(secs/60%60) + ":" + two(secs%60)
	}
	return strconv.Itoa(secs/60) + ":" + two(secs%60)
}
