package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
)

// secondNode starts another server on the fixture's database with the same issuer, as a node
// of a cluster behind one public address, and returns its base URL.
func (f *fixture) secondNode(t *testing.T) string {
	t.Helper()
	return "http://" + f.startNode(t, nil).Addr()
}

// startNode starts another server on the fixture's database with the same issuer and the
// fixture's settings, changed by edit when it is not nil.
func (f *fixture) startNode(t *testing.T, edit func(*config.Config)) *app.Main {
	t.Helper()
	cfg := f.m.Config
	cfg.Addr = "127.0.0.1:0"
	if edit != nil {
		edit(&cfg)
	}
	return apptest.Start(t, cfg, io.Discard, io.Discard)
}

// TestRevocationEveryTokenEveryNode revokes an access token of each kind on one node and checks
// that another node on the same database refuses it on the Management API, at introspection and
// at userinfo.
func TestRevocationEveryTokenEveryNode(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		other := e.secondNode(t)
		web := e.config("web", oauth2.AuthStyleInParams)
		webLogin := func() *oauth2.Token {
			tok, err := web.Exchange(ctx, e.browser(t).authorize(web.AuthCodeURL("s")).Get("code"))
			e.must(err)
			return tok
		}
		webRevoke := url.Values{"client_id": {web.ClientID}, "client_secret": {web.ClientSecret}}
		familyRevoked := `^the token's authorization was revoked at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`
		kinds := []struct {
			name   string
			token  func() string
			client url.Values
			reason string
		}{
			{"ClientCredentials", func() string { return e.token("admin") },
				url.Values{"client_id": {e.ids["adminClient"]}, "client_secret": {e.secrets["admin"]}}, `^the token was revoked$`},
			{"AuthorizationCode", func() string { return webLogin().AccessToken }, webRevoke, familyRevoked},
			{"Refresh", func() string {
				return jsonField(t, e.refresh(t, web, webLogin().RefreshToken, "").body, "access_token")
			}, webRevoke, familyRevoked},
			{"TokenExchange", func() string {
				now := time.Now()
				jwt := signJWT(t, e.idpKey, "JWT", map[string]any{"iss": idpIssuer, "aud": "tapkey_api", "sub": "acme-user-9",
					"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), oauth.ExchangeClientIDClaim: e.clientIDs["mobile"]})
				res := e.postToken(t, url.Values{"grant_type": {keyward.GrantTokenExchange}, "client_id": {e.clientIDs["mobile"]},
					"provider": {"acme.idp"}, "subject_token": {jwt}, "subject_token_type": {"jwt"}, "scope": {"read:owneraccounts"}}, "")
				return jsonField(t, res.body, "access_token")
			}, url.Values{"client_id": {e.clientIDs["mobile"]}}, familyRevoked},
		}
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				token := k.token()
				if res := e.callAt(t, other, "GET", "/api/v1/Owners", token, nil); res.status != 200 {
					t.Fatalf("before revocation, on the other node: %d %s", res.status, res.body)
				}
				form := url.Values{"token": {token}}
				for name, v := range k.client {
					form[name] = v
				}
				if res := e.callAt(t, e.base, "POST", "/connect/revocation", "", form); res.status != 200 || res.body != "" {
					t.Fatalf("revocation: %d %q", res.status, res.body)
				}
				api := e.callAt(t, other, "GET", "/api/v1/Owners", token, nil)
				var body map[string]string
				if err := json.Unmarshal([]byte(api.body), &body); err != nil || api.status != 401 {
					t.Fatalf("API after revocation: %d %s", api.status, api.body)
				}
				reason := body["ErrorDetails"]
				if !regexp.MustCompile(k.reason).MatchString(reason) || body["ErrorMessage"] != "The access token is invalid." {
					t.Errorf("API after revocation: %s", api.body)
				}
				introspect := url.Values{"token": {token}, "client_id": {e.ids["readerClient"]}, "client_secret": {e.secrets["reader"]}}
				if res := e.callAt(t, other, "POST", "/connect/introspect", "", introspect); res.status != 200 || res.body != `{"active":false}` {
					t.Errorf("introspection after revocation: %d %s", res.status, res.body)
				}
				info := e.callAt(t, other, "GET", "/connect/userinfo", token, nil)
				want := `{"error":"invalid_token","error_description":"` + strings.ReplaceAll(reason, `"`, "'") + `"}`
				if info.status != 401 || info.body != want {
					t.Errorf("userinfo after revocation: %d %s\nwant 401 %s", info.status, info.body, want)
				}
			})
		}
	})
}

// callAt sends a request to one node: a form when form is set, a bearer token when token is.
func (e *authEnv) callAt(t *testing.T, base, method, path, token string, form url.Values) response {
	t.Helper()
	q := oauthRequest{base: base, method: method, path: path, bearer: token}
	if form != nil {
		q.form = form.Encode()
	}
	return e.send(t, q, "")
}
