package sim

import (
	"fmt"

	"ccphone/hal"
)

// Display is the sim board's LCD. It implements hal.Display, hal.Contrast
// and hal.Backlight, and shows what it is given on the front panel. It is
// safe for concurrent use; get it from Board.Display.
type Display struct {
	b *Board
}

var (
	_ hal.Display   = (*Display)(nil)
	_ hal.Contrast  = (*Display)(nil)
	_ hal.Backlight = (*Display)(nil)
)

// Show implements hal.Display: the panel receives the frame unless it
// equals the one shown last.
func (d *Display) Show(f *hal.Frame) error {
	b := d.b
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return fmt.Errorf("sim: show: %w", hal.ErrClosed)
	}
	if *f == b.frame {
		b.mu.Unlock()
		return nil
	}
	b.frame = *f
	b.mu.Unlock()
	b.hub.publish(topicLCD)
	return nil
}

// SetContrast implements hal.Contrast; the panel's pixels darken with the
// level, 0 to hal.MaxContrast.
func (d *Display) SetContrast(level int) error {
	if level < 0 || level > hal.MaxContrast {
		return fmt.Errorf("sim: contrast %d: %w", level, hal.ErrOutOfRange)
	}
	return d.b.setLCD(func(b *Board) bool {
		changed := b.contrast != level
		b.contrast = level
		return changed
	})
}

// SetBacklight implements hal.Backlight; the panel's LCD glass lights up
// with the level, 0 (off) to 100 percent.
func (d *Display) SetBacklight(percent int) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("sim: backlight %d%%: %w", percent, hal.ErrOutOfRange)
	}
	return d.b.setLCD(func(b *Board) bool {
		changed := b.backlight != percent
		b.backlight = percent
		return changed
	})
}

// setLCD applies set under the lock and, if it changed anything, pushes
// the new state: contrast and backlight travel in the "state" event.
func (b *Board) setLCD(set func(b *Board) (changed bool)) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return fmt.Errorf("sim: lcd: %w", hal.ErrClosed)
	}
	changed := set(b)
	b.mu.Unlock()
	if changed {
		b.hub.publish(topicState)
	}
	return nil
}

// LEDs is the sim board's indicators. It implements hal.LEDs; the panel
// shows colour and blink pattern on the matching keys. It is safe for
// concurrent use; get it from Board.LEDs.
type LEDs struct {
	b *Board
}

var _ hal.LEDs = (*LEDs)(nil)

// SetLED implements hal.LEDs. Setting the state an LED already shows
// pushes nothing.
func (l *LEDs) SetLED(id hal.LED, s hal.LEDState) error {
	if int(id) >= hal.NumLEDs {
		return fmt.Errorf("sim: set %v: %w", id, hal.ErrOutOfRange)
	}
	if int(s.Color) > int(hal.ColorOrange) || int(s.Pattern) > int(hal.PatternFast) {
		return fmt.Errorf("sim: set %v to %v %v: %w", id, s.Color, s.Pattern, hal.ErrOutOfRange)
	}
	s = s.Normalize()
	b := l.b
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return fmt.Errorf("sim: set %v: %w", id, hal.ErrClosed)
	}
	changed := b.ledStates[id] != s
	b.ledStates[id] = s
	b.mu.Unlock()
	if changed {
		b.hub.publish(topicLEDs)
	}
	return nil
}
