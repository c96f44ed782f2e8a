package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
)

// checkURLText refuses a request whose path segments, query names or query values are not
// text (keyward.ValidText): no ID, filter or option holds invalid UTF-8 or a NUL character, and
// saying so is better than a lookup that cannot match or a database that refuses the bytes.
func checkURLText(r *http.Request) error {
	for _, seg := range strings.Split(r.URL.EscapedPath(), "/") {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return keyward.Invalidf("the path segment %q is not validly percent-encoded", seg)
		}
		if problem := keyward.TextProblem(u); problem != "" {
			return keyward.Invalidf("the path segment %q %s", seg, problem)
		}
	}
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return queryError(err)
	}
	for name, list := range vals {
		if problem := keyward.TextProblem(name); problem != "" {
			return keyward.Invalidf("query parameter name %q %s", name, problem)
		}
		for _, v := range list {
			if problem := keyward.TextProblem(v); problem != "" {
				return keyward.Invalidf("query parameter %q %s", name, problem)
			}
		}
	}
	return nil
}

// queryError says in words what url.ParseQuery refused.
func queryError(err error) error {
	var esc url.EscapeError
	if errors.As(err, &esc) {
		return keyward.Invalidf("the query string holds %q, which is not a valid percent-escape", string(esc))
	}
	return keyward.Invalidf("the query string holds a semicolon; separate parameters with & and percent-encode a semicolon in a value as %%3B")
}

// invalidUTF8At is the offset of the first byte of b that is not valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// checkJSONText refuses a JSON document whose strings (names or values) hold a NUL character,
// naming the field. JSON can carry NUL only as the escape \u0000, so documents without one pass
// at once; the others were decoded already, so the walk meets only well-formed tokens.
func checkJSONText(body []byte) error {
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return nil
	}
	return walkJSONText(json.NewDecoder(bytes.NewReader(body)), "")
}

// walkJSONText checks the value that starts at dec's next token; path names it.
func walkJSONText(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return nil
	}
	switch t := tok.(type) {
	case string:
		if strings.ContainsRune(t, 0) {
			return keyward.Invalidf("field %q contains a NUL character", path)
		}
	case json.Delim:
		for i := 0; dec.More(); i++ {
			child := path + "[" + strconv.Itoa(i) + "]"
			if t == '{' {
				tok, _ := dec.Token()
				name, _ := tok.(string)
				if strings.ContainsRune(name, 0) {
					return keyward.Invalidf("the name of a field in the request body contains a NUL character")
				}
				child = joinField(path, name)
			}
			if err := walkJSONText(dec, child); err != nil {
				return err
			}
		}
		_, _ = dec.Token() // the closing delimiter
	}
	return nil
}

// joinField extends a JSON path for ErrorDetails: contact.identifier.
func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
