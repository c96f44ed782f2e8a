package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/keyward/keyward/internal/param"
)

// oauthError is the only error type whose content reaches an OAuth client. Its code is an RFC 6749
// §5.2 (or RFC 6750, RFC 7009) error code and its description says in English what exactly was
// wrong. Every other error is internal: it is logged and answered with a generic server_error.
type oauthError struct {
	code        string
	description string
	status      int
	header      http.Header // extra response headers: WWW-Authenticate, Allow
}

func (e *oauthError) Error() string { return "oauth: " + e.code + ": " + e.description }

// ErrorCode and ErrorDescription make an OAuth error an account.ProtocolError, which a page of
// the authorization endpoint shows with its code when it must not be redirected
// (RFC 6749 §4.1.2.1).
func (e *oauthError) ErrorCode() string { return e.code }

// ErrorDescription is the English description, as the JSON endpoints give it.
func (e *oauthError) ErrorDescription() string { return e.description }

func newError(status int, code, format string, a ...any) *oauthError {
	return &oauthError{code: code, description: fmt.Sprintf(format, a...), status: status}
}

// basicChallenge answers every invalid_client: RFC 6749 §5.2 requires it when the client used
// HTTP Basic, and RFC 9110 §15.5.2 requires a challenge on every 401.
const basicChallenge = `Basic realm="keyward", charset="UTF-8"`

func invalidRequest(format string, a ...any) *oauthError {
	return newError(http.StatusBadRequest, "invalid_request", format, a...)
}

func invalidClient(format string, a ...any) *oauthError {
	e := newError(http.StatusUnauthorized, "invalid_client", format, a...)
	e.header = http.Header{"Www-Authenticate": {basicChallenge}}
	return e
}

func unauthorizedClient(format string, a ...any) *oauthError {
	return newError(http.StatusBadRequest, "unauthorized_client", format, a...)
}

func unsupportedGrantType(format string, a ...any) *oauthError {
	return newError(http.StatusBadRequest, "unsupported_grant_type", format, a...)
}

func invalidScope(format string, a ...any) *oauthError {
	return newError(http.StatusBadRequest, "invalid_scope", format, a...)
}

func invalidGrant(format string, a ...any) *oauthError {
	return newError(http.StatusBadRequest, "invalid_grant", format, a...)
}

// Errors of the authorization endpoint (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6); they
// reach the client through the redirect, so their status is never sent.
func unsupportedResponseType(format string, a ...any) *oauthError {
	return newError(http.StatusBadRequest, "unsupported_response_type", format, a...)
}

func accessDenied(format string, a ...any) *oauthError {
	return newError(http.StatusForbidden, "access_denied", format, a...)
}

func loginRequired(format string, a ...any) *oauthError {
	return newError(http.StatusBadRequest, "login_required", format, a...)
}

func consentRequired(format string, a ...any) *oauthError {
	return newError(http.StatusBadRequest, "consent_required", format, a...)
}

// invalidBearer is the RFC 6750 §3.1 answer of a resource endpoint (userinfo) to a bad token.
func invalidBearer(format string, a ...any) *oauthError {
	e := newError(http.StatusUnauthorized, "invalid_token", format, a...)
	e.header = http.Header{"Www-Authenticate": {
		fmt.Sprintf(`Bearer error="invalid_token", error_description="%s"`, param.Sanitize(e.description)),
	}}
	return e
}

// missingBearer is the RFC 6750 §3.1 answer to a request without any token: no error attribute.
func missingBearer() *oauthError {
	e := newError(http.StatusUnauthorized, "invalid_request", "no access token was sent")
	e.header = http.Header{"Www-Authenticate": {"Bearer"}}
	return e
}

// methodNotAllowed answers a wrong method with RFC 6749's invalid_request and its default status,
// 400 (§5.2): Keyward's endpoints answer only the statuses of their error model. The Allow
// header still names the methods the endpoint serves.
func methodNotAllowed(method string, allow []string) *oauthError {
	e := newError(http.StatusBadRequest, "invalid_request", "the method %s is not allowed; this endpoint accepts %s", method, strings.Join(allow, ", "))
	e.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
	return e
}

func notFound(path string) *oauthError {
	return newError(http.StatusNotFound, "invalid_request", "there is no OAuth endpoint at %s", path)
}

// asOAuthError returns the OAuth error err carries: an *oauthError, or invalid_request for a
// malformed parameter (*param.Error).
func asOAuthError(err error) (*oauthError, bool) {
	if pe, ok := errors.AsType[*param.Error](err); ok {
		return invalidRequest("%s", pe.Description), true
	}
	return errors.AsType[*oauthError](err)
}

// errorBody is the RFC 6749 §5.2 error response; both members are always present.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// handle adapts a handler that returns its error to an http.Handler, so that writeError is the
// only place that writes an error response.
func (s *Server) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// writeError writes err as an RFC 6749 §5.2 body. An error that is not an *oauthError is a
// server fault: its text is logged here, once, and never sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	oe, ok := asOAuthError(err)
	if !ok {
		s.log.ErrorContext(r.Context(), "oauth: request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		oe = newError(http.StatusInternalServerError, "server_error", "the server failed to process the request")
	}
	for k, v := range oe.header {
		w.Header()[k] = v
	}
	noStore(w)
	writeJSON(w, oe.status, errorBody{Error: oe.code, Description: param.Sanitize(oe.description)})
}

// noStore forbids caching, as RFC 6749 §5.1 requires for responses carrying tokens or credentials.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// writeJSON writes v with the given status. Encoding our own response types cannot fail.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error","error_description":"the response could not be encoded"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
