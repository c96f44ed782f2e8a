package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// testRequestID is the request id every test server hands out.
const testRequestID = "req-1"

// testTime is the one instant the test entities carry, with its wire form below.
var testTime = keyward.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))

const testTimeJSON = `"2026-01-02T03:04:05.000Z"`

// scenario is one request against a Server over a fake Service and its exact expected answer.
type scenario struct {
	Name    string
	Method  string
	Path    string
	Header  map[string]string // Authorization defaults to "Bearer good"; an empty value removes it
	Body    string
	Service *fakeService // nil: a fake with no methods set

	WantStatus int
	WantBody   string            // exact JSON, compared after compacting; "" asserts an empty body
	WantHeader map[string]string // exact values; an empty value asserts that the header is absent
}

// fakeVerifier accepts "good" (user u1), answers "expired" and any other token with the domain's
// 401s, and fails with an internal error for "broken".
type fakeVerifier struct{}

func (fakeVerifier) VerifyAccessToken(_ context.Context, token string) (*keyward.Principal, error) {
	switch token {
	case "good":
		return &keyward.Principal{UserID: "u1", Scopes: []string{keyward.ScopeWriteCoreEntities}}, nil
	case "expired":
		return nil, keyward.ErrExpiredToken.WithDetails("the token expired at 2026-01-02T03:04:05.000Z")
	case "broken":
		return nil, errors.New("signing keys unavailable: connection refused")
	default:
		return nil, keyward.ErrInvalidToken.WithDetails("the token signature does not verify")
	}
}

// fakeLocalizer maps a primary language subtag and an ErrorCode to a text, falling back to "en".
type fakeLocalizer map[string]map[string]string

func (l fakeLocalizer) Lookup(acceptLanguage, code string) string {
	lang, _, _ := strings.Cut(acceptLanguage, ",")
	lang, _, _ = strings.Cut(lang, ";")
	lang, _, _ = strings.Cut(lang, "-")
	if text, ok := l[strings.ToLower(strings.TrimSpace(lang))][code]; ok {
		return text
	}
	return l["en"][code]
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

// newTestServer builds a Server over svc with fixed request ids and a log written to logs.
func newTestServer(svc *fakeService, logs io.Writer) *Server {
	if svc == nil {
		svc = &fakeService{}
	}
	return New(Config{
		Service:      svc,
		Verifier:     fakeVerifier{},
		Localizer:    testLocalizer,
		Logger:       slog.New(slog.NewJSONHandler(logs, nil)),
		NewRequestID: func() string { return testRequestID },
	})
}

// serve sends one request to a fresh test server and returns the recorded response.
func serve(t *testing.T, sc scenario, logs io.Writer) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if sc.Body != "" {
		body = strings.NewReader(sc.Body)
	}
	req := httptest.NewRequest(sc.Method, "http://keyward.test"+sc.Path, body)
	req.Header.Set("Authorization", "Bearer good")
	for k, v := range sc.Header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	newTestServer(sc.Service, logs).ServeHTTP(rec, req)
	return rec
}

// runScenarios runs each scenario as a named subtest and checks status, body and headers exactly.
// A JSON body must also carry the JSON content type, and every response the request id.
func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			rec := serve(t, sc, io.Discard)
			if rec.Code != sc.WantStatus {
				t.Errorf("status = %d, want %d (body %s)", rec.Code, sc.WantStatus, rec.Body)
			}
			checkBody(t, rec.Body.Bytes(), sc.WantBody)
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

// ownerService answers FindOwner with an owner whose id is the requested one, so that bodies show
// which id reached the service.
func ownerService() *fakeService {
	return &fakeService{FindOwnerFunc: func(_ context.Context, id string) (*keyward.Owner, error) {
		return &keyward.Owner{ID: id, Name: "Office", Active: true}, nil
	}}
}

// failing returns a fake whose FindOwner fails with err.
func failing(err error) *fakeService {
	return &fakeService{FindOwnerFunc: func(context.Context, string) (*keyward.Owner, error) { return nil, err }}
}

