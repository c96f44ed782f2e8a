package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/keyward"
)

// oidcClient is the web client as a strict OpenID Connect library sees it: configured from the
// live discovery document, verifying ID tokens against the live JWKS on the fixture's clock.
type oidcClient struct {
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	config   *oauth2.Config
}

func (f *fixture) oidcClient(t *testing.T, scopes ...string) *oidcClient {
	t.Helper()
	provider, err := oidc.NewProvider(context.Background(), f.issuer())
	if err != nil {
		t.Fatal(err)
	}
	return &oidcClient{
		provider: provider,
		verifier: provider.Verifier(&oidc.Config{ClientID: "web", Now: f.clock.Now}),
		config:   &oauth2.Config{ClientID: "web", ClientSecret: webSecret, RedirectURL: webCallback, Endpoint: provider.Endpoint(), Scopes: scopes},
	}
}

// login runs the code flow in a signed-in browser and returns the tokens and the verified ID token.
func (c *oidcClient) login(t *testing.T, b *browser, nonce string) (*oauth2.Token, *oidc.IDToken) {
	t.Helper()
	q := b.code(c.config.AuthCodeURL("st", oidc.Nonce(nonce)))
	tok, err := c.config.Exchange(context.Background(), q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		t.Fatalf("no id_token in the token response")
	}
	idt, err := c.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("the library refuses the ID token: %v", err)
	}
	return tok, idt
}

func TestOpenIDConnectWithStrictClient(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	b := f.signIn(t, aliceID) // signed in at t0
	f.clock.Advance(5 * time.Minute)
	c := f.oidcClient(t, "openid", "email", "read:owneraccounts", "offline_access")
	tok, idt := c.login(t, b, "n-0S6_WzA2Mj")
	raw := tok.Extra("id_token").(string)
	t.Run("Claims", func(t *testing.T) {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			t.Errorf("at_hash: %v", err)
		}
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(5 * time.Minute)
		want := map[string]any{
			"iss": f.issuer(), "sub": aliceID, "aud": "web", "azp": "web", "nonce": "n-0S6_WzA2Mj", "at_hash": idt.AccessTokenHash,
			"iat": float64(now.Unix()), "exp": float64(now.Add(time.Hour).Unix()), "auth_time": float64(t0.Unix()),
			"email": "alice@example.com", "email_verified": true,
		}
		if diff := cmp.Diff(want, claims); diff != "" {
			t.Errorf("ID token claims (-want +got):\n%s", diff)
		}
		if h := headerOf(t, raw); h["typ"] != "JWT" || h["kid"] != "kid-1" || h["alg"] != "RS256" {
			t.Errorf("header %v", h)
		}
	})
	t.Run("NotAnAccessToken", func(t *testing.T) {
		_, err := f.srv.VerifyAccessToken(ctx, raw, "")
		checkVerifyErr(t, err, wantErr{keyward.ErrInvalidToken, `the token has typ "JWT"; access tokens have typ at+jwt`})
	})
	t.Run("OtherAudienceRefused", func(t *testing.T) {
		if _, err := c.provider.Verifier(&oidc.Config{ClientID: "spa", Now: f.clock.Now}).Verify(ctx, raw); err == nil {
			t.Error("an ID token for web passed as one for spa")
		}
	})
	t.Run("UserInfo", func(t *testing.T) {
		info, err := c.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatal(err)
		}
		if got := []any{info.Subject, info.Email, info.EmailVerified}; !cmp.Equal(got, []any{aliceID, "alice@example.com", true}) {
			t.Errorf("userinfo %v", got)
		}
	})
	t.Run("Refresh", func(t *testing.T) {
		f.clock.Advance(10 * time.Minute)
		fresh := f.mustTokens(t, basic("web", webSecret), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
		fresh2, err := c.verifier.Verify(ctx, fresh.IDToken)
		if err != nil {
			t.Fatalf("refreshed ID token: %v", err)
		}
		if err := fresh2.VerifyAccessToken(fresh.AccessToken); err != nil {
			t.Errorf("at_hash of the refreshed token: %v", err)
		}
		var claims map[string]any
		if err := fresh2.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		// OpenID Connect Core §12.2: the original auth_time, no nonce.
		got := []any{claims["auth_time"], claims["iat"], claims["sub"], claims["azp"], fresh2.Nonce}
		want := []any{float64(t0.Unix()), float64(t0.Add(15 * time.Minute).Unix()), aliceID, "web", ""}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("refreshed ID token (-want +got):\n%s", diff)
		}
		narrowed := f.mustTokens(t, basic("web", webSecret), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {fresh.RefreshToken}, "scope": {"read:owneraccounts"}})
		if id := narrowed.IDToken; id != "" {
			t.Errorf("a refresh without openid got an ID token")
		}
	})
	t.Run("WithoutEmailScope", func(t *testing.T) {
		tok, idt := f.oidcClient(t, "openid").login(t, b, "n2")
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if _, ok := claims["email"]; ok || claims["email_verified"] != nil {
			t.Errorf("e-mail claims without the email scope: %v", claims)
		}
		status, _, body := f.do(t, http.MethodGet, "/connect/userinfo", "Bearer "+tok.AccessToken, "", "")
		if want := `{"sub":"` + aliceID + `"}`; status != 200 || body != want {
			t.Errorf("userinfo %d %s, want %s", status, body, want)
		}
	})
	t.Run("PlainOAuthHasNoIDToken", func(t *testing.T) {
		cfg := f.webConfig(oauth2.AuthStyleInHeader)
		tok, err := cfg.Exchange(ctx, b.code(cfg.AuthCodeURL("s")).Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		if tok.Extra("id_token") != nil {
			t.Errorf("id_token %v without the openid scope", tok.Extra("id_token"))
		}
	})
}

