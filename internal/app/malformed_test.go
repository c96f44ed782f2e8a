package app_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/httpapi"
)

// badValue is a malformed value in the three places a request carries text.
type badValue struct {
	name      string
	json      string // as a JSON value, raw bytes included
	path      string // as an escaped path segment
	query     string // as an escaped query value
	mustBe400 bool   // the value can never be stored or matched
}

var badValues = []badValue{
	{name: "NUL", json: `"a\u0000b"`, path: "a%00b", query: "a%00b", mustBe400: true},
	{name: "InvalidUTF8", json: "\"a\xffb\"", path: "a%FFb", query: "a%FFb", mustBe400: true},
	{name: "Long", json: `"` + strings.Repeat("a", 100_000) + `"`, path: strings.Repeat("a", 4_000), query: strings.Repeat("a", 4_000)},
	{name: "BadEscape", json: `"%zz"`, path: "a%25zz", query: "%zz", mustBe400: false},
	{name: "LongWide", json: `"` + strings.Repeat("𝄞", 1024) + `"`, path: url.PathEscape(strings.Repeat("𝄞", 1024)),
		query: url.QueryEscape(strings.Repeat("𝄞", 1024))},
}

// sentinel marks the field being replaced while a body is re-encoded.
const sentinel = "\x01field\x01"

// withField returns body with the field at keys replaced by the raw JSON value v.
func withField(t *testing.T, body string, keys []string, v string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("test body %s: %v", body, err)
	}
	obj := m
	for _, k := range keys[:len(keys)-1] {
		obj = obj[k].(map[string]any)
	}
	obj[keys[len(keys)-1]] = sentinel
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(b), `"\u0001field\u0001"`, v, 1)
}

// fieldsOf lists the paths of every field of a JSON object, nested objects included.
func fieldsOf(t *testing.T, body string) [][]string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("test body %s: %v", body, err)
	}
	var out [][]string
	var walk func(prefix []string, m map[string]any)
	walk = func(prefix []string, m map[string]any) {
		for k, v := range m {
			p := append(append([]string{}, prefix...), k)
			out = append(out, p)
			if sub, ok := v.(map[string]any); ok {
				walk(p, sub)
			}
		}
	}
	walk(nil, m)
	return out
}

// checkAnswer fails unless res is a success or one of the seed's client errors with its exact
// body shape; a value that can never be valid must be a 400 with ErrorDetails.
func checkAnswer(t *testing.T, what string, res response, mustBe400 bool) {
	t.Helper()
	switch res.status {
	case 200, 204:
		if mustBe400 {
			t.Errorf("%s: %d, want 400", what, res.status)
		}
		return
	case 400, 401, 402, 403, 404:
	default:
		t.Errorf("%s: status %d, not one the seed allows for a client's mistake: %.300s", what, res.status, res.body)
		return
	}
	if mustBe400 && res.status != 400 {
		t.Errorf("%s: %d, want 400: %.300s", what, res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(res.body), &body); err != nil || len(body) != 4 {
		t.Errorf("%s: not the seed's error body: %.300s", what, res.body)
		return
	}
	for _, k := range []string{"ErrorCode", "ErrorMessage", "ErrorDetails", "UserErrorMessage"} {
		if _, ok := body[k].(string); !ok {
			t.Errorf("%s: %s is missing or not a string: %.300s", what, k, res.body)
		}
	}
	details, _ := body["ErrorDetails"].(string)
	if res.status == 400 && details == "" {
		t.Errorf("%s: a 400 without ErrorDetails: %s", what, res.body)
	}
	if goErrorText.MatchString(details) {
		t.Errorf("%s: ErrorDetails carries a Go error instead of a sentence for people: %s", what, details)
	}
}

// goErrorText matches what Go packages prefix their error texts with; ErrorDetails must say
// what is wrong in Keyward's words.
var goErrorText = regexp.MustCompile(`\b(asn1|x509|pem|strconv|base64|json|url|sql|pgx|pgconn|sqlite|runtime|http|io|os|lockproto|sqlstore|service|httpapi|oauth|ical|odata)[.:] `)

// TestMalformedInput_EveryRoute is generated from the route table: every path parameter, a query
// parameter and every body field of every route get a NUL, invalid UTF-8, a very long value and
// the longest accepted text of four-byte characters. Nothing is a 500; every error is the seed's
// body; NUL and invalid UTF-8 are always 400.
func TestMalformedInput_EveryRoute(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ids := tenants(t, f)["o1"]
		token := f.token("admin")
		for _, rt := range f.routes() {
			for _, bad := range badValues {
				sweepPath(t, f, rt, ids, token, bad)
				p := fill(t, rt.Pattern, ids)
				res := f.do(rt.Method, p+"?any="+bad.query+"&$filter=id%20eq%20'"+bad.query+"'", token, fillBody(t, rt, ids), nil)
				checkAnswer(t, rt.Method+" "+rt.Pattern+" query "+bad.name, res, bad.mustBe400)
				for _, body := range bodiesOf(t, rt) {
					if body == "" {
						continue
					}
					for _, field := range fieldsOf(t, body) {
						res := f.do(rt.Method, p, token, withField(t, fill(t, body, ids), field, bad.json), nil)
						checkAnswer(t, rt.Method+" "+rt.Pattern+" body field "+strings.Join(field, ".")+" "+bad.name, res, bad.mustBe400)
					}
				}
			}
		}
	})
}

