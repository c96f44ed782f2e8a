package app_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/cli"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
)

// The browser flows run against the real server: a person signs in on the sign-in page,
// consents on the consent page and the client redeems the code with golang.org/x/oauth2.
// authEnv adds to the fixture a verified person (Pat), an unverified one (Una) and three
// clients: "web" (confidential), "spa" (public, PKCE) and "mobile" (token exchange), plus the
// identity provider "acme.idp" of account o1.
type authEnv struct {
	*fixture
	clientIDs map[string]string
	webSecret string
	idpKey    *rsa.PrivateKey
}

const (
	patEmail    = "pat@example.com"
	patPassword = "pat's long password"
	unaEmail    = "una@example.com"
	webCB       = "https://web.example/cb"
	spaCB       = "http://127.0.0.1:8765/cb"
	idpIssuer   = "https://login.acme.example"
)

// authScopes are the scopes of the web and spa clients.
var authScopes = []string{keyward.ScopeReadOwnerAccounts, keyward.ScopeWriteOwnerAccounts, keyward.ScopeOfflineAccess}

// patHash is Pat's password hash, computed once: Argon2 is slow on purpose.
var patHash = sync.OnceValue(func() string {
	h, err := service.HashPassword(patPassword)
	if err != nil {
		panic(err)
	}
	return h
})

func newAuthEnv(t *testing.T, f *fixture) *authEnv {
	t.Helper()
	ctx := context.Background()
	e := &authEnv{fixture: f, clientIDs: map[string]string{}}
	_, err := f.m.Service.CreateUser(asOperator(ctx), keyward.UserCreate{Email: patEmail, PasswordHash: patHash(), Verified: true})
	f.must(err)
	_, err = f.m.Service.CreateUser(asOperator(ctx), keyward.UserCreate{Email: unaEmail, PasswordHash: patHash(), Verified: false})
	f.must(err)
	secret, hash := oauth.NewClientSecret()
	e.webSecret = secret
	e.addClient(t, keyward.ClientCreate{Name: "Web Portal", SecretHash: hash, GrantTypes: []string{keyward.GrantAuthorizationCode},
		Scopes: authScopes, RedirectURIs: []string{webCB}, LogoURL: "https://web.example/logo.png"})
	e.addClient(t, keyward.ClientCreate{Name: "Single Page", Public: true, GrantTypes: []string{keyward.GrantAuthorizationCode},
		Scopes: authScopes, RedirectURIs: []string{spaCB}})
	e.addClient(t, keyward.ClientCreate{Name: "Mobile", Public: true, GrantTypes: []string{keyward.GrantTokenExchange},
		Scopes: []string{keyward.ScopeReadOwnerAccounts, "register:mobiles", "handle:keys"}})
	e.idpKey, err = rsa.GenerateKey(rand.Reader, 2048)
	f.must(err)
	der, err := x509.MarshalPKIXPublicKey(&e.idpKey.PublicKey)
	f.must(err)
	_, err = f.m.Service.RegisterIdentityProvider(asOperator(ctx), f.ids["o1"], keyward.IdentityProviderCreate{IPID: "acme.idp", Issuer: idpIssuer,
		Audience: "tapkey_api", PublicKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))})
	f.must(err)
	return e
}

func (e *authEnv) addClient(t *testing.T, spec keyward.ClientCreate) {
	t.Helper()
	c, _, err := e.m.Service.CreateClient(asOperator(context.Background()), spec)
	e.must(err)
	e.clientIDs[strings.ToLower(strings.Fields(spec.Name)[0])] = c.ID
}

