package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// contentTypeJSON is the content type of every JSON response, errors included.
const contentTypeJSON = "application/json; charset=utf-8"

// decode reads r's body, at most s.maxBody bytes, into v. The body must be one JSON object;
// unknown fields are ignored (decisions §1), and every failure is a 400 naming what was wrong.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// readBody reads r's body, at most s.maxBody bytes; a larger body is a 400, as is a body that
// is not declared JSON (checkMediaType). A body with a Content-Length is read into a buffer of
// that size (up to the limit), not by doubling one: a lock's upload is some hundred kilobytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 {
		buf.Grow(int(min(n, s.maxBody)) + bytes.MinRead) // ReadFrom wants MinRead spare to see the end
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.maxBody))
	body := buf.Bytes()
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, keyward.Invalidf("request body exceeds %d bytes", tooLarge.Limit)
		}
		return nil, keyward.ErrInvalid.WithCause(err).WithDetails("the request body could not be read")
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := checkMediaType(r.Header.Get("Content-Type")); err != nil {
			return nil, err
		}
	}
	return body, nil
}

// checkMediaType refuses a body whose Content-Type is not application/json (its parameters,
// such as charset=utf-8, aside): every body of the API is JSON, and the contract
// (api/openapi.yaml) declares no other type, so a body sent as a form or as text is a client's
// mistake, named as such rather than as the JSON error of a body never meant to be JSON.
func checkMediaType(contentType string) error {
	if contentType == "" {
		return keyward.Invalidf("the request body has no Content-Type; it must be application/json")
	}
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/json" {
		return keyward.Invalidf("the request body must be application/json, not %q", contentType)
	}
	return nil
}

// decodeJSON unmarshals one JSON object and turns decoder errors into precise 400 details. The
// body must be valid UTF-8 (encoding/json would silently replace bad bytes) and no string in it
// may hold a NUL character, which no field can store.
func decodeJSON(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return keyward.Invalidf("the request body is empty; a JSON object is required")
	}
	if !utf8.Valid(body) {
		return keyward.Invalidf("the request body is not valid UTF-8 (at byte %d)", invalidUTF8At(body))
	}
	err := json.Unmarshal(body, v)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return keyward.Invalidf("malformed JSON after %d bytes: %s", syntax.Offset, syntax.Error())
	}
	if trimmed[0] != '{' {
		return keyward.Invalidf("the request body must be a JSON object")
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return keyward.Invalidf("field %q: expected %s", typ.Field, jsonKind(typ.Type))
	}
	if err != nil {
		return keyward.Invalidf("invalid request body: %v", err)
	}
	return checkJSONText(body)
}

// jsonKind names the JSON type that a Go type accepts, for error details a client understands.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	default:
		return "object"
	}
}

// writeJSON marshals v before writing anything, so that a marshal failure can still become a 500.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, ok := v.(json.RawMessage) // encoded already, as responses are (odata.Select, the device API)
	if !ok {
		buf := bodies.Get().(*bytes.Buffer)
		defer putBody(buf)
		if err := json.NewEncoder(buf).Encode(v); err != nil {
			return fmt.Errorf("httpapi: encode response: %w", err)
		}
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n")) // Encode ends the value with a newline
	}
	writeBody(w, status, b)
	return nil
}

// writeBody answers status with the encoded JSON body b.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a failed write means the client left; nothing is left to tell it
}

// bodies holds the buffers responses are encoded into: a list of 100 entities is some 30 kB,
// which json.Marshal would allocate (and grow into) anew for every request.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBody returns buf to bodies, unless one very large response grew it: keeping that would
// hold its memory for good.
func putBody(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	bodies.Put(buf)
}

// writeEntity answers 200 with one entity.
func writeEntity[T any](w http.ResponseWriter, v *T, err error) error {
	if err != nil {
		return err
	}
	if v == nil {
		return errNoEntity
	}
	return writeJSON(w, http.StatusOK, v)
}

// writeList answers 200 with a plain JSON array (never null, never an OData envelope), trimmed to
// the $select properties when the query names any.
func writeList[T any](w http.ResponseWriter, items []T, q *keyward.Query, err error) error {
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return writeJSON(w, http.StatusOK, []T{})
	}
	var fields []string
	if q != nil {
		fields = q.Select
	}
	if writeAppended(w, items, fields) {
		return nil
	}
	var body any = items
	if len(fields) > 0 {
		if body, err = odata.Select(items, fields); err != nil {
			return fmt.Errorf("httpapi: apply $select: %w", err)
		}
	}
	return writeJSON(w, http.StatusOK, body)
}

// writeAppended answers 200 with items if they append themselves (odata.AppendList), in a buffer
// of appended, and reports whether they did.
func writeAppended[T any](w http.ResponseWriter, items []T, fields []string) bool {
	if !odata.Appends(items) {
		return false
	}
	p := appended.Get().(*[]byte)
	b, _ := odata.AppendList((*p)[:0], items, fields)
	writeBody(w, http.StatusOK, b)
	if cap(b) <= 1<<20 { // as putBody, a buffer one very large answer grew is not kept
		*p = b[:0]
		appended.Put(p)
	}
	return true
}

// appended holds the buffers of writeAppended: a log-export page is some 100 kB.
var appended = sync.Pool{New: func() any { return new([]byte) }}

// writeNoContent answers 204 without a body.
func writeNoContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// queryValues parses the raw query strictly: Go's lenient r.URL.Query() silently drops malformed
// pairs, which would silently drop a $filter.
func queryValues(r *http.Request) (url.Values, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, queryError(err)
	}
	return vals, nil
}

// listQuery parses the OData options of a list request.
func listQuery(r *http.Request) (*keyward.Query, error) {
	vals, err := queryValues(r)
	if err != nil {
		return nil, err
	}
	return odata.Parse(vals)
}

// expandQuery returns the expand list of a single-entity GET, which accepts `expand` and `$expand`
// and ignores every other option.
func expandQuery(r *http.Request) ([]string, error) {
	vals, err := queryValues(r)
	if err != nil {
		return nil, err
	}
	only := url.Values{}
	for k, v := range vals {
		if strings.EqualFold(k, "expand") || strings.EqualFold(k, "$expand") {
			only[k] = v
		}
	}
	if len(only) == 0 {
		return nil, nil
	}
	q, err := odata.Parse(only)
	if err != nil {
		return nil, err
	}
	return q.Expand, nil
}
