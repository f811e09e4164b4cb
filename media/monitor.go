package media

import (
	"fmt"

	"ccphone/hal"
	"ccphone/media/internal/osc"
)

// MonitorMode is what the supervisor's monitor headset does.
//
//	off      the monitor port plays silence; its microphone is ignored
//	listen   the supervisor hears the agent's microphone and the calls
//	whisper  listen, and the supervisor's microphone goes to the agent's
//	         ear only: coaching the far end never hears
//	barge    listen, and the supervisor's microphone joins the call: it
//	         is sent to every leg and the agent hears it too
//
// Any mode can follow any other.
type MonitorMode uint8

// The monitor modes.
const (
	MonitorOff MonitorMode = iota
	MonitorListen
	MonitorWhisper
	MonitorBarge
)

var monitorNames = [...]string{"off", "listen", "whisper", "barge"}

// String returns "off", "listen", "whisper" or "barge".
func (m MonitorMode) String() string {
	if int(m) < len(monitorNames) {
		return monitorNames[m]
	}
	return fmt.Sprintf("MonitorMode(%d)", uint8(m))
}

// ParseMonitorMode returns the mode with the given name.
func ParseMonitorMode(name string) (MonitorMode, bool) {
	for i, n := range monitorNames {
		if n == name {
			return MonitorMode(i), true
		}
	}
	return MonitorOff, false
}

// SetMonitor sets the monitor mode from the next tick. It fails with
// ErrPort when the engine was made without Options.Monitor. Safe from any
// goroutine.
func (e *Engine) SetMonitor(m MonitorMode) error {
	if m > MonitorBarge {
		return fmt.Errorf("media: monitor mode %v", m)
	}
	if !e.opts.Monitor {
		return fmt.Errorf("%w: monitor (Options.Monitor is off)", ErrPort)
	}
	return e.enqueue(command{kind: cmdMonitor, monitor: m})
}

// writeMonitor feeds the monitor port: the agent's microphone plus the
// calls as the agent hears them (e.mix before tones and the supervisor's
// own voice are added), or silence when off.
func (e *Engine) writeMonitor() {
	s := e.ports[hal.PortMonitor]
	if s == nil || e.monitor == MonitorOff {
		// Off (and with the jack unplugged): the port is left alone; its
		// device plays silence when it runs dry.
		return
	}
	n := e.n
	// e.ear is free until the headset is written.
	out := e.ear[:n]
	mic, mix := e.mic[:n], e.mix[:n]
	for i, v := range mic {
		out[i] = osc.Sat16(int32(v) + mix[i])
	}
	if err := s.WriteFrame(out); err != nil {
		e.audioError("write monitor", err)
	}
}
