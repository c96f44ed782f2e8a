package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/requestid"
)

// testRequestID is the request id every test server hands out.
const testRequestID = "req-1"

// testTime is the one instant the test entities carry, with its wire form below.
var testTime = keyward.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))

const testTimeJSON = `"2026-01-02T03:04:05.000Z"`

// scenario is one request against a Server over a world and its exact expected answer.
type scenario struct {
	Name   string
	Method string
	Path   string            // {name} is the world's id of that name
	Header map[string]string // Authorization defaults to "Bearer good"; an empty value removes it
	Body   string            // {name} as in Path

	WantStatus int
	// WantBody is the exact JSON, compared after compacting, with {name} as in Path and {new}
	// standing for the id of the entity the request created; "" asserts an empty body.
	WantBody   string
	WantHeader map[string]string // exact values; an empty value asserts that the header is absent
}

// fakeLocalizer maps a primary language subtag and an ErrorCode to a text, falling back to "en".
type fakeLocalizer map[string]map[string]string

func (l fakeLocalizer) Match(acceptLanguage string) string {
	lang, _, _ := strings.Cut(acceptLanguage, ",")
	lang, _, _ = strings.Cut(lang, ";")
	lang, _, _ = strings.Cut(lang, "-")
	return strings.ToLower(strings.TrimSpace(lang))
}

func (l fakeLocalizer) UserMessage(lang string, e *keyward.Error) string {
	if text, ok := l[lang][e.UserMessageKeyOf()]; ok {
		return text
	}
	return l["en"][e.UserMessageKeyOf()]
}

var testLocalizer = fakeLocalizer{
	"en": {
		"EmailNotVerified":         "Please verify your e-mail address first.",
		"InsufficientAccountLevel": "Your plan does not include this feature.",
		"Duplicate":                "This access already exists.",
		"Duplicate.Contact":        "This contact already exists.",
	},
	"de": {
		"EmailNotVerified":         "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse.",
		"InsufficientAccountLevel": "Ihr Tarif enthält diese Funktion nicht.",
	},
	"fr": {
		"EmailNotVerified":         "Veuillez d'abord vérifier votre adresse e-mail.",
		"InsufficientAccountLevel": "Votre abonnement n'inclut pas cette fonctionnalité.",
	},
}

// newTestServer builds a Server over the world's services, the world as its token verifier,
// with a log written to logs that names request ids as the server's does, and serves every
// request with the request id testRequestID in its context, as the server's edge would.
func newTestServer(w *world, logs io.Writer) testServer {
	return testServer{New(Config{
		Services:  w.svc.Services(),
		Verifier:  w,
		Localizer: testLocalizer,
		Logger:    slog.New(requestid.NewLogHandler(slog.NewJSONHandler(logs, nil))),
	})}
}

// testServer is a Server whose requests carry the request id testRequestID.
type testServer struct{ *Server }

func (s testServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.Server.ServeHTTP(w, r.WithContext(requestid.With(r.Context(), testRequestID)))
}

// request builds the scenario's request, with {name}s expanded, the default token and a body
// sent as JSON; a header of the scenario set to "" is removed.
func (w *world) request(sc scenario) *http.Request {
	var body io.Reader
	if sc.Body != "" {
		body = strings.NewReader(w.expand(sc.Body))
	}
	req := httptest.NewRequest(sc.Method, "http://keyward.test"+w.expand(sc.Path), body)
	req.Header.Set("Authorization", "Bearer good")
	if sc.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range sc.Header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return req
}

// serve sends one request to a test server over w and returns the recorded response.
func serve(w *world, sc scenario, logs io.Writer) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	newTestServer(w, logs).ServeHTTP(rec, w.request(sc))
	return rec
}

