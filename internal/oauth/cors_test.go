package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

const spaOrigin = "http://127.0.0.1:8400" // the origin of spaCallback

// corsHeaders are the CORS response headers of an answer.
func corsHeaders(h http.Header) map[string]string {
	got := map[string]string{}
	for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
		"Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Expose-Headers", "Vary", "Allow"} {
		if v := strings.Join(h.Values(name), ", "); v != "" {
			got[name] = v
		}
	}
	return got
}

// request sends a request with an Origin and optional headers.
func (f *fixture) request(t *testing.T, method, path, origin string, form url.Values, header ...string) (int, http.Header, string) {
	t.Helper()
	h := http.Header{}
	if form != nil {
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	for i := 0; i < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	res := apitest.Do(t, nil, method, f.http.URL+path, form.Encode(), h)
	return res.Status, res.Header, strings.TrimSuffix(string(res.Body), "\n")
}

func TestCORS(t *testing.T) {
	f := newFixture(t)
	f.updateClient("spa", func(c *keyward.Client) { c.AllowedOrigins = []string{"https://spa.example"} })
	readable := func(origin string) map[string]string {
		return map[string]string{"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": "WWW-Authenticate", "Vary": "Origin"}
	}
	unreadable := map[string]string{"Vary": "Origin"}
	badCode := url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "client_id": {"spa"}, "code_verifier": {verifier}}
	spaToken := func() string {
		q := f.signIn(t, aliceID).code(authorizeURL("client_id", "spa", "redirect_uri", spaCallback, "response_type", "code", "scope", "read:core:entities",
			"code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))
		return f.mustTokens(t, "", url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {spaCallback}, "client_id": {"spa"}, "code_verifier": {verifier}}).AccessToken
	}()
	tests := []struct {
		name, method, path, origin string
		form                       url.Values
		header                     []string
		wantStatus                 int
		want                       map[string]string
	}{
		{"TokenFromRedirectOrigin", "POST", "/connect/token", spaOrigin, badCode, nil, 400, readable(spaOrigin)},
		{"TokenFromExtraOrigin", "POST", "/connect/token", "https://spa.example", badCode, nil, 400, readable("https://spa.example")},
		{"TokenFromOtherOrigin", "POST", "/connect/token", "https://evil.example", badCode, nil, 400, unreadable},
		{"TokenOriginOfAnotherClient", "POST", "/connect/token", "https://app.example", badCode, nil, 400, unreadable},
		{"TokenUnknownClient", "POST", "/connect/token", spaOrigin, url.Values{"grant_type": {"authorization_code"}, "client_id": {"ghost"}}, nil, 401, unreadable},
		{"TokenWithoutGrantType", "POST", "/connect/token", spaOrigin, url.Values{"client_id": {"spa"}}, nil, 400, readable(spaOrigin)},
		{"TokenSameOrigin", "POST", "/connect/token", "", badCode, nil, 400, unreadable},
		{"Revocation", "POST", "/connect/revocation", spaOrigin, url.Values{"client_id": {"spa"}, "token": {"x"}}, nil, 200, readable(spaOrigin)},
		{"Userinfo", "GET", "/connect/userinfo", spaOrigin, nil, []string{"Authorization", "Bearer " + spaToken}, 200, readable(spaOrigin)},
		{"UserinfoOtherOrigin", "GET", "/connect/userinfo", "https://evil.example", nil, []string{"Authorization", "Bearer " + spaToken}, 200, unreadable},
		{"UserinfoClientWithoutWebOrigin", "GET", "/connect/userinfo", spaOrigin, nil, []string{"Authorization", "Bearer " + f.mustToken(t)}, 200, unreadable},
		{"TokenPreflight", "OPTIONS", "/connect/token", "https://any.example", nil, []string{"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization"}, 204,
			map[string]string{"Access-Control-Allow-Origin": "https://any.example", "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Authorization, Content-Type",
				"Access-Control-Max-Age": "600", "Vary": "Origin", "Allow": "POST, OPTIONS"}},
		{"UserinfoPreflight", "OPTIONS", "/connect/userinfo", spaOrigin, nil, []string{"Access-Control-Request-Method", "GET"}, 204,
			map[string]string{"Access-Control-Allow-Origin": spaOrigin, "Access-Control-Allow-Methods": "GET, HEAD, POST", "Access-Control-Allow-Headers": "Authorization, Content-Type",
				"Access-Control-Max-Age": "600", "Vary": "Origin", "Allow": "GET, HEAD, POST, OPTIONS"}},
		{"PlainOptions", "OPTIONS", "/connect/revocation", "", nil, nil, 204, map[string]string{"Allow": "POST, OPTIONS"}},
		{"Discovery", "GET", "/.well-known/openid-configuration", "https://any.example", nil, nil, 200, map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"MetadataPreflight", "OPTIONS", "/.well-known/oauth-authorization-server", "https://any.example", nil, []string{"Access-Control-Request-Method", "GET"}, 204,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD", "Access-Control-Allow-Headers": "Authorization, Content-Type",
				"Access-Control-Max-Age": "600", "Allow": "GET, HEAD, OPTIONS"}},
		{"JWKS", "GET", "/.well-known/jwks.json", "https://any.example", nil, nil, 200, map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"IntrospectionIsNotCORS", "POST", "/connect/introspect", spaOrigin, url.Values{"token": {"x"}}, nil, 401, map[string]string{}},
		{"AuthorizeHasNoPreflight", "OPTIONS", "/connect/authorize", spaOrigin, nil, []string{"Access-Control-Request-Method", "GET"}, 400, map[string]string{"Allow": "GET, HEAD, POST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := f.request(t, tt.method, tt.path, tt.origin, tt.form, tt.header...)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			if diff := cmp.Diff(tt.want, corsHeaders(header)); diff != "" {
				t.Errorf("CORS headers (-want +got):\n%s", diff)
			}
		})
	}
}