// sweepPath sends the route with each of its path parameters replaced by a bad value.
func sweepPath(t *testing.T, f *fixture, rt httpapi.Route, ids tenant, token string, bad badValue) {
	t.Helper()
	for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
		values := tenant{}
		for k, v := range ids {
			values[k] = v
		}
		values[m[1]] = bad.path
		res := f.do(rt.Method, path(t, rt.Pattern, values), token, fillBody(t, rt, ids), nil)
		checkAnswer(t, rt.Method+" "+rt.Pattern+" "+m[1]+" "+bad.name, res, bad.mustBe400)
	}
}

// fillBody is the route's first test body for a tenant, "" for routes without one.
func fillBody(t *testing.T, rt httpapi.Route, ids tenant) string {
	t.Helper()
	b := bodiesOf(t, rt)[0]
	if b == "" {
		return ""
	}
	return fill(t, b, ids)
}

// TestMediaType_EveryRouteWithABody is generated from the route table: every route that reads
// a body refuses a valid body sent without a Content-Type or as text with the seed's 400 naming
// the media type, before anything reads the body as JSON, and takes it sent as JSON with a
// charset (design.md, Errors).
func TestMediaType_EveryRouteWithABody(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ids := tenants(t, f)["o1"]
		token := f.token("admin")
		covered := 0
		for _, rt := range f.routes() {
			body := fillBody(t, rt, ids)
			if body == "" {
				continue
			}
			covered++
			p := fill(t, rt.Pattern, ids)
			for _, c := range []struct{ contentType, details string }{
				{"", "the request body has no Content-Type; it must be application/json"},
				{"text/plain; charset=utf-8", `the request body must be application/json, not \"text/plain; charset=utf-8\"`},
				{"application/jsonx", `the request body must be application/json, not \"application/jsonx\"`},
			} {
				res := f.do(rt.Method, p, token, body, map[string]string{"Content-Type": c.contentType})
				want := `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"` + c.details + `","UserErrorMessage":""}`
				if res.status != 400 || res.body != want {
					t.Errorf("%s %s as %q: %d %s, want 400 %s", rt.Method, rt.Pattern, c.contentType, res.status, res.body, want)
				}
			}
			res := f.do(rt.Method, p, token, body, map[string]string{"Content-Type": "Application/JSON; charset=utf-8"})
			if strings.Contains(res.body, "Content-Type") || strings.Contains(res.body, "must be application/json") {
				t.Errorf("%s %s as JSON with a charset: %d %s", rt.Method, rt.Pattern, res.status, res.body)
			}
		}
		withBodies := map[string]bool{}
		for k := range bodies {
			withBodies[strings.SplitN(k, "#", 2)[0]] = true
		}
		if covered != len(withBodies) {
			t.Errorf("%d routes read a body, want the %d of the bodies table", covered, len(withBodies))
		}
	})
}