// runScenarios runs each scenario as a named subtest, one after the other since they share the
// world's database, and checks status, body and headers exactly. A JSON body must also carry
// the JSON content type, and every response the request id.
func runScenarios(t *testing.T, w *world, scenarios []scenario) {
	t.Helper()
	srv := newTestServer(w, io.Discard)
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, w.request(sc))
			if rec.Code != sc.WantStatus {
				t.Errorf("status = %d, want %d (body %s)", rec.Code, sc.WantStatus, rec.Body)
			}
			checkBody(t, rec.Body.Bytes(), w.wantBody(t, sc.WantBody, rec.Body.Bytes()))
			want := map[string]string{"X-Request-Id": testRequestID, "Content-Type": ""}
			if sc.WantBody != "" {
				want["Content-Type"] = contentTypeJSON
			}
			for k, v := range sc.WantHeader {
				want[k] = v
			}
			for k, v := range want {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// wantBody expands the {name}s of want; {new} becomes the id of the object got, which must be
// one the world does not hold yet.
func (w *world) wantBody(t *testing.T, want string, got []byte) string {
	t.Helper()
	if strings.Contains(want, "{new}") {
		var created struct{ ID string }
		if err := json.Unmarshal(got, &created); err != nil || created.ID == "" || slices.Contains(slices.Collect(maps.Values(w.ids)), created.ID) {
			t.Fatalf("body %s does not hold the id of a new entity", got)
		}
		want = strings.ReplaceAll(want, "{new}", created.ID)
	}
	return w.expand(want)
}

// checkBody compares got with the JSON text want after compacting both.
func checkBody(t *testing.T, got []byte, want string) {
	t.Helper()
	if want == "" {
		if len(got) != 0 {
			t.Errorf("body = %s, want none", got)
		}
		return
	}
	var w bytes.Buffer
	if err := json.Compact(&w, []byte(want)); err != nil {
		t.Fatalf("WantBody is not JSON: %v", err)
	}
	var g bytes.Buffer
	if err := json.Compact(&g, got); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, got)
	}
	if g.String() != w.String() {
		t.Errorf("body =\n%s\nwant\n%s", g.String(), w.String())
	}
}

// errBody is the error body with the given fields, as the tests write expectations.
func errBody(code, message, details, user string) string {
	b, _ := json.Marshal(errorBody{code, message, details, user})
	return string(b)
}

// internalBody is the 500 body of every test server.
var internalBody = errBody("", "An unexpected error occurred.", "request id: req-1", "")

// ownerJSON is the world's account o1 on the wire.
const ownerJSON = `{"id":"{o1}","name":"Office","active":true}`

func TestServer_Routing(t *testing.T) {
	t.Parallel()
	contactJSON := `{"id":"{c1}","ownerId":"{o1}","identifier":"a@example.com","email":"a@example.com","ipId":"tapkey","ipUserId":null,"title":null,"comment":null}`
	noContact := func(id string) string {
		return errBody("", "The resource was not found.", `contact "`+id+`" does not exist`, "")
	}
	runScenarios(t, newWorld(t), []scenario{
		{Name: "CanonicalCase", Method: "GET", Path: "/api/v1/Owners/{o1}", WantStatus: 200, WantBody: ownerJSON},
		{Name: "LowerCase", Method: "GET", Path: "/api/v1/owners/{o1}", WantStatus: 200, WantBody: ownerJSON},
		{Name: "UpperCase", Method: "GET", Path: "/API/V1/OWNERS/{o1}", WantStatus: 200, WantBody: ownerJSON},
		{Name: "TrailingSlash", Method: "GET", Path: "/api/v1/owners/{o1}/", WantStatus: 200, WantBody: ownerJSON},
		{Name: "DoubleSlashes", Method: "GET", Path: "//api//v1//Owners//{o1}//", WantStatus: 200, WantBody: ownerJSON},
		{Name: "IDCasePreserved", Method: "GET", Path: "/api/v1/OWNERS/AbC-Owners",
			WantStatus: 403, WantBody: errBody("", "The caller has no permission for this operation.", `the caller has no permission on owner account "AbC-Owners"`, "")},
		{Name: "MixedCaseNested", Method: "GET", Path: "/api/v1/owners/{o1}/CONTACTS/{c1}", WantStatus: 200, WantBody: contactJSON},
		{Name: "MixedCaseNestedIDs", Method: "GET", Path: "/api/v1/owners/{o1}/CONTACTS/CoNtAcT", WantStatus: 404, WantBody: noContact("CoNtAcT")},
		{Name: "EncodedSlashStaysInID", Method: "GET", Path: "/api/v1/Owners/{o1}/Contacts/a%2Fb", WantStatus: 404, WantBody: noContact("a/b")},
		{Name: "DanglingAmpersand", Method: "GET", Path: "/api/v1/owners?$top=1&", WantStatus: 200, WantBody: `[` + ownerJSON + `]`},
		{Name: "ErrMalformedQuery", Method: "GET", Path: "/api/v1/Owners?$top=5;x",
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", "the query string holds a semicolon; separate parameters with \u0026 and percent-encode a semicolon in a value as %3B", "")},
		{Name: "ErrUnknownRoute", Method: "GET", Path: "/api/v1/Nope",
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "no route for GET /api/v1/Nope", "")},
		{Name: "ErrUnknownRouteWithoutToken", Method: "GET", Path: "/api/v1/Nope", Header: map[string]string{"Authorization": ""},
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "no route for GET /api/v1/Nope", "")},
		{Name: "ErrWrongMethod", Method: "DELETE", Path: "/api/v1/Owners",
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "no route for DELETE /api/v1/Owners", "")},
		{Name: "ErrWrongMethodOnItem", Method: "POST", Path: "/api/v1/owners/o1/",
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "no route for POST /api/v1/owners/o1/", "")},
		{Name: "ErrTooManySegments", Method: "GET", Path: "/api/v1/Owners/o1/BoundLocks/l1/x",
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "no route for GET /api/v1/Owners/o1/BoundLocks/l1/x", "")},
		{Name: "ErrOtherVersion", Method: "GET", Path: "/api/v2/Owners",
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "no route for GET /api/v2/Owners", "")},
		{Name: "ErrRoot", Method: "GET", Path: "/",
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "no route for GET /", "")},
	})
}