// config is a client as golang.org/x/oauth2 sees it.
func (e *authEnv) config(name string, style oauth2.AuthStyle) *oauth2.Config {
	cfg := &oauth2.Config{ClientID: e.clientIDs[name], Scopes: authScopes,
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/connect/authorize", TokenURL: e.base + "/connect/token", AuthStyle: style}}
	switch name {
	case "web":
		cfg.ClientSecret, cfg.RedirectURL = e.webSecret, webCB
	case "single":
		cfg.RedirectURL = spaCB
	}
	return cfg
}

// forEachAuthEnv runs fn on every engine with an authEnv.
func forEachAuthEnv(t *testing.T, fn func(t *testing.T, e *authEnv)) {
	forEachEngine(t, func(t *testing.T, f *fixture) { fn(t, newAuthEnv(t, f)) })
}

// signInBrowser is an apitest.Browser on the fixture's server, bound to a test.
type signInBrowser struct {
	*apitest.Browser
	t *testing.T
}

func (e *authEnv) browser(t *testing.T) *signInBrowser {
	return &signInBrowser{Browser: apitest.NewBrowser(t, e.base), t: t}
}

// htmlPage is a response of the authorization server.
type htmlPage = *apitest.Page

func (b *signInBrowser) do(method, target string, form url.Values) htmlPage {
	b.t.Helper()
	return b.Do(b.t, method, target, form)
}

// login fills the sign-in page the browser was sent to and returns the answer.
func (b *signInBrowser) login(loginURL, email, password string) htmlPage {
	b.t.Helper()
	form := b.do(http.MethodGet, loginURL, nil).Form(b.t, "login")
	form.Set("email", email)
	form.Set("password", password)
	return b.do(http.MethodPost, "/account/login", form)
}

// authorize drives the pages for an authorization URL as Pat (signing in when needed), allows
// the request unless Pat consented before, and returns the parameters of the redirect to the
// client.
func (b *signInBrowser) authorize(authURL string) url.Values {
	b.t.Helper()
	p := b.do(http.MethodGet, authURL, nil)
	if p.Status == http.StatusFound && strings.Contains(p.Location(), "/account/login?") {
		signedIn := b.login(p.Location(), patEmail, patPassword)
		if signedIn.Status != http.StatusSeeOther {
			b.t.Fatalf("sign-in: %d %q", signedIn.Status, signedIn.Text("error"))
		}
		p = b.do(http.MethodGet, signedIn.Location(), nil)
	}
	res := p
	if p.Status == http.StatusOK {
		form := p.Form(b.t, "consent")
		form.Set("decision", "allow")
		res = b.do(http.MethodPost, "/connect/consent", form)
	}
	u, err := url.Parse(res.Location())
	if (res.Status != http.StatusSeeOther && res.Status != http.StatusFound) || err != nil {
		b.t.Fatalf("consent: %d %q %v\n%s", res.Status, res.Location(), err, res.Body)
	}
	return u.Query()
}

// api calls the Management API with a token.
func (e *authEnv) api(method, path, token, body string) response {
	return e.do(method, path, token, body, nil)
}

func TestOAuthCodeFlow_PKCE(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		cfg := e.config("single", oauth2.AuthStyleInParams)
		verifier := oauth2.GenerateVerifier()
		state := "Zm9v+YmFy/YmF6=="
		q := e.browser(t).authorize(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		if q.Get("state") != state || q.Get("iss") != e.base || q.Get("scope") != strings.Join(authScopes, " ") {
			t.Errorf("authorization response %v", q)
		}
		tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if tok.TokenType != "Bearer" || tok.Extra("expires_in") != 3600.0 || tok.RefreshToken == "" {
			t.Errorf("token_type %q, expires_in %v, refresh token %q", tok.TokenType, tok.Extra("expires_in"), tok.RefreshToken)
		}
		t.Run("OwnerAccountForTheUser", func(t *testing.T) {
			res := e.api("PUT", "/api/v1/Owners", tok.AccessToken, `{"name":"Pat's Place"}`)
			if res.status != 200 {
				t.Fatalf("PUT /Owners: %d %s", res.status, res.body)
			}
			id := jsonField(t, res.body, "id")
			list := e.api("GET", "/api/v1/Owners", tok.AccessToken, "")
			if list.status != 200 || !strings.Contains(list.body, `"id":"`+id+`"`) {
				t.Errorf("GET /Owners: %d %s", list.status, list.body)
			}
			owner := keyward.RoleOwner
			perms, err := e.m.Store.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: id, Role: &owner})
			e.must(err)
			if len(perms) != 1 {
				t.Fatalf("%d Owner permissions, want 1", len(perms))
			}
			contacts, err := e.m.Store.FindContacts(ctx, keyward.ContactFilter{OwnerID: id})
			e.must(err)
			if len(contacts) != 1 || contacts[0].ID != perms[0].ContactID || contacts[0].Identifier == nil || *contacts[0].Identifier != patEmail {
				t.Errorf("the Owner permission does not belong to %s: %+v %+v", patEmail, perms[0], contacts)
			}
		})
		t.Run("ClientCredentialsCannotCreateOwners", func(t *testing.T) {
			res := e.api("PUT", "/api/v1/Owners", e.token("admin"), `{"name":"Robots Inc"}`)
			if res.status != 403 {
				t.Errorf("PUT /Owners as a service user: %d %s", res.status, res.body)
			}
		})
		t.Run("RefreshThroughTheLibrary", func(t *testing.T) {
			expired := &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
			fresh, err := cfg.TokenSource(ctx, expired).Token()
			if err != nil {
				t.Fatal(err)
			}
			if fresh.RefreshToken == tok.RefreshToken || fresh.AccessToken == tok.AccessToken {
				t.Error("the refresh did not rotate")
			}
			if res := e.api("GET", "/api/v1/Owners", fresh.AccessToken, ""); res.status != 200 {
				t.Errorf("API with the refreshed token: %d %s", res.status, res.body)
			}
		})
	})
}

