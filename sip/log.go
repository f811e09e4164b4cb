package sip

import (
	"context"
	"log/slog"
)

// maxLoggedValue caps string values sipgo logs: it logs whole messages,
// and junk from SIP scanners can be 64 KB a datagram.
const maxLoggedValue = 256

// sipgoHandler is the slog.Handler sipgo logs through. Messages sipgo
// logs at Error for junk from the network ("failed to parse" and the
// like) are expected on any phone reachable from the Internet, so they
// go down to Debug; long values are cut.
type sipgoHandler struct{ h slog.Handler }

// demoted lists sipgo messages about what peers sent, not about us.
var demoted = map[string]bool{
	"failed to parse":                                    true,
	"unsupported message, skip it":                       true,
	"Server tx failed to handle request":                 true,
	"Client tx failed to handle response":                true,
	"Failed to send stateless 400 for malformed request": true,
	"SIP request handler not found":                      true,
	"Got TCP error":                                      true,
}

func (s sipgoHandler) Enabled(ctx context.Context, l slog.Level) bool {
	// Demoted messages are decided in Handle; let sipgo build them only
	// when Debug is on or the level passes anyway.
	return s.h.Enabled(ctx, l) || s.h.Enabled(ctx, slog.LevelDebug)
}

func (s sipgoHandler) Handle(ctx context.Context, r slog.Record) error {
	if demoted[r.Message] && r.Level > slog.LevelDebug {
		r.Level = slog.LevelDebug
	}
	if !s.h.Enabled(ctx, r.Level) {
		return nil
	}
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(truncate(a))
		return true
	})
	return s.h.Handle(ctx, out)
}

func (s sipgoHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	cut := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		cut[i] = truncate(a)
	}
	return sipgoHandler{s.h.WithAttrs(cut)}
}

func (s sipgoHandler) WithGroup(name string) slog.Handler { return sipgoHandler{s.h.WithGroup(name)} }

func truncate(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindString && len(v.String()) > maxLoggedValue {
		return slog.String(a.Key, v.String()[:maxLoggedValue]+"…")
	}
	return a
}