func TestServer_Auth(t *testing.T) {
	t.Parallel()
	const path = "/api/v1/Owners/{o1}"
	auth := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	invalid := func(details string) string { return errBody("", "The access token is invalid.", details, "") }
	const invalidChallenge = `Bearer realm="keyward", error="invalid_token", error_description="the access token is invalid"`
	runScenarios(t, newWorld(t), []scenario{
		{Name: "OK", Method: "GET", Path: path,
			WantStatus: 200, WantBody: ownerJSON, WantHeader: map[string]string{"WWW-Authenticate": ""}},
		{Name: "LowerCaseScheme", Method: "GET", Path: path, Header: auth("bearer good"),
			WantStatus: 200, WantBody: ownerJSON},
		{Name: "OtherUsersToken", Method: "GET", Path: path, Header: auth("Bearer other"),
			WantStatus: 403, WantBody: errBody("", "The caller has no permission for this operation.", `the caller has no permission on owner account "{o1}"`, "")},
		{Name: "ErrNoToken", Method: "GET", Path: path, Header: auth(""),
			WantStatus: 401, WantBody: errBody("", "No access token was sent.", "the request has no Authorization header", ""),
			WantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="keyward"`}},
		{Name: "ErrInvalidToken", Method: "GET", Path: path, Header: auth("Bearer forged"),
			WantStatus: 401, WantBody: invalid("the token signature does not verify"),
			WantHeader: map[string]string{"WWW-Authenticate": invalidChallenge}},
		{Name: "ErrExpiredToken", Method: "GET", Path: path, Header: auth("Bearer expired"),
			WantStatus: 401, WantBody: errBody("", "The access token has expired.", "the token expired at 2026-01-02T03:04:05.000Z", ""),
			WantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="keyward", error="invalid_token", error_description="the access token expired"`}},
		{Name: "ErrInsufficientScope", Method: "GET", Path: path, Header: auth("Bearer narrow"),
			WantStatus: 401, WantBody: errBody("", "The access token lacks a required scope.", `the operation requires the scope "read:owneraccounts"`, ""),
			WantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="keyward", error="insufficient_scope", scope="read:owneraccounts"`}},
		{Name: "ErrBasicScheme", Method: "GET", Path: path, Header: auth("Basic dTE6cHc="),
			WantStatus: 401, WantBody: invalid("the Authorization header must use the Bearer scheme"),
			WantHeader: map[string]string{"WWW-Authenticate": invalidChallenge}},
		{Name: "ErrSchemeOnly", Method: "GET", Path: path, Header: auth("Bearer"),
			WantStatus: 401, WantBody: invalid("the Authorization header has no token after Bearer"),
			WantHeader: map[string]string{"WWW-Authenticate": invalidChallenge}},
		{Name: "ErrTokenSyntax", Method: "GET", Path: path, Header: auth("Bearer good, other"),
			WantStatus: 401, WantBody: invalid("the bearer token has characters outside the RFC 6750 token syntax"),
			WantHeader: map[string]string{"WWW-Authenticate": invalidChallenge}},
		{Name: "ErrVerifierFailure", Method: "GET", Path: path, Header: auth("Bearer broken"),
			WantStatus: 500, WantBody: internalBody, WantHeader: map[string]string{"WWW-Authenticate": ""}},
	})
}

func TestServer_Errors(t *testing.T) {
	t.Parallel()
	lang := func(v string) map[string]string { return map[string]string{"Accept-Language": v} }
	asUma := func(lang string) map[string]string {
		return map[string]string{"Authorization": "Bearer unverified", "Accept-Language": lang}
	}
	const notVerified = `user "{uma}" must verify the address "uma@example.com" before creating an owner account`
	const noLockGroups = `the plan "free" of owner account "{o2}" does not include lockGroups`
	const grant = `{"boundLockId":"{lock1}","contactId":"{c1}"}`
	runScenarios(t, newWorld(t), []scenario{
		{Name: "Forbidden", Method: "GET", Path: "/api/v1/Owners/{o1}", Header: map[string]string{"Authorization": "Bearer other"},
			WantStatus: 403, WantBody: errBody("", "The caller has no permission for this operation.", `the caller has no permission on owner account "{o1}"`, "")},
		{Name: "ForbiddenGerman", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":"Uma's"}`, Header: asUma("de-AT,de;q=0.9,en;q=0.5"),
			WantStatus: 403, WantBody: errBody("EmailNotVerified", "The user's e-mail address has not been verified.", notVerified, "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse.")},
		{Name: "ForbiddenFrench", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":"Uma's"}`, Header: asUma("fr"),
			WantStatus: 403, WantBody: errBody("EmailNotVerified", "The user's e-mail address has not been verified.", notVerified, "Veuillez d'abord vérifier votre adresse e-mail.")},
		{Name: "PaymentRequiredGerman", Method: "PUT", Path: "/api/v1/Owners/{o2}/LockGroups", Body: `{"title":"x"}`, Header: lang("de"),
			WantStatus: 402, WantBody: errBody("InsufficientAccountLevel", "The owner account's plan does not include this feature.", noLockGroups, "Ihr Tarif enthält diese Funktion nicht.")},
		{Name: "PaymentRequiredFrench", Method: "PUT", Path: "/api/v1/Owners/{o2}/LockGroups", Body: `{"title":"x"}`, Header: lang("fr-CH"),
			WantStatus: 402, WantBody: errBody("InsufficientAccountLevel", "The owner account's plan does not include this feature.", noLockGroups, "Votre abonnement n'inclut pas cette fonctionnalité.")},
		{Name: "BadRequestWithCodeEnglishFallback", Method: "PUT", Path: "/api/v1/Owners/{o1}/Grants", Body: grant, Header: lang("ja"),
			WantStatus: 400, WantBody: errBody("Duplicate", "only one grant allowed per lock and user/card", `contact "{c1}" already has an active grant for Lock "{lock1}"`, "This access already exists.")},
		{Name: "BadRequestWithoutCodeHasNoUserMessage", Method: "PATCH", Path: "/api/v1/Owners/{o1}", Body: `{"name":""}`, Header: lang("de"),
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", `field "name" is required`, "")},
		{Name: "NotFound", Method: "GET", Path: "/api/v1/Owners/{o1}/Contacts/nope",
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", `contact "nope" does not exist`, "")},
		{Name: "PanicIsInternal", Method: "GET", Path: "/api/v1/Owners/{o1}", Header: map[string]string{"Authorization": "Bearer panic"},
			WantStatus: 500, WantBody: internalBody},
	})
}

// TestServer_StoreDown: with the database gone, a request is the generic 500; nothing of the
// driver's error reaches the body.
func TestServer_StoreDown(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if err := w.store.Close(); err != nil {
		t.Fatal(err)
	}
	runScenarios(t, w, []scenario{
		{Name: "InternalHidesCause", Method: "GET", Path: "/api/v1/Owners/{o1}", WantStatus: 500, WantBody: internalBody},
	})
}

// logRecords decodes the JSON log lines the test server wrote.
func logRecords(t *testing.T, logs *bytes.Buffer) []map[string]any {
	t.Helper()
	var recs []map[string]any
	dec := json.NewDecoder(logs)
	for dec.More() {
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// corruptSchedule gives the grant gr1 an iCal text that no longer parses, as stored data gone
// bad after it was accepted: its windows are then an internal error with a cause.
func (w *world) corruptSchedule(t *testing.T) {
	t.Helper()
	if _, err := w.store.SQL().Exec(`UPDATE grants SET time_restriction_ical = 'BEGIN:NOTHING' WHERE id = $1`, w.ids["gr1"]); err != nil {
		t.Fatal(err)
	}
}

func TestServer_Logging(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.corruptSchedule(t)
	tests := []struct {
		Name       string
		Path       string
		Token      string
		WantStatus float64
		WantError  []string // substrings of the one "internal error" record; nil: no such record
		WantCause  any      // the record's "cause" attribute; nil: absent
	}{
		{Name: "OK", Path: "/api/v1/Owners/{o1}", WantStatus: 200},
		{Name: "ClientErrorNotLogged", Path: "/api/v1/Owners/{o1}/Contacts/nope", WantStatus: 404},
		{Name: "InternalLoggedOnceWithCause", Path: "/api/v1/Owners/{o1}/Grants/{gr1}/Windows",
			WantStatus: 500, WantError: []string{"An unexpected error occurred."}, WantCause: `The time restriction iCal is malformed: line 1: the text must begin with BEGIN:VCALENDAR, not "BEGIN:NOTHING"`},
		{Name: "PanicLoggedWithStack", Path: "/api/v1/Owners/{o1}", Token: "panic",
			WantStatus: 500, WantError: []string{"httpapi: panic: boom", "goroutine ", "runtime/debug.Stack"}},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			var logs bytes.Buffer
			sc := scenario{Method: "GET", Path: tt.Path}
			if tt.Token != "" {
				sc.Header = map[string]string{"Authorization": "Bearer " + tt.Token}
			}
			serve(w, sc, &logs)
			var internal, requests []map[string]any
			for _, rec := range logRecords(t, &logs) {
				switch rec["msg"] {
				case "internal error":
					internal = append(internal, rec)
				case "http request":
					requests = append(requests, rec)
				default:
					t.Errorf("unexpected log record %v", rec)
				}
			}
			if len(requests) != 1 {
				t.Fatalf("got %d request log lines, want 1", len(requests))
			}
			req := requests[0]
			if req["method"] != "GET" || req["path"] != w.expand(tt.Path) || req["status"] != tt.WantStatus || req["request_id"] != testRequestID {
				t.Errorf("request log line = %v", req)
			}
			if _, ok := req["duration"].(float64); !ok {
				t.Errorf("request log line has no numeric duration: %v", req)
			}
			wantInternal := 0
			if tt.WantError != nil {
				wantInternal = 1
			}
			if len(internal) != wantInternal {
				t.Fatalf("got %d internal error log lines, want %d", len(internal), wantInternal)
			}
			for _, rec := range internal {
				if rec["request_id"] != testRequestID || rec["level"] != "ERROR" {
					t.Errorf("internal error log line = %v", rec)
				}
				if rec["cause"] != tt.WantCause {
					t.Errorf("cause = %v, want %v", rec["cause"], tt.WantCause)
				}
				for _, want := range tt.WantError {
					if msg, _ := rec["error"].(string); !strings.Contains(msg, want) {
						t.Errorf("error = %q, want it to contain %q", msg, want)
					}
				}
			}
		})
	}
}

// discardLogger is a logger for tests that do not read the log.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestServer_TextChecks pins the details of refused text in each place a request carries it.
func TestServer_TextChecks(t *testing.T) {
	t.Parallel()
	invalid := func(details string) string {
		return `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"` + details + `","UserErrorMessage":""}`
	}
	runScenarios(t, newWorld(t), []scenario{
		{Name: "PathNUL", Method: "GET", Path: "/api/v1/Owners/a%00b", WantStatus: 400,
			WantBody: invalid(`the path segment \"a%00b\" contains a NUL character`)},
		{Name: "PathUTF8", Method: "GET", Path: "/api/v1/Owners/a%FFb", WantStatus: 400,
			WantBody: invalid(`the path segment \"a%FFb\" is not valid UTF-8`)},
		{Name: "QueryNUL", Method: "GET", Path: "/api/v1/Owners?x=a%00", WantStatus: 400,
			WantBody: invalid(`query parameter \"x\" contains a NUL character`)},
		{Name: "QueryEscape", Method: "GET", Path: "/api/v1/Owners?x=%zz", WantStatus: 400,
			WantBody: invalid(`the query string holds \"%zz\", which is not a valid percent-escape`)},
		{Name: "BodyNUL", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":"x","more":{"list":["ok","a\u0000"]}}`, WantStatus: 400,
			WantBody: invalid(`field \"more.list[1]\" contains a NUL character`)},
		{Name: "BodyUTF8", Method: "PUT", Path: "/api/v1/Owners", Body: "{\"name\":\"a\xffb\"}", WantStatus: 400,
			WantBody: invalid(`the request body is not valid UTF-8 (at byte 10)`)},
	})
}