func TestOAuthCodeFlow_Confidential(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		b := e.browser(t)
		for name, style := range map[string]oauth2.AuthStyle{"SecretInBasic": oauth2.AuthStyleInHeader, "SecretInBody": oauth2.AuthStyleInParams} {
			t.Run(name, func(t *testing.T) {
				cfg := e.config("web", style)
				tok, err := cfg.Exchange(ctx, b.authorize(cfg.AuthCodeURL("s")).Get("code"))
				if err != nil {
					t.Fatal(err)
				}
				if res := e.api("GET", "/api/v1/Owners", tok.AccessToken, ""); res.status != 200 {
					t.Errorf("API: %d %s", res.status, res.body)
				}
			})
		}
		t.Run("RefreshRotationAndReuse", func(t *testing.T) {
			cfg := e.config("web", oauth2.AuthStyleInHeader)
			first, err := cfg.Exchange(ctx, b.authorize(cfg.AuthCodeURL("s")).Get("code"))
			if err != nil {
				t.Fatal(err)
			}
			second := e.refresh(t, cfg, first.RefreshToken, "")
			if second.status != 200 {
				t.Fatalf("refresh: %d %s", second.status, second.body)
			}
			reuse := e.refresh(t, cfg, first.RefreshToken, "")
			if want := `{"error":"invalid_grant","error_description":"the refresh token was used already; the tokens issued for it are revoked"}`; reuse.status != 400 || reuse.body != want {
				t.Errorf("reuse: %d %s", reuse.status, reuse.body)
			}
			for name, token := range map[string]string{"first": first.AccessToken, "second": jsonField(t, second.body, "access_token")} {
				res := e.api("GET", "/api/v1/Owners", token, "")
				if res.status != 401 || !strings.Contains(res.header.Get("WWW-Authenticate"), `error="invalid_token"`) || !strings.Contains(res.body, "the token's authorization was revoked at ") {
					t.Errorf("%s access token after reuse: %d %s %s", name, res.status, res.header.Get("WWW-Authenticate"), res.body)
				}
			}
			after := e.refresh(t, cfg, jsonField(t, second.body, "refresh_token"), "")
			if after.status != 400 || !strings.Contains(after.body, `"the refresh token was revoked at `) {
				t.Errorf("successor after reuse: %d %s", after.status, after.body)
			}
		})
	})
}

// tokenResult is a raw token endpoint response.
type tokenResult struct {
	status int
	body   string
}

// refresh posts a refresh request with the client's secret in the body and, optionally, a scope.
func (e *authEnv) refresh(t *testing.T, cfg *oauth2.Config, refreshToken, scope string, extra ...string) tokenResult {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {cfg.ClientID}}
	if cfg.ClientSecret != "" {
		form.Set("client_secret", cfg.ClientSecret)
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	for i := 0; i < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return e.postToken(t, form, "")
}

func (e *authEnv) postToken(t *testing.T, form url.Values, basicAuth string) tokenResult {
	t.Helper()
	header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if basicAuth != "" {
		header.Set("Authorization", basicAuth)
	}
	res := apitest.Do(t, nil, http.MethodPost, e.base+"/connect/token", form.Encode(), header)
	return tokenResult{status: res.Status, body: strings.TrimSpace(string(res.Body))}
}

func TestOAuthRefresh_NarrowAndClientChanges(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		cfg := e.config("web", oauth2.AuthStyleInParams)
		tok, err := cfg.Exchange(ctx, e.browser(t).authorize(cfg.AuthCodeURL("s")).Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		// The MVC PKCE sample sends another redirect_uri and a code_verifier on refresh.
		narrow := e.refresh(t, cfg, tok.RefreshToken, "read:owneraccounts", "redirect_uri", "https://other.example/", "code_verifier", oauth2.GenerateVerifier())
		if narrow.status != 200 || jsonField(t, narrow.body, "scope") != "read:owneraccounts" {
			t.Fatalf("narrowing refresh: %d %s", narrow.status, narrow.body)
		}
		res := e.api("PUT", "/api/v1/Owners", jsonField(t, narrow.body, "access_token"), `{"name":"x"}`)
		if res.status != 401 || !strings.Contains(res.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
			t.Errorf("write with a narrowed token: %d %s", res.status, res.header.Get("WWW-Authenticate"))
		}
		widen := e.refresh(t, cfg, jsonField(t, narrow.body, "refresh_token"), "read:owneraccounts read:logs")
		if want := `{"error":"invalid_scope","error_description":"the scope 'read:logs' was not granted to the refresh token; a refresh may only narrow the scope"}`; widen.status != 400 || widen.body != want {
			t.Errorf("widening refresh: %d %s", widen.status, widen.body)
		}
		// The owner takes write:owneraccounts away from the client; the next refresh is refused.
		scopes := []string{keyward.ScopeReadOwnerAccounts, keyward.ScopeOfflineAccess}
		e.must(e.m.Store.UpdateClient(ctx, cfg.ClientID, keyward.ClientUpdate{Scopes: scopes}))
		fresh := e.refresh(t, cfg, jsonField(t, narrow.body, "refresh_token"), "")
		if want := `{"error":"invalid_scope","error_description":"the client '` + cfg.ClientID + `' is no longer allowed the scope 'write:owneraccounts'"}`; fresh.status != 400 || fresh.body != want {
			t.Errorf("refresh after the client lost a scope: %d %s\nwant %s", fresh.status, fresh.body, want)
		}
		// The same request for what the client still has succeeds.
		if again := e.refresh(t, cfg, jsonField(t, narrow.body, "refresh_token"), "read:owneraccounts offline_access"); again.status != 200 {
			t.Errorf("refresh within the remaining scopes: %d %s", again.status, again.body)
		}
	})
}

