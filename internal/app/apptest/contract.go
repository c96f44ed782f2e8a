package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/keyward/keyward/api"
)

// htmlPrefixes are the first path segments of the browser's pages, which api/openapi.yaml does
// not describe (its info.description says so); every other path must be in the document or be
// answered 404.
var htmlPrefixes = []string{"account", "portal", "docs"}

// contract is api/openapi.yaml loaded once per test process, with its paths split for matching.
type contract struct {
	doc *openapi3.T
	// fast is doc as kin-openapi's OpenAPI 3.0 validator sees it. For 3.1 documents
	// openapi3filter compiles each schema for the JSON Schema 2020-12 validator on every call,
	// which made the integration tests three times slower; the 3.0 validator walks the same
	// loaded schemas (type arrays with "null" included) without compiling. Each (operation,
	// status) is still checked by the 2020-12 validator the first time it is seen (strict).
	fast   *openapi3.T
	paths  []docPath
	strict sync.Map // "METHOD template status" → seen
}

// docPath is one path of the document: its template's segments ("{id}" for a parameter).
type docPath struct {
	template string
	segments []string
	item     *openapi3.PathItem
}

// loadContract parses and validates the document once; every server of the process shares it.
var loadContract = sync.OnceValues(func() (*contract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load api/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api/openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	// Pages (the browser endpoints of the OAuth flow) and calendars are text to the validator.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder)
	fast := *doc
	fast.OpenAPI = "3.0.3"
	c := &contract{doc: doc, fast: &fast}
	for tmpl, item := range doc.Paths.Map() {
		c.paths = append(c.paths, docPath{template: tmpl, segments: segmentsOf(tmpl), item: item})
	}
	return c, nil
})

// segmentsOf splits a path into its non-empty segments, as the server's routers do: doubled and
// trailing slashes are tolerated.
func segmentsOf(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
}

// match finds the document's path for a request path, literal segments compared
// case-insensitively as the server does; of several matches the one with most literal segments
// wins. params are the path parameters' values.
func (c *contract) match(path string) (*docPath, map[string]string) {
	segs := segmentsOf(path)
	var best *docPath
	var bestParams map[string]string
	bestLiterals := -1
	for i := range c.paths {
		p := &c.paths[i]
		if len(p.segments) != len(segs) {
			continue
		}
		params, literals, ok := map[string]string{}, 0, true
		for j, s := range p.segments {
			if name, isParam := strings.CutPrefix(s, "{"); isParam {
				params[strings.TrimSuffix(name, "}")] = segs[j]
				continue
			}
			if !strings.EqualFold(s, segs[j]) {
				ok = false
				break
			}
			literals++
		}
		if ok && literals > bestLiterals {
			best, bestParams, bestLiterals = p, params, literals
		}
	}
	return best, bestParams
}

// isHTMLPage reports whether a path belongs to the browser's pages.
func isHTMLPage(path string) bool {
	segs := segmentsOf(strings.ToLower(path))
	return len(segs) > 0 && slices.Contains(htmlPrefixes, segs[0])
}

// checker validates the requests and responses of one server and keeps every mismatch.
type checker struct {
	c        *contract
	mu       sync.Mutex
	failures []string
}

// checkContract makes the handler wrapper that validates every exchange against the document
// and fails t at cleanup with each mismatch. It must be called before the server's own cleanup
// is registered, so that it reports after the server has stopped.
func checkContract(t testing.TB) func(http.Handler) http.Handler {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	ch := &checker{c: c}
	t.Cleanup(func() {
		ch.mu.Lock()
		defer ch.mu.Unlock()
		for _, f := range ch.failures {
			t.Errorf("contract (api/openapi.yaml): %s", f)
		}
	})
	return ch.wrap
}

// wrap serves the request through next, keeping a copy of the request body and of the response,
// then checks both.
func (ch *checker) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isHTMLPage(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		var body []byte
		if r.Body != nil {
			var err error
			if body, err = io.ReadAll(r.Body); err != nil {
				ch.fail(r, 0, "reading the request body: %v", err)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		ch.check(r, body, rec)
	})
}

// fail records one mismatch with the exchange it was found in.
func (ch *checker) fail(r *http.Request, status int, format string, a ...any) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.failures = append(ch.failures, fmt.Sprintf("%s %s → %d: %s", r.Method, r.URL.RequestURI(), status, fmt.Sprintf(format, a...)))
}

// check applies the rule of docs/design.md ("The contract is enforced"): a documented operation's
// response must match the document for its status; its request must match too, unless the
// server refused it with a 4xx (bad-input tests send invalid requests on purpose). A documented
// path with an undocumented method must be refused with a 4xx whose body is its tree's error
// body. An undocumented path must be answered 404.
func (ch *checker) check(r *http.Request, reqBody []byte, rec *recorder) {
	if !rec.wroteHeader && r.Context().Err() != nil {
		return // the client went away before anything was answered: there is no response
	}
	status := rec.status
	p, params := ch.c.match(r.URL.Path)
	if p != nil && len(p.item.Servers) > 0 && status == http.StatusNotFound {
		p = nil // a path of another listener (/metrics) is not served on this one
	}
	if p == nil {
		if status != http.StatusNotFound {
			ch.fail(r, status, "the path is not in the document, and the server did not answer 404")
		}
		return
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	op := p.item.GetOperation(method)
	if op == nil {
		ch.checkRefusal(r, p, rec)
		return
	}
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	spec := ch.c.fast
	if _, seen := ch.c.strict.LoadOrStore(fmt.Sprintf("%s %s %d", method, p.template, status), true); !seen {
		spec = ch.c.doc
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      &routers.Route{Spec: spec, Path: p.template, PathItem: p.item, Method: method, Operation: op},
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && (status < 400 || status > 499) {
		ch.fail(r, status, "the request does not match %s %s, yet the server did not refuse it with a 4xx: %v", method, p.template, err)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes(rec.body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		ch.fail(r, status, "the response does not match %s %s: %v", method, p.template, err)
	}
}

// checkRefusal checks the answer to a method the document does not list for the path: a 4xx
// with the error body of the path's tree (the seed's Error under /api, RFC 6749's elsewhere).
func (ch *checker) checkRefusal(r *http.Request, p *docPath, rec *recorder) {
	status := rec.status
	if status < 400 || status > 499 {
		ch.fail(r, status, "the method is not documented for %s, and the server did not refuse it with a 4xx", p.template)
		return
	}
	schema := "OAuthError"
	if strings.HasPrefix(p.template, "/api/") {
		schema = "Error"
	}
	if mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type")); mt != "application/json" {
		ch.fail(r, status, "the refusal of an undocumented method has Content-Type %q, want application/json", rec.Header().Get("Content-Type"))
		return
	}
	var v any
	if err := json.Unmarshal(rec.body.Bytes(), &v); err != nil {
		ch.fail(r, status, "the refusal of an undocumented method is no JSON: %v", err)
		return
	}
	if err := ch.c.doc.Components.Schemas[schema].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		ch.fail(r, status, "the refusal of an undocumented method does not match components/schemas/%s: %v", schema, err)
	}
}

// recorder passes a response through while keeping its status and a copy of its body.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Flush keeps streaming responses streaming.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