func TestServer_Routing(t *testing.T) {
	contact := &fakeService{FindContactFunc: func(_ context.Context, o, id string) (*keyward.Contact, error) {
		return &keyward.Contact{ID: id, OwnerID: o, IPID: keyward.IPTapkey}, nil
	}}
	contactJSON := func(o, id string) string {
		return `{"id":"` + id + `","ownerId":"` + o + `","identifier":null,"email":null,"ipId":"tapkey","ipUserId":null,"title":null,"comment":null}`
	}
	ownerTop := &fakeService{FindOwnersFunc: func(_ context.Context, q *keyward.Query) ([]*keyward.Owner, error) {
		if q == nil || q.Top == nil || *q.Top != 5 {
			return nil, errors.New("want $top=5")
		}
		return []*keyward.Owner{{ID: "o1", Name: "Office"}}, nil
	}}
	runScenarios(t, []scenario{
		{Name: "CanonicalCase", Method: "GET", Path: "/api/v1/Owners/o1", Service: ownerService(),
			WantStatus: 200, WantBody: `{"id":"o1","name":"Office","active":true}`},
		{Name: "LowerCase", Method: "GET", Path: "/api/v1/owners/o1", Service: ownerService(),
			WantStatus: 200, WantBody: `{"id":"o1","name":"Office","active":true}`},
		{Name: "UpperCase", Method: "GET", Path: "/API/V1/OWNERS/o1", Service: ownerService(),
			WantStatus: 200, WantBody: `{"id":"o1","name":"Office","active":true}`},
		{Name: "TrailingSlash", Method: "GET", Path: "/api/v1/owners/o1/", Service: ownerService(),
			WantStatus: 200, WantBody: `{"id":"o1","name":"Office","active":true}`},
		{Name: "DoubleSlashes", Method: "GET", Path: "//api//v1//Owners//o1//", Service: ownerService(),
			WantStatus: 200, WantBody: `{"id":"o1","name":"Office","active":true}`},
		{Name: "IDCasePreserved", Method: "GET", Path: "/api/v1/OWNERS/AbC-Owners", Service: ownerService(),
			WantStatus: 200, WantBody: `{"id":"AbC-Owners","name":"Office","active":true}`},
		{Name: "MixedCaseNestedIDs", Method: "GET", Path: "/api/v1/owners/OwNeR/CONTACTS/CoNtAcT", Service: contact,
			WantStatus: 200, WantBody: contactJSON("OwNeR", "CoNtAcT")},
		{Name: "EncodedSlashStaysInID", Method: "GET", Path: "/api/v1/Owners/o1/Contacts/a%2Fb", Service: contact,
			WantStatus: 200, WantBody: contactJSON("o1", "a/b")},
		{Name: "DanglingAmpersand", Method: "GET", Path: "/api/v1/owners?$top=5&", Service: ownerTop,
			WantStatus: 200, WantBody: `[{"id":"o1","name":"Office","active":false}]`},
		{Name: "ErrMalformedQuery", Method: "GET", Path: "/api/v1/Owners?$top=5;x", Service: ownerTop,
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
	whoami := &fakeService{FindOwnerFunc: func(ctx context.Context, id string) (*keyward.Owner, error) {
		p := keyward.PrincipalFromContext(ctx)
		if p == nil {
			return nil, errors.New("no principal in context")
		}
		return &keyward.Owner{ID: id, Name: "caller " + p.UserID}, nil
	}}
	const path = "/api/v1/Owners/o1"
	auth := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	invalid := func(details string) string { return errBody("", "The access token is invalid.", details, "") }
	const invalidChallenge = `Bearer realm="keyward", error="invalid_token", error_description="the access token is invalid"`
	runScenarios(t, []scenario{
		{Name: "OK", Method: "GET", Path: path, Service: whoami,
			WantStatus: 200, WantBody: `{"id":"o1","name":"caller u1","active":false}`, WantHeader: map[string]string{"WWW-Authenticate": ""}},
		{Name: "LowerCaseScheme", Method: "GET", Path: path, Header: auth("bearer good"), Service: whoami,
			WantStatus: 200, WantBody: `{"id":"o1","name":"caller u1","active":false}`},
		{Name: "ErrNoToken", Method: "GET", Path: path, Header: auth(""), Service: whoami,
			WantStatus: 401, WantBody: errBody("", "No access token was sent.", "the request has no Authorization header", ""),
			WantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="keyward"`}},
		{Name: "ErrInvalidToken", Method: "GET", Path: path, Header: auth("Bearer forged"), Service: whoami,
			WantStatus: 401, WantBody: invalid("the token signature does not verify"),
			WantHeader: map[string]string{"WWW-Authenticate": invalidChallenge}},
		{Name: "ErrExpiredToken", Method: "GET", Path: path, Header: auth("Bearer expired"), Service: whoami,
			WantStatus: 401, WantBody: errBody("", "The access token has expired.", "the token expired at 2026-01-02T03:04:05.000Z", ""),
			WantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="keyward", error="invalid_token", error_description="the access token expired"`}},
		{Name: "ErrInsufficientScope", Method: "GET", Path: path, Service: failing(keyward.InsufficientScope("read:owneraccounts")),
			WantStatus: 401, WantBody: errBody("", "The access token lacks a required scope.", `the operation requires the scope "read:owneraccounts"`, ""),
			WantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="keyward", error="insufficient_scope", scope="read:owneraccounts"`}},
		{Name: "ErrBasicScheme", Method: "GET", Path: path, Header: auth("Basic dTE6cHc="), Service: whoami,
			WantStatus: 401, WantBody: invalid("the Authorization header must use the Bearer scheme"),
			WantHeader: map[string]string{"WWW-Authenticate": invalidChallenge}},
		{Name: "ErrSchemeOnly", Method: "GET", Path: path, Header: auth("Bearer"), Service: whoami,
			WantStatus: 401, WantBody: invalid("the Authorization header has no token after Bearer"),
			WantHeader: map[string]string{"WWW-Authenticate": invalidChallenge}},
		{Name: "ErrTokenSyntax", Method: "GET", Path: path, Header: auth("Bearer good, other"), Service: whoami,
			WantStatus: 401, WantBody: invalid("the bearer token has characters outside the RFC 6750 token syntax"),
			WantHeader: map[string]string{"WWW-Authenticate": invalidChallenge}},
		{Name: "ErrVerifierFailure", Method: "GET", Path: path, Header: auth("Bearer broken"), Service: whoami,
			WantStatus: 500, WantBody: internalBody, WantHeader: map[string]string{"WWW-Authenticate": ""}},
	})
}

func TestServer_Errors(t *testing.T) {
	lang := func(v string) map[string]string { return map[string]string{"Accept-Language": v} }
	const path = "/api/v1/Owners/o1"
	notVerified := keyward.ErrEmailNotVerified.WithDetails("user u1 has not verified a@example.com")
	noLockGroups := keyward.ErrInsufficientAccountLevel.WithDetails("plan Basic does not include lock groups")
	runScenarios(t, []scenario{
		{Name: "Forbidden", Method: "GET", Path: path,
			Service:    failing(keyward.ErrForbidden.WithDetails("the caller has no permission on owner account o1")),
			WantStatus: 403, WantBody: errBody("", "The caller has no permission for this operation.", "the caller has no permission on owner account o1", "")},
		{Name: "ForbiddenGerman", Method: "GET", Path: path, Header: lang("de-AT,de;q=0.9,en;q=0.5"), Service: failing(notVerified),
			WantStatus: 403, WantBody: errBody("EmailNotVerified", "The user's e-mail address has not been verified.", "user u1 has not verified a@example.com", "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse.")},
		{Name: "ForbiddenFrench", Method: "GET", Path: path, Header: lang("fr"), Service: failing(notVerified),
			WantStatus: 403, WantBody: errBody("EmailNotVerified", "The user's e-mail address has not been verified.", "user u1 has not verified a@example.com", "Veuillez d'abord vérifier votre adresse e-mail.")},
		{Name: "PaymentRequiredGerman", Method: "GET", Path: path, Header: lang("de"), Service: failing(noLockGroups),
			WantStatus: 402, WantBody: errBody("InsufficientAccountLevel", "The owner account's plan does not include this feature.", "plan Basic does not include lock groups", "Ihr Tarif enthält diese Funktion nicht.")},
		{Name: "PaymentRequiredFrench", Method: "GET", Path: path, Header: lang("fr-CH"), Service: failing(noLockGroups),
			WantStatus: 402, WantBody: errBody("InsufficientAccountLevel", "The owner account's plan does not include this feature.", "plan Basic does not include lock groups", "Votre abonnement n'inclut pas cette fonctionnalité.")},
		{Name: "BadRequestWithCodeEnglishFallback", Method: "GET", Path: path, Header: lang("ja"), Service: failing(keyward.ErrDuplicate),
			WantStatus: 400, WantBody: errBody("Duplicate", "only one grant allowed per lock and user/card", "", "This access already exists.")},
		{Name: "BadRequestWithoutCodeHasNoUserMessage", Method: "GET", Path: path, Header: lang("de"), Service: failing(keyward.Invalidf("title: must not be empty")),
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", "title: must not be empty", "")},
		{Name: "NotFound", Method: "GET", Path: path, Service: failing(keyward.ErrNotFound.WithDetails("owner account o1 does not exist")),
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "owner account o1 does not exist", "")},
		{Name: "WrappedDomainError", Method: "GET", Path: path, Service: failing(fmt.Errorf("service: find owner: %w", keyward.ErrNotFound)),
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "", "")},
		{Name: "InternalHidesCause", Method: "GET", Path: path, Service: failing(errors.New("sqlstore: dial postgres://admin:secret@db")),
			WantStatus: 500, WantBody: internalBody},
		{Name: "InternalKindHidesDetails", Method: "GET", Path: path, Service: failing(keyward.ErrInternal.WithCause(errors.New("disk full")).WithDetails("table grants")),
			WantStatus: 500, WantBody: internalBody},
		{Name: "UnsetFakeMethodIsInternal", Method: "GET", Path: "/api/v1/Owners/o1/Contacts",
			WantStatus: 500, WantBody: internalBody},
		{Name: "NilEntityIsInternal", Method: "GET", Path: path, Service: failing(nil),
			WantStatus: 500, WantBody: internalBody},
		{Name: "PanicIsInternal", Method: "GET", Path: path, Service: &fakeService{FindOwnerFunc: func(context.Context, string) (*keyward.Owner, error) {
			panic("boom")
		}}, WantStatus: 500, WantBody: internalBody},
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

func TestServer_Logging(t *testing.T) {
	tests := []struct {
		Name       string
		Service    *fakeService
		WantStatus float64
		WantError  []string // substrings of the one "internal error" record; nil: no such record
		WantCause  any      // the record's "cause" attribute; nil: absent
	}{
		{Name: "OK", Service: ownerService(), WantStatus: 200},
		{Name: "ClientErrorNotLogged", Service: failing(keyward.ErrNotFound), WantStatus: 404},
		{Name: "InternalLoggedOnceWithCause", Service: failing(keyward.ErrInternal.WithCause(errors.New("disk full"))),
			WantStatus: 500, WantError: []string{"An unexpected error occurred."}, WantCause: "disk full"},
		{Name: "PanicLoggedWithStack", Service: &fakeService{FindOwnerFunc: func(context.Context, string) (*keyward.Owner, error) {
			panic("boom")
		}}, WantStatus: 500, WantError: []string{"httpapi: panic: boom", "goroutine ", "runtime/debug.Stack"}},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			var logs bytes.Buffer
			serve(t, scenario{Method: "GET", Path: "/api/v1/Owners/o1", Service: tt.Service}, &logs)
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
			if req["method"] != "GET" || req["path"] != "/api/v1/Owners/o1" || req["status"] != tt.WantStatus || req["request_id"] != testRequestID {
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
	invalid := func(details string) string {
		return `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"` + details + `","UserErrorMessage":""}`
	}
	runScenarios(t, []scenario{
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