// TestOAuthSecurity covers the attacks of the OAuth 2.0 Security Best Current Practice
// (RFC 9700) against the running server; each asserts the exact refusal.
func TestOAuthSecurity(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		b := e.browser(t)
		web, spa := e.config("web", oauth2.AuthStyleInHeader), e.config("single", oauth2.AuthStyleInParams)
		verifier := oauth2.GenerateVerifier()
		b.authorize(web.AuthCodeURL("warm-up")) // signs Pat in
		tokenErr := func(t *testing.T, cfg *oauth2.Config, code string, opts []oauth2.AuthCodeOption, wantStatus int, wantBody string) {
			t.Helper()
			_, err := cfg.Exchange(ctx, code, opts...)
			re, ok := errors.AsType[*oauth2.RetrieveError](err)
			if !ok {
				t.Fatalf("exchange error %v, want a refusal", err)
			}
			if got := []any{re.Response.StatusCode, strings.TrimSpace(string(re.Body))}; !gocmp.Equal(got, []any{wantStatus, wantBody}) {
				t.Errorf("got %v\nwant [%d %s]", got, wantStatus, wantBody)
			}
		}
		t.Run("PKCERequiredForPublicClients", func(t *testing.T) {
			p := b.do(http.MethodGet, spa.AuthCodeURL("s"), nil)
			want := spaCB + "?" + url.Values{"error": {"invalid_request"}, "error_description": {"the client '" + spa.ClientID + "' is public and must use PKCE: send code_challenge with code_challenge_method S256 (RFC 7636)"}, "iss": {e.base}, "state": {"s"}}.Encode()
			if p.Status != http.StatusFound || p.Location() != want {
				t.Errorf("got %d %s\nwant 302 %s", p.Status, p.Location(), want)
			}
		})
		t.Run("PKCEPlainRefused", func(t *testing.T) {
			p := b.do(http.MethodGet, spa.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")), nil)
			if !strings.Contains(p.Location(), "error_description=code_challenge_method+must+be+S256%3B+plain+is+not+supported") {
				t.Errorf("Location %s", p.Location())
			}
		})
		t.Run("PKCEDowngradeVerifierDropped", func(t *testing.T) {
			code := b.authorize(web.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))).Get("code")
			tokenErr(t, web, code, nil, 400, `{"error":"invalid_grant","error_description":"code_verifier is missing; the authorization request had a code_challenge"}`)
		})
		t.Run("PKCEDowngradeChallengeStripped", func(t *testing.T) {
			code := b.authorize(web.AuthCodeURL("s")).Get("code")
			tokenErr(t, web, code, []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}, 400,
				`{"error":"invalid_grant","error_description":"code_verifier was sent, but the authorization request had no code_challenge"}`)
		})
		t.Run("WrongVerifier", func(t *testing.T) {
			code := b.authorize(spa.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))).Get("code")
			tokenErr(t, spa, code, []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.GenerateVerifier())}, 400,
				`{"error":"invalid_grant","error_description":"code_verifier does not match the code_challenge of the authorization request"}`)
		})
		t.Run("CodeReuseRevokesTokens", func(t *testing.T) {
			code := b.authorize(web.AuthCodeURL("s")).Get("code")
			tok, err := web.Exchange(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			tokenErr(t, web, code, nil, 400, `{"error":"invalid_grant","error_description":"the authorization code was used already; the tokens issued for it are revoked"}`)
			if res := e.api("GET", "/api/v1/Owners", tok.AccessToken, ""); res.status != 401 {
				t.Errorf("access token of a reused code: %d %s", res.status, res.body)
			}
			if res := e.refresh(t, web, tok.RefreshToken, ""); res.status != 400 || !strings.Contains(res.body, "the refresh token was revoked at ") {
				t.Errorf("refresh token of a reused code: %d %s", res.status, res.body)
			}
		})
		t.Run("ConcurrentRedemption", func(t *testing.T) {
			// Two redemptions of one code race on every engine: exactly one gets tokens, the
			// other is refused and revokes what the first got.
			code := b.authorize(web.AuthCodeURL("s")).Get("code")
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webCB}, "client_id": {web.ClientID}, "client_secret": {web.ClientSecret}}
			var wg sync.WaitGroup
			results := make([]tokenResult, 2)
			for i := range results {
				wg.Go(func() { results[i] = e.postToken(t, form, "") })
			}
			wg.Wait()
			if results[0].status == 400 {
				results[0], results[1] = results[1], results[0]
			}
			want := `{"error":"invalid_grant","error_description":"the authorization code was used already; the tokens issued for it are revoked"}`
			if results[0].status != 200 || results[1].status != 400 || results[1].body != want {
				t.Fatalf("results %+v", results)
			}
			if res := e.api("GET", "/api/v1/Owners", jsonField(t, results[0].body, "access_token"), ""); res.status != 401 {
				t.Errorf("the winner's token after the race: %d", res.status)
			}
		})
		t.Run("CodeOfAnotherClient", func(t *testing.T) {
			code := b.authorize(web.AuthCodeURL("s")).Get("code")
			mixed := *spa
			mixed.RedirectURL = webCB
			tokenErr(t, &mixed, code, []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}, 400,
				`{"error":"invalid_grant","error_description":"the authorization code was issued to another client"}`)
			if _, err := web.Exchange(ctx, code); err != nil {
				t.Errorf("the code is spent for its own client: %v", err)
			}
		})
		t.Run("MixUpIssuerInResponse", func(t *testing.T) {
			if iss := b.authorize(web.AuthCodeURL("s")).Get("iss"); iss != e.base {
				t.Errorf("iss %q, want %q", iss, e.base)
			}
		})
		for name, redirect := range map[string]string{
			"RedirectPrefix":     "https://web.example/cb/../evil",
			"RedirectExtraPath":  "https://web.example/cb/more",
			"RedirectCase":       "https://WEB.example/cb",
			"RedirectOpen":       "https://evil.example/cb",
			"RedirectUserinfo":   "https://web.example@evil.example/cb",
			"RedirectQuery":      "https://web.example/cb?next=https://evil.example",
			"RedirectOtherPort":  "https://web.example:8443/cb",
			"RedirectHTTPScheme": "http://web.example/cb",
		} {
			t.Run(name, func(t *testing.T) {
				cfg := *web
				cfg.RedirectURL = redirect
				p := b.do(http.MethodGet, cfg.AuthCodeURL("s"), nil)
				want := "the redirect_uri '" + redirect + "' is not registered for the client '" + web.ClientID + "'; it must equal a registered URI exactly"
				if p.Status != 400 || p.Location() != "" || p.Text("description") != want {
					t.Errorf("got %d Location %q %q\nwant 400 %q", p.Status, p.Location(), p.Text("description"), want)
				}
			})
		}
		t.Run("DoubleSlashPath", func(t *testing.T) {
			p := e.browser(t).do(http.MethodGet, e.base+"//connect/authorize?"+strings.SplitN(web.AuthCodeURL("s"), "?", 2)[1], nil)
			if p.Status != http.StatusFound || !strings.HasPrefix(p.Location(), e.base+"/account/login?return=") {
				t.Errorf("got %d %s", p.Status, p.Location())
			}
		})
		t.Run("ForgedAccessTokens", func(t *testing.T) {
			claims := map[string]any{"iss": e.base, "sub": e.olivia.ID, "aud": "tapkey_api", "client_id": web.ClientID,
				"scope": "read:owneraccounts", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
			foreign, err := rsa.GenerateKey(rand.Reader, 2048)
			e.must(err)
			for name, tc := range map[string]struct{ token, details string }{
				"AlgNone":    {unsignedJWT(t, claims), "the token is unsigned (alg none)"},
				"ForeignKey": {signJWT(t, foreign, "at+jwt", claims), "the token signature is invalid"},
			} {
				t.Run(name, func(t *testing.T) {
					res := e.api("GET", "/api/v1/Owners", tc.token, "")
					if res.status != 401 || jsonField(t, res.body, "ErrorDetails") != tc.details {
						t.Errorf("got %d %s, want 401 with %q", res.status, res.body, tc.details)
					}
				})
			}
		})
		t.Run("LoginFormCSRF", func(t *testing.T) {
			attacker := e.browser(t)
			form := attacker.do(http.MethodGet, "/account/login", nil).Form(t, "login")
			form.Set("email", patEmail)
			form.Set("password", patPassword)
			victim := e.browser(t) // a cross-site POST carries no cookie of ours
			res := victim.do(http.MethodPost, "/account/login", form)
			if res.Status != 400 || res.Text("error") != "Your browser did not send our cookie back. Please allow cookies for this site and try again." {
				t.Errorf("got %d %q", res.Status, res.Text("error"))
			}
			victim.do(http.MethodGet, "/account/login", nil) // the victim has a pre-session of its own
			res = victim.do(http.MethodPost, "/account/login", form)
			if res.Status != 400 || res.Text("error") != "This form has expired or was sent from another site. Please try again." {
				t.Errorf("got %d %q", res.Status, res.Text("error"))
			}
		})
		t.Run("ConsentFormCSRF", func(t *testing.T) {
			form := b.do(http.MethodGet, web.AuthCodeURL("s", oauth2.SetAuthURLParam("prompt", "consent")), nil).Form(t, "consent")
			form.Set("decision", "allow")
			mallory := e.browser(t)
			mallory.authorize(spa.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))) // Mallory has a session of her own
			res := mallory.do(http.MethodPost, "/connect/consent", form)
			if res.Status != 400 || res.Location() != "" || res.Text("message") != "This form has expired or was sent from another site. Please try again." {
				t.Errorf("got %d %q %q", res.Status, res.Location(), res.Text("message"))
			}
		})
		t.Run("NoOpenRedirectAfterLogin", func(t *testing.T) {
			res := e.browser(t).login("/account/login?return="+url.QueryEscape("https://evil.example/"), patEmail, patPassword)
			if res.Status != http.StatusSeeOther || res.Location() != e.base+"/account" {
				t.Errorf("got %d %s", res.Status, res.Location())
			}
		})
		t.Run("UnverifiedUserCannotAuthorize", func(t *testing.T) {
			una := e.browser(t)
			p := una.do(http.MethodGet, web.AuthCodeURL("s"), nil)
			res := una.login(p.Location(), unaEmail, patPassword)
			want := "Your e-mail address has not been verified yet. Please open the link we sent to una@example.com first."
			if res.Status != 403 || res.Text("error") != want {
				t.Errorf("got %d %q", res.Status, res.Text("error"))
			}
		})
	})
}

