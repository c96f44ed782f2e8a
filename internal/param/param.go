// Package param reads the parameters of the authorization server's endpoints and pages: the
// query of every request and the form bodies, strictly, so that the JSON endpoints (/connect)
// and the pages (/connect/authorize, /account) refuse malformed input alike. A refusal is an
// *Error, which each caller answers in its own error model: RFC 6749's invalid_request for the
// JSON endpoints, the error page for the pages.
package param

import (
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// Error is a malformed request. Description says in English what exactly is wrong, within the
// characters RFC 6749 §5.2 allows in an error_description (see Sanitize).
type Error struct{ Description string }

func (e *Error) Error() string { return "param: " + e.Description }

// invalid is the Error for a description that may quote client input.
func invalid(format string, a ...any) *Error {
	return &Error{Description: Sanitize(fmt.Sprintf(format, a...))}
}

// maxFormBytes bounds a request body; real requests are a few hundred bytes, a token exchange
// with its subject JWT a few KiB.
const maxFormBytes = 64 << 10

// The request parameters of every endpoint are read by Query and Form, and both
// refuse text that is not valid UTF-8 or holds a NUL character: PostgreSQL stores neither in a
// TEXT column, no parameter of OAuth or of the pages has a use for them, and refusing them here,
// before any handler runs, means nothing is looked up or stored with them.

// Query parses the request's query strictly (a malformed escape is refused, where URL.Query
// drops the pair) and checks its text.
func Query(r *http.Request) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalid("the query string is not valid URL encoding")
	}
	return v, checkParams(v)
}

// Checked runs fn once the request's query has passed Query, so that whatever a handler reads
// from the query is valid text; the refusal is fn's error, for its error writer.
func Checked(fn func(w http.ResponseWriter, r *http.Request) error) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := Query(r); err != nil {
			return err
		}
		return fn(w, r)
	}
}

// Form reads an application/x-www-form-urlencoded body of at most maxFormBytes and checks its
// text. Query parameters are not part of the result.
func Form(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return nil, invalid("the request body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return nil, invalid("the request body is larger than %d bytes", maxFormBytes)
		}
		return nil, invalid("the request body is not valid form-url-encoded data")
	}
	return r.PostForm, checkParams(r.PostForm)
}

// SingleForm is Form for the endpoints where no parameter may be repeated (RFC 6749 §3.2).
func SingleForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	form, err := Form(w, r)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(form)) {
		if len(form[name]) > 1 {
			return nil, invalid("the parameter '%s' is repeated; RFC 6749 section 3.2 allows each parameter once", name)
		}
	}
	return form, nil
}

// checkParams checks every name and value, in name order so that the answer is the same every
// time.
func checkParams(v url.Values) error {
	for _, name := range slices.Sorted(maps.Keys(v)) {
		if err := CheckText("a parameter name", name); err != nil {
			return err
		}
		for _, value := range v[name] {
			if err := CheckText("the parameter '"+name+"'", value); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckText refuses s, described as what, when it is not text (keyward.ValidText).
func CheckText(what, s string) error {
	if problem := keyward.TextProblem(s); problem != "" {
		return invalid("%s %s", what, problem)
	}
	return nil
}

// Sanitize keeps a description within the characters RFC 6749 §5.2 allows in error_description
// (%x20-21 / %x23-5B / %x5D-7E): descriptions quote client input, which may contain anything.
func Sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\\':
			return '/'
		case r < 0x20 || r > 0x7e:
			return '?'
		}
		return r
	}, s)
}