func TestPromptLoginAndMaxAge(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	c := f.oidcClient(t, "openid")
	signIn := func(t *testing.T, loginURL string) *page {
		t.Helper()
		u, _ := url.Parse(loginURL)
		res := b.post("/account/login", b.loginForm(u.Query().Get("return"), "alice@example.com", alicePassword))
		if res.Status != http.StatusSeeOther {
			t.Fatalf("sign-in: %d %s", res.Status, res.Body)
		}
		return b.get(res.Header.Get("Location"))
	}
	request := func(kv ...string) string {
		base := []string{"client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "openid", "nonce", "n"}
		return authorizeURL(append(base, kv...)...)
	}
	first := b.get(request())
	consent := signIn(t, first.Header.Get("Location")) // signed in at t0
	if consent.Status != http.StatusOK || !strings.Contains(consent.Body, `id="consent"`) {
		t.Fatalf("no consent page after sign-in: %d", consent.Status)
	}
	f.clock.Advance(10 * time.Minute)
	wantLogin := func(t *testing.T, p *page, returnTo string) {
		t.Helper()
		want := f.issuer() + "/account/login?return=" + url.QueryEscape(returnTo)
		if p.Status != http.StatusFound || p.Header.Get("Location") != want {
			t.Errorf("got %d %s\nwant 302 %s", p.Status, p.Header.Get("Location"), want)
		}
	}
	t.Run("MaxAgeYoungEnough", func(t *testing.T) {
		if p := b.get(request("max_age", "600")); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="consent"`) {
			t.Errorf("max_age=600 after 600 s: %d %s", p.Status, p.Header.Get("Location"))
		}
	})
	t.Run("MaxAgeExceeded", func(t *testing.T) {
		wantLogin(t, b.get(request("max_age", "599", "state", "s")), request("state", "s"))
	})
	t.Run("MaxAgeExceededPromptNone", func(t *testing.T) {
		p := b.get(request("max_age", "0", "prompt", "none"))
		want := webCallback + "?" + url.Values{"error": {"login_required"}, "error_description": {"the user must sign in again (prompt=login or max_age) and prompt=none forbids asking"}, "iss": {f.issuer()}}.Encode()
		if p.Header.Get("Location") != want {
			t.Errorf("Location %s\nwant     %s", p.Header.Get("Location"), want)
		}
	})
	t.Run("SignedOutMaxAgeZeroSignsInOnce", func(t *testing.T) {
		fresh := f.newBrowser(t)
		p := fresh.get(request("max_age", "0", "prompt", "login"))
		wantLogin(t, p, request())
	})
	t.Run("PromptLoginSignsInAgain", func(t *testing.T) {
		p := b.get(request("prompt", "login consent", "max_age", "0"))
		wantLogin(t, p, request("prompt", "consent"))
		f.clock.Advance(time.Minute)
		consent := signIn(t, p.Header.Get("Location"))
		res := b.decide(consent, "allow")
		tok, err := c.config.Exchange(context.Background(), res.Redirect(t).Query().Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		idt, err := c.verifier.Verify(context.Background(), tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		if want := t0.Add(11 * time.Minute); !idt.IssuedAt.Equal(want) || authTime(t, idt) != want.Unix() {
			t.Errorf("iat %v auth_time %d, want both %v", idt.IssuedAt, authTime(t, idt), want)
		}
	})
}

func authTime(t *testing.T, idt *oidc.IDToken) int64 {
	t.Helper()
	var c struct {
		AuthTime int64 `json:"auth_time"`
	}
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c.AuthTime
}

// TestUserinfoClaimsFollowScopes checks that userinfo leaves out claims without a value and never
// calls a missing address verified, and that plain OAuth tokens keep getting the address.
func TestUserinfoClaimsFollowScopes(t *testing.T) {
	f := newFixture(t)
	exchanged := f.mustTokens(t, "", exchangeForm(forge(t, "RS256", "idp-key", "JWT", idpKey(), exchangeClaims()))).AccessToken
	tests := []struct{ name, token, want string }{
		{"IdentityProviderUser", exchanged, `{"sub":"` + f.ipUser(t, "user-42") + `"}`},
		{"PlainOAuthServiceUser", f.mustToken(t), `{"sub":"` + svcUserID + `","email":"svc@clients.invalid","email_verified":true}`},
		{"PlainOAuthPerson", f.webTokens(t).AccessToken, `{"sub":"` + aliceID + `","email":"alice@example.com","email_verified":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.do(t, http.MethodGet, "/connect/userinfo", "Bearer "+tt.token, "", "")
			if status != 200 || body != tt.want {
				t.Errorf("got %d %s\nwant 200 %s", status, body, tt.want)
			}
		})
	}
}

// TestOpenIDScopesNeedAPerson checks that the grants without a signed-in person neither take the
// OpenID scopes nor hand them out by default.
func TestOpenIDScopesNeedAPerson(t *testing.T) {
	f := newFixture(t)
	f.updateClient("svc", func(c *keyward.Client) {
		c.Scopes = append(append([]string(nil), svcScopes...), keyward.OpenIDScopes...)
	})
	status, _, body := f.postForm(t, "/connect/token", basic("svc", svcSecret), url.Values{"grant_type": {"client_credentials"}, "scope": {"read:owneraccounts openid"}})
	want := oauthErr("invalid_scope", "the scope 'openid' is not available with the client_credentials grant: it needs a person who signs in (authorization_code)")
	if status != 400 || body != want {
		t.Errorf("got %d %s\nwant 400 %s", status, body, want)
	}
	tr := f.mustTokens(t, basic("svc", svcSecret), url.Values{"grant_type": {"client_credentials"}})
	if tr.Scope != "read:owneraccounts read:core:entities write:grants" || tr.IDToken != "" {
		t.Errorf("default scope %q, id_token %q", tr.Scope, tr.IDToken)
	}
}