// unsignedJWT is an at+jwt access token with alg none.
func unsignedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	return apitest.SignJWT(t, "none", "", "at+jwt", nil, claims)
}

// signJWT signs claims with RS256.
func signJWT(t *testing.T, key *rsa.PrivateKey, typ string, claims map[string]any) string {
	t.Helper()
	return apitest.SignJWT(t, "RS256", "", typ, key, claims)
}

func TestOAuthTokenExchange(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		now := time.Now()
		claims := func(kv ...any) map[string]any {
			c := map[string]any{"iss": idpIssuer, "aud": "tapkey_api", "sub": "acme-user-7", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
				oauth.ExchangeClientIDClaim: e.clientIDs["mobile"]}
			for i := 0; i < len(kv); i += 2 {
				c[kv[i].(string)] = kv[i+1]
			}
			return c
		}
		exchange := func(token string) tokenResult {
			return e.postToken(t, url.Values{"grant_type": {keyward.GrantTokenExchange}, "client_id": {e.clientIDs["mobile"]}, "provider": {"acme.idp"},
				"subject_token": {token}, "subject_token_type": {"jwt"}, "scope": {"read:owneraccounts handle:keys"},
				"audience": {"tapkey_api"}, "requested_token_type": {"access_token"}}, "")
		}
		res := exchange(signJWT(t, e.idpKey, "JWT", claims()))
		if res.status != 200 || jsonField(t, res.body, "token_type") != "Bearer" {
			t.Fatalf("exchange: %d %s", res.status, res.body)
		}
		token := jsonField(t, res.body, "access_token")
		if api := e.api("GET", "/api/v1/Owners", token, ""); api.status != 200 || strings.TrimSpace(api.body) != "[]" {
			t.Errorf("API as the external user: %d %q", api.status, api.body)
		}
		users := e.api("GET", "/api/v1/Owners/{o1}/IdentityProviders/acme.idp/Users", e.token("admin"), "")
		if users.status != 200 || !strings.Contains(users.body, `"ipUserId":"acme-user-7"`) {
			t.Errorf("the user was not provisioned: %d %s", users.status, users.body)
		}
		wire := func(t time.Time) string { return time.Unix(t.Unix(), 0).UTC().Format(keyward.WireTimeLayout) }
		foreign, err := rsa.GenerateKey(rand.Reader, 2048)
		e.must(err)
		for name, tc := range map[string]struct{ token, description string }{
			"Expired": {signJWT(t, e.idpKey, "JWT", claims("iat", now.Add(-2*time.Hour).Unix(), "exp", now.Add(-time.Hour).Unix())),
				"the subject_token expired at " + wire(now.Add(-time.Hour))},
			"NotYetValid": {signJWT(t, e.idpKey, "JWT", claims("nbf", now.Add(time.Hour).Unix())),
				"the subject_token is not valid before " + wire(now.Add(time.Hour))},
			"IssuedInTheFuture": {signJWT(t, e.idpKey, "JWT", claims("iat", now.Add(10*time.Minute).Unix())),
				"the subject_token was issued in the future, at " + wire(now.Add(10*time.Minute))},
			"AlgNone":    {unsignedJWT(t, claims()), "the subject_token is unsigned (alg none)"},
			"ForeignKey": {signJWT(t, foreign, "JWT", claims()), "the subject_token signature does not verify with the public key of the identity provider 'acme.idp'"},
			"OtherClient": {signJWT(t, e.idpKey, "JWT", claims(oauth.ExchangeClientIDClaim, "someone-else")),
				"the subject_token was issued for the client 'someone-else', not for '" + e.clientIDs["mobile"] + "'"},
		} {
			t.Run(name, func(t *testing.T) {
				res := exchange(tc.token)
				want := `{"error":"invalid_grant","error_description":"` + tc.description + `"}`
				if res.status != 400 || res.body != want {
					t.Errorf("got %d %s\nwant 400 %s", res.status, res.body, want)
				}
			})
		}
	})
}

