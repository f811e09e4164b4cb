package ui

import "context"

// Alive reports whether the event loop takes and runs an event before ctx
// ends: a watchdog's proof that the phone is not stuck.
func (p *Phone) Alive(ctx context.Context) error {
	done := make(chan struct{})
	if err := p.do(ctx, func() { close(done) }); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
