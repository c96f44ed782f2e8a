// Package requestid is the one request id of Keyward: the id every response carries as
// X-Request-Id, that the request's context holds, and that every log line written while the
// request is served names as request_id. The server mints or accepts it once, around every tree
// (internal/app); the adapters only read it.
package requestid

import (
	"context"
	"crypto/rand"
	"log/slog"
)

// Header is the response (and accepted request) header that carries the id.
const Header = "X-Request-Id"

// MaxLen is the longest incoming id honoured.
const MaxLen = 128

// New returns a fresh id: 26 random characters (128 bits), unique without coordination between
// nodes.
func New() string { return rand.Text() }

// Sane reports whether an incoming id may be honoured: 1 to MaxLen characters of
// [A-Za-z0-9._:-], which a log line, a header and a support ticket carry without escaping.
func Sane(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

type key struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the id ctx carries, "" outside a request.
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// NewLogHandler wraps h so that every record logged with a request's context carries the
// request's id as the attribute request_id: the adapters log with the context-aware methods
// (InfoContext, LogAttrs(ctx, …)) and never name the id themselves.
func NewLogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ next slog.Handler }

func (h logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.next.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h.next.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper; request_id then lands in the group, which none of Keyward's
// loggers opens.
func (h logHandler) WithGroup(name string) slog.Handler { return logHandler{h.next.WithGroup(name)} }