func TestSignUpAndVerification(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		b := e.browser(t)
		signup := func(email, password string) htmlPage {
			form := b.do(http.MethodGet, "/account/signup", nil).Form(t, "signup")
			form.Set("email", email)
			form.Set("password", password)
			return b.do(http.MethodPost, "/account/signup", form)
		}
		res := signup("quinn@example.com", "quinn's password")
		if res.Status != 200 || res.Text("message") != "This server has no mail relay, so no e-mail was sent. The verification link for quinn@example.com is printed on the server's console (its standard error output), where whoever runs the server can copy it. Open it to verify your address, then sign in." {
			t.Fatalf("sign-up: %d %q\n%s", res.Status, res.Text("message"), res.Body)
		}
		mailed := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(e.base) + `/account/verify\?token=\S+$`).FindString(e.console.String())
		if !strings.HasPrefix(e.console.String(), "---- e-mail to quinn@example.com, not sent: no mail relay is configured (--smtp-url) ----\n") || mailed == "" {
			t.Fatalf("the console shows no plain verification link: %q", e.console.String())
		}
		if res := signup("QUINN@example.com", "another password"); res.Status != 400 || res.Text("error") != "This e-mail address is already in use by another account." {
			t.Errorf("sign-up with a taken address: %d %q", res.Status, res.Text("error"))
		}
		if res := b.login("/account/login", "quinn@example.com", "quinn's password"); res.Status != 403 {
			t.Errorf("sign-in before verification: %d %q", res.Status, res.Text("error"))
		}
		var out bytes.Buffer
		code := cli.Run(context.Background(), []string{"admin", "user", "verification-link", "--db", e.m.Config.DB, "--issuer", e.base,
			"--email", "quinn@example.com", "--json"}, cli.Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }})
		if code != 0 {
			t.Fatalf("keyward admin user verification-link: exit %d: %s", code, out.String())
		}
		link := jsonField(t, out.String(), "link")
		if !strings.HasPrefix(link, e.base+"/account/verify?token=") {
			t.Fatalf("link %q", link)
		}
		for _, link := range []string{mailed, link} { // the console's link and a fresh one both work
			if res := b.do(http.MethodGet, link, nil); res.Status != 200 || res.Text("message") != "Your e-mail address quinn@example.com is verified. You can sign in now." {
				t.Fatalf("verification with %s: %d %q", link, res.Status, res.Text("message"))
			}
		}
		if res := b.login("/account/login", "quinn@example.com", "quinn's password"); res.Status != http.StatusSeeOther || res.Location() != e.base+"/account" {
			t.Errorf("sign-in after verification: %d %q %q", res.Status, res.Location(), res.Text("error"))
		}
	})
}

