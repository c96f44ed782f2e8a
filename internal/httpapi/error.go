package httpapi

import (
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/requestid"
)

// realm names Keyward in every WWW-Authenticate challenge.
const realm = "keyward"

// errorBody is the seed's error body: all four keys, always, in this order, all strings.
type errorBody struct {
	ErrorCode        string `json:"ErrorCode"`
	ErrorMessage     string `json:"ErrorMessage"`
	ErrorDetails     string `json:"ErrorDetails"`
	UserErrorMessage string `json:"UserErrorMessage"`
}

// writeError is the one place an error becomes a response. A *keyward.Error is shown as it is;
// anything else is internal: logged once with its cause and the request id, and answered with a
// generic 500 that carries only that id.
func (s *Server) writeError(w *responseWriter, r *http.Request, err error) {
	id := requestid.From(r.Context())
	if clientGone(r) {
		w.status = statusClientClosed
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "client closed the request before the answer",
			slog.String("error", err.Error()))
		return
	}
	e := keyward.ErrorOf(err)
	status := statusOf(e)

	var body errorBody
	if status == http.StatusInternalServerError {
		s.logInternal(r, err, e)
		body = errorBody{ErrorMessage: keyward.ErrInternal.Message, ErrorDetails: "request id: " + id}
	} else {
		body = errorBody{ErrorCode: e.Code, ErrorMessage: e.Message, ErrorDetails: e.Details}
		if s.localizer != nil {
			body.UserErrorMessage = s.localizer.UserMessage(s.localizer.Match(r.Header.Get("Accept-Language")), e)
		}
	}
	if w.started {
		s.log.LogAttrs(r.Context(), slog.LevelError, "error after the response started",
			slog.Int("status", status), slog.String("error", err.Error()))
		return
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", challenge(e.Challenge))
	}
	_ = writeJSON(w, status, body) // errorBody always marshals
}

// statusClientClosed is what the access log records for a request whose client left before the
// answer (nginx's 499); nothing is sent, since nobody is there to read it.
const statusClientClosed = 499

// clientGone reports whether the client closed the connection while the handler ran: the
// request's context has ended, so whatever failed (a query interrupted, each driver in its own
// words) failed because of that. It is not a server error and must not look like one; the error
// is still logged, at INFO.
func clientGone(r *http.Request) bool {
	return r.Context().Err() != nil
}

// logInternal logs an internal error once; the logger adds the request id that the client also
// sees.
func (s *Server) logInternal(r *http.Request, err error, e *keyward.Error) {
	attrs := []slog.Attr{slog.String("error", err.Error())}
	if e != nil && e.Cause != nil {
		attrs = append(attrs, slog.String("cause", e.Cause.Error()))
	}
	s.log.LogAttrs(r.Context(), slog.LevelError, "internal error", attrs...)
}

// statusOf is the status of a domain error; no *keyward.Error means internal.
func statusOf(e *keyward.Error) int {
	if e == nil {
		return http.StatusInternalServerError
	}
	return e.Kind.Status()
}

// challenge builds an RFC 6750 WWW-Authenticate value: the realm, then the error's attributes in
// sorted order so the header is deterministic.
func challenge(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		if k != "realm" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(`Bearer realm="` + realm + `"`)
	for _, k := range keys {
		b.WriteString(", " + k + "=" + quote(attrs[k]))
	}
	return b.String()
}

// quote writes an RFC 9110 quoted-string, escaping backslash and double quote.
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}
