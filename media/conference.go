package media

import "fmt"

// Conference joins legs a and b with the agent in a local three-way call
// (on), or separates them again (off), from the next tick. In a
// conference each party hears the other two and never itself: the agent
// hears a and b (as with any two legs), a is sent the agent's microphone
// plus b, and b the microphone plus a. Mute, hold and the barging
// supervisor apply per leg as usual; a held leg neither hears nor is
// heard by the other. A leg is in at most one conference: joining it to
// another leg ends its previous one. Removing a leg ends its conference.
// Safe from any goroutine.
func (e *Engine) Conference(a, b *Leg, on bool) error {
	if a == nil || b == nil || a == b || a.e != e || b.e != e {
		return ErrConference
	}
	if err := e.enqueue(command{kind: cmdConference, leg: a.st, other: b.st, on: on}); err != nil {
		return fmt.Errorf("media: conference %s+%s: %w", a.name, b.name, err)
	}
	return nil
}

// conference links or unlinks a and b, in the engine's goroutine.
func conference(a, b *legState, on bool) {
	if !on {
		if a.partner == b {
			a.partner, b.partner = nil, nil
		}
		return
	}
	if a.closed || b.closed {
		return
	}
	a.leaveConference()
	b.leaveConference()
	a.partner, b.partner = b, a
}

func (s *legState) leaveConference() {
	if p := s.partner; p != nil {
		p.partner = nil
		s.partner = nil
	}
}