// browserTools returns node and the e2e directory with playwright-core installed. Locally a
// machine without them skips the browser test; in CI (KEYWARD_REQUIRE_POSTGRES=1) it fails.
func browserTools(t *testing.T) (node, dir string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	node, nodeErr := exec.LookPath("node")
	var missing []string
	if nodeErr != nil {
		missing = append(missing, "node (Debian package nodejs)")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		missing = append(missing, "/usr/bin/chromium (Debian package chromium)")
	}
	for _, pkg := range []string{"playwright-core", "axe-core"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			missing = append(missing, "e2e/node_modules/"+pkg+" (run npm ci --prefix e2e)")
		}
	}
	if len(missing) > 0 {
		msg := "the browser test needs " + strings.Join(missing, ", ")
		if os.Getenv("KEYWARD_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node, dir
}

// callbackApp is the client's redirect endpoint: it records what the browser brought.
type callbackApp struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []callbackHit
	path string
}

type callbackHit struct {
	Method string
	Params url.Values
}

func newCallbackApp(t *testing.T) *callbackApp {
	c := &callbackApp{path: "/cb"}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != c.path { // the browser's /favicon.ico
			http.NotFound(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.got = append(c.got, callbackHit{Method: r.Method, Params: r.Form})
		c.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>Client</title><p id="received">received</p>`)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *callbackApp) last(t *testing.T) callbackHit {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.got) == 0 {
		t.Fatal("the client's redirect endpoint was never reached")
	}
	return c.got[len(c.got)-1]
}

// browserResult is what e2e/authorize.mjs prints.
type browserResult struct {
	LoginTitle  string   `json:"loginTitle"`
	LoginLang   string   `json:"loginLang"`
	LoginError  string   `json:"loginError"`
	ConsentText string   `json:"consentText"`
	Scopes      []string `json:"scopes"`
	LogoShown   bool     `json:"logoShown"`
	FinalURL    string   `json:"finalURL"`
	FinalText   string   `json:"finalText"`
	Apps        []string `json:"apps"`
	Question    string   `json:"question"`
	Token       fetched  `json:"token"`
	Userinfo    fetched  `json:"userinfo"`
}

// fetched is what the page's script could read of a cross-origin response.
type fetched struct {
	Status int            `json:"status"`
	Body   map[string]any `json:"body"`
}

// runBrowser runs one scenario of e2e/authorize.mjs in a headless Chromium.
func runBrowser(t *testing.T, node, dir string, scenario map[string]any) browserResult {
	t.Helper()
	// KEYWARD_E2E_SCREENSHOTS keeps the screenshots of the pages for a person to look at.
	scenario["screenshotDir"] = cmp.Or(os.Getenv("KEYWARD_E2E_SCREENSHOTS"), t.TempDir())
	scenario["userDataDir"] = t.TempDir()
	arg, err := json.Marshal(scenario)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "authorize.mjs"), string(arg))
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node authorize.mjs: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var res browserResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("node authorize.mjs printed %q: %v\nstderr: %s", stdout.String(), err, stderr.String())
	}
	return res
}

// TestBrowser drives the sign-in and consent pages in a headless Chromium.
func TestBrowser(t *testing.T) {
	node, dir := browserTools(t)
	e := newAuthEnv(t, newFixture(t, sqlstore.SQLite))
	app := newCallbackApp(t)
	e.addClient(t, keyward.ClientCreate{Name: "Browser App", Public: true, GrantTypes: []string{keyward.GrantAuthorizationCode},
		Scopes: authScopes, RedirectURIs: []string{app.srv.URL + app.path}, LogoURL: "https://web.example/logo.png"})
	cfg := &oauth2.Config{ClientID: e.clientIDs["browser"], RedirectURL: app.srv.URL + app.path, Scopes: authScopes,
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/connect/authorize", TokenURL: e.base + "/connect/token", AuthStyle: oauth2.AuthStyleInParams}}
	scenario := func(name, authURL, password string) map[string]any {
		return map[string]any{"scenario": name, "authorizeURL": authURL, "email": patEmail, "password": password, "callbackPrefix": app.srv.URL}
	}
	wantScopes := []string{"read:owneraccounts", "write:owneraccounts", "offline_access"}

	t.Run("QueryResponse", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		state := "c3RhdGU+/w=="
		res := runBrowser(t, node, dir, scenario("allow", cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), patPassword))
		got := []any{res.LoginTitle, res.LoginLang, res.ConsentText, res.Scopes, res.LogoShown, res.FinalText}
		want := []any{"Sign in", "en", "Browser App wants to access your Keyward account.", wantScopes, true, "received"}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
		hit := app.last(t)
		if hit.Method != http.MethodGet || hit.Params.Get("state") != state || hit.Params.Get("iss") != e.base {
			t.Fatalf("callback %+v", hit)
		}
		tok, err := cfg.Exchange(context.Background(), hit.Params.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if res := e.api("GET", "/api/v1/Owners", tok.AccessToken, ""); res.status != 200 {
			t.Errorf("API with the browser's token: %d %s", res.status, res.body)
		}
	})
	t.Run("RememberedConsent", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		res := runBrowser(t, node, dir, scenario("remembered", cfg.AuthCodeURL("again", oauth2.S256ChallengeOption(verifier)), patPassword))
		hit := app.last(t)
		if res.FinalText != "received" || hit.Params.Get("state") != "again" {
			t.Fatalf("result %+v, callback %+v", res, hit)
		}
		if _, err := cfg.Exchange(context.Background(), hit.Params.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
			t.Error(err)
		}
	})
	askAgain := oauth2.SetAuthURLParam("prompt", "consent") // the consent is remembered from here on
	t.Run("FormPostResponse", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		authURL := cfg.AuthCodeURL("fp+state", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", "form_post"), askAgain)
		res := runBrowser(t, node, dir, scenario("allow", authURL, patPassword))
		if res.FinalText != "received" {
			t.Fatalf("the form_post page did not reach the client: %+v", res)
		}
		hit := app.last(t)
		if hit.Method != http.MethodPost || hit.Params.Get("state") != "fp+state" {
			t.Fatalf("callback %+v", hit)
		}
		if _, err := cfg.Exchange(context.Background(), hit.Params.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
			t.Error(err)
		}
	})
	t.Run("Deny", func(t *testing.T) {
		res := runBrowser(t, node, dir, scenario("deny", cfg.AuthCodeURL("d", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), askAgain), patPassword))
		hit := app.last(t)
		if res.FinalText != "received" || hit.Params.Get("error") != "access_denied" || hit.Params.Get("state") != "d" {
			t.Errorf("result %+v, callback %+v", res, hit)
		}
	})
	t.Run("SinglePageAppReadsTokens", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		sc := scenario("allow", cfg.AuthCodeURL("spa", oauth2.S256ChallengeOption(verifier), askAgain), patPassword)
		sc["tokenURL"], sc["userinfoURL"] = e.base+"/connect/token", e.base+"/connect/userinfo"
		sc["tokenForm"] = map[string]string{"grant_type": "authorization_code", "client_id": cfg.ClientID, "redirect_uri": cfg.RedirectURL, "code_verifier": verifier}
		res := runBrowser(t, node, dir, sc)
		got := []any{res.Token.Status, res.Token.Body["token_type"], res.Token.Body["scope"], res.Userinfo.Status, res.Userinfo.Body["email"]}
		want := []any{200, "Bearer", "read:owneraccounts write:owneraccounts offline_access", 200, patEmail}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("what the page's script read (-want +got):\n%s", diff)
		}
	})
	t.Run("WithdrawOnAccountPage", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		runBrowser(t, node, dir, scenario("allow", cfg.AuthCodeURL("w", oauth2.S256ChallengeOption(verifier), askAgain), patPassword))
		tok, err := cfg.Exchange(context.Background(), app.last(t).Params.Get("code"), oauth2.VerifierOption(verifier))
		e.must(err)
		sc := scenario("withdraw", e.base+"/account", patPassword)
		sc["clientId"] = cfg.ClientID
		res := runBrowser(t, node, dir, sc)
		got := []any{res.Apps, res.Question, res.FinalText}
		want := []any{[]string{cfg.ClientID}, "Browser App will lose access to your Keyward account at once: the sign-ins and tokens you gave it stop working. If you use it again, it will ask for your permission again.",
			"Browser App can no longer access your Keyward account."}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("account pages (-want +got):\n%s", diff)
		}
		if res := e.api("GET", "/api/v1/Owners", tok.AccessToken, ""); res.status != 401 {
			t.Errorf("API after the withdrawal: %d %s", res.status, res.body)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		res := runBrowser(t, node, dir, scenario("wrong-password", cfg.AuthCodeURL("w", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "not the password"))
		if res.LoginError != "The e-mail address or the password is wrong." {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("GermanLocale", func(t *testing.T) {
		sc := scenario("wrong-password", cfg.AuthCodeURL("g", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "nicht das Passwort")
		sc["locale"] = "de-DE"
		res := runBrowser(t, node, dir, sc)
		got := []string{res.LoginTitle, res.LoginLang, res.LoginError}
		want := []string{"Anmelden", "de", "Die E-Mail-Adresse oder das Passwort ist falsch."}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("sign-in page in a German browser (-want +got):\n%s", diff)
		}
	})
}
