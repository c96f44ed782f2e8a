package app_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// scenario is one request and the exact response it must get.
type scenario struct {
	name       string
	method     string
	path       string
	as         string   // client name, "" for no token, "garbage", "expired"
	scopes     []string // requested scopes; nil requests all of the client's scopes
	header     map[string]string
	body       string
	wantStatus int
	wantBody   string
	wantHeader map[string]string
	dynamic    []string // top-level keys holding server-made ids and times
}

func (f *fixture) run(t *testing.T, tests []scenario) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(tt.method, tt.path, f.tokenFor(tt.as, tt.scopes), tt.body, tt.header)
			if res.status != tt.wantStatus {
				t.Fatalf("%s %s: status %d, want %d; body %s", tt.method, tt.path, res.status, tt.wantStatus, res.body)
			}
			if tt.wantBody == "" {
				if res.body != "" {
					t.Fatalf("body %q, want none", res.body)
				}
			} else {
				checkJSON(t, res.body, f.expand(tt.wantBody), tt.dynamic...)
			}
			for k, v := range tt.wantHeader {
				if got := res.header.Get(k); got != f.expand(v) {
					t.Fatalf("header %s = %q, want %q", k, got, f.expand(v))
				}
			}
		})
	}
}

func (f *fixture) tokenFor(as string, scopes []string) string {
	switch as {
	case "":
		return ""
	case "garbage":
		return "abc.def.ghi"
	case "expired":
		return f.expiredToken()
	}
	return f.token(as, scopes...)
}

// expiredToken mints a token two hours in the past with the server's own signing keys, through
// a second authorization server on the same database whose clock runs behind.
func (f *fixture) expiredToken() string {
	past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	old, err := oauth.New(context.Background(), oauth.Config{Issuer: f.base, Now: past}, f.m.Store)
	f.must(err)
	srv := httptest.NewServer(old.Handler())
	defer srv.Close()
	cc := clientcredentials.Config{ClientID: f.ids["adminClient"], ClientSecret: f.secrets["admin"], TokenURL: srv.URL + "/connect/token"}
	tok, err := cc.Token(context.Background())
	f.must(err)
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok.AccessToken, ".")[1])
	f.must(err)
	var claims struct{ Exp int64 }
	f.must(json.Unmarshal(payload, &claims))
	f.ids["expiredAt"] = time.Unix(claims.Exp, 0).UTC().Format(keyward.WireTimeLayout)
	return tok.AccessToken
}

func forEachEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, engine))
		})
	}
}

const bearer = `Bearer realm="keyward"`

func TestAuthErrors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.run(t, []scenario{
			{name: "NoToken", method: "GET", path: "/api/v1/Owners", wantStatus: 401,
				wantBody:   `{"ErrorCode":"","ErrorMessage":"No access token was sent.","ErrorDetails":"the request has no Authorization header","UserErrorMessage":""}`,
				wantHeader: map[string]string{"WWW-Authenticate": bearer}},
			{name: "InvalidToken", method: "GET", path: "/api/v1/Owners", as: "garbage", wantStatus: 401,
				wantBody:   `{"ErrorCode":"","ErrorMessage":"The access token is invalid.","ErrorDetails":"the token header is malformed: it is not a JSON object with string members","UserErrorMessage":""}`,
				wantHeader: map[string]string{"WWW-Authenticate": bearer + `, error="invalid_token", error_description="the access token is invalid"`}},
			{name: "ExpiredToken", method: "GET", path: "/api/v1/Owners", as: "expired", wantStatus: 401,
				wantHeader: map[string]string{"WWW-Authenticate": bearer + `, error="invalid_token", error_description="the access token expired"`},
				wantBody:   `{"ErrorCode":"","ErrorMessage":"The access token has expired.","ErrorDetails":"the access token expired at {expiredAt}","UserErrorMessage":""}`},
			{name: "MissingScope", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "reader", body: `{"identifier":"a@example.com"}`, wantStatus: 401,
				wantBody:   `{"ErrorCode":"","ErrorMessage":"The access token lacks a required scope.","ErrorDetails":"the operation requires the scope \"write:core:entities\"","UserErrorMessage":""}`,
				wantHeader: map[string]string{"WWW-Authenticate": bearer + `, error="insufficient_scope", scope="write:core:entities"`}},
			{name: "NarrowedTokenLacksScope", method: "GET", path: "/api/v1/Owners/{o1}/Permissions", as: "admin", scopes: []string{"read:core:entities"}, wantStatus: 401,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The access token lacks a required scope.","ErrorDetails":"the operation requires the scope \"read:owneraccount:permissions\"","UserErrorMessage":""}`},
			{name: "NoPermissionOnAccount", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks", as: "stranger", wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the caller has no permission on owner account \"{o1}\"","UserErrorMessage":""}`},
			{name: "UnknownAccountIsAlso403", method: "GET", path: "/api/v1/Owners/nope", as: "admin", wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the caller has no permission on owner account \"nope\"","UserErrorMessage":""}`},
			{name: "OtherTenantsLockIs404", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock2}", as: "admin", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"bound lock \"{lock2}\" does not exist","UserErrorMessage":""}`},
			{name: "UnknownRoute", method: "GET", path: "/api/v1/Nothing", as: "admin", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"no route for GET /api/v1/Nothing","UserErrorMessage":""}`},
			{name: "WrongMethod", method: "DELETE", path: "/api/v1/Owners/{o1}", as: "admin", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"no route for DELETE /api/v1/Owners/{o1}","UserErrorMessage":""}`},
		})
	})
}
