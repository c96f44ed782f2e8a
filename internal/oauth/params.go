package oauth

import (
	"errors"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"

	"github.com/keyward/keyward/internal/keyward"
)

// maxFormBytes bounds a request body; real requests are a few hundred bytes, a token exchange
// with its subject JWT a few KiB.
const maxFormBytes = 64 << 10

// The request parameters of every endpoint are read by parseQuery and parseForm, and both
// refuse text that is not valid UTF-8 or holds a NUL character: PostgreSQL stores neither in a
// TEXT column, no parameter of OAuth or of the pages has a use for them, and refusing them here,
// before any handler runs, means nothing is looked up or stored with them.

// parseQuery parses the request's query strictly (a malformed escape is refused, where
// URL.Query drops the pair) and checks its text.
func parseQuery(r *http.Request) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalidRequest("the query string is not valid URL encoding")
	}
	return v, checkParams(v)
}

// parseForm reads an application/x-www-form-urlencoded body of at most maxFormBytes and checks
// its text. Query parameters are not part of the result.
func parseForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return nil, invalidRequest("the request body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return nil, invalidRequest("the request body is larger than %d bytes", maxFormBytes)
		}
		return nil, invalidRequest("the request body is not valid form-url-encoded data")
	}
	return r.PostForm, checkParams(r.PostForm)
}

// parseTokenForm is parseForm for the endpoints where no parameter may be repeated (RFC 6749
// §3.2).
func parseTokenForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	form, err := parseForm(w, r)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(form)) {
		if len(form[name]) > 1 {
			return nil, invalidRequest("the parameter '%s' is repeated; RFC 6749 section 3.2 allows each parameter once", name)
		}
	}
	return form, nil
}

// checkParams checks every name and value, in name order so that the answer is the same every
// time.
func checkParams(v url.Values) error {
	for _, name := range slices.Sorted(maps.Keys(v)) {
		if err := checkText("a parameter name", name); err != nil {
			return err
		}
		for _, value := range v[name] {
			if err := checkText("the parameter '"+name+"'", value); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkText refuses s, described as what, when it is not text (keyward.ValidText).
func checkText(what, s string) error {
	if problem := keyward.TextProblem(s); problem != "" {
		return invalidRequest("%s %s", what, problem)
	}
	return nil
}
