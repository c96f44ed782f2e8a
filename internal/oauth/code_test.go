package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/keyward"
)

func TestCodeFlowWithClientLibrary(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	ctx := context.Background()
	t.Run("PublicPKCE", func(t *testing.T) {
		cfg := f.spaConfig()
		v := oauth2.GenerateVerifier()
		q := b.code(cfg.AuthCodeURL("st+/=", oauth2.S256ChallengeOption(v)))
		if q.Get("state") != "st+/=" {
			t.Errorf("state %q", q.Get("state"))
		}
		tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		got := []any{tok.TokenType, tok.Extra("expires_in"), tok.Extra("scope"), tok.RefreshToken != ""}
		if diff := cmp.Diff([]any{"Bearer", 3600.0, "read:core:entities offline_access", true}, got); diff != "" {
			t.Errorf("token (-want +got):\n%s", diff)
		}
		p, err := f.srv.VerifyAccessToken(ctx, tok.AccessToken, "")
		if err != nil {
			t.Fatal(err)
		}
		want := &keyward.Principal{UserID: aliceID, Email: "alice@example.com", Kind: keyward.PrincipalToken, UserKind: keyward.UserPerson, ClientID: "spa", Scopes: spaScopes}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Errorf("principal (-want +got):\n%s", diff)
		}
		if fam, _ := claimsOf(t, tok.AccessToken)["fam"].(string); len(fam) != 36 {
			t.Errorf("fam claim %q is not a family id", fam)
		}
	})
	for name, style := range map[string]oauth2.AuthStyle{"ConfidentialBasic": oauth2.AuthStyleInHeader, "ConfidentialBody": oauth2.AuthStyleInParams} {
		t.Run(name, func(t *testing.T) {
			cfg := f.webConfig(style)
			q := b.code(cfg.AuthCodeURL("s"))
			tok, err := cfg.Exchange(ctx, q.Get("code"))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Extra("scope") != "read:owneraccounts write:grants offline_access" || tok.RefreshToken == "" {
				t.Errorf("scope %v, refresh token %q", tok.Extra("scope"), tok.RefreshToken)
			}
			// The library refreshes an expired token by itself; the new one is rotated.
			expired := &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
			fresh, err := cfg.TokenSource(ctx, expired).Token()
			if err != nil {
				t.Fatal(err)
			}
			if fresh.RefreshToken == tok.RefreshToken || fresh.AccessToken == tok.AccessToken {
				t.Error("refresh did not rotate the tokens")
			}
		})
	}
	t.Run("ConfidentialWithPKCE", func(t *testing.T) {
		cfg := f.webConfig(oauth2.AuthStyleInHeader)
		v := oauth2.GenerateVerifier()
		q := b.code(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
		if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("NoOfflineAccessNoRefreshToken", func(t *testing.T) {
		cfg := f.webConfig(oauth2.AuthStyleInHeader)
		cfg.Scopes = []string{keyward.ScopeReadOwnerAccounts}
		tok, err := cfg.Exchange(ctx, b.code(cfg.AuthCodeURL("s")).Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken != "" {
			t.Errorf("refresh token %q issued without offline_access", tok.RefreshToken)
		}
	})
}

// codeForm is a token request redeeming a code of the web client.
func codeForm(code string, kv ...string) url.Values {
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webCallback}}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
			continue
		}
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestCodeGrantErrors(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	webAuth := basic("web", webSecret)
	webCode := func(kv ...string) string {
		base := []string{"client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts"}
		return b.code(authorizeURL(append(base, kv...)...)).Get("code")
	}
	spaCode := func() string {
		return b.code(authorizeURL("client_id", "spa", "redirect_uri", spaCallback, "response_type", "code", "scope", "read:core:entities",
			"code_challenge", challengeOf(verifier), "code_challenge_method", "S256")).Get("code")
	}
	spaForm := func(code string, kv ...string) url.Values {
		v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {spaCallback}, "client_id": {"spa"}, "code_verifier": {verifier}}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
				continue
			}
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name       string
		auth       string
		form       func() url.Values
		wantStatus int
		wantBody   string
	}{
		{"UnknownCode", webAuth, func() url.Values { return codeForm("nope") }, 400, oauthErr("invalid_grant", "the authorization code is unknown")},
		{"MissingCode", webAuth, func() url.Values { return codeForm("") }, 400, oauthErr("invalid_request", "code is missing")},
		{"WrongSecret", basic("web", "wrong"), func() url.Values { return codeForm(webCode()) }, 401, oauthErr("invalid_client", "client authentication failed: unknown client_id or wrong client_secret")},
		{"ConfidentialWithoutSecret", "", func() url.Values { return codeForm(webCode(), "client_id", "web") }, 401, oauthErr("invalid_client", "client_secret is missing")},
		{"PublicSendsSecret", basic("spa", "guess"), func() url.Values { return spaForm(spaCode(), "client_id", "") }, 401, oauthErr("invalid_client", "client authentication failed: unknown client_id or wrong client_secret")},
		{"OtherClientsCode", basic("code", codeSecret), func() url.Values { return codeForm(webCode()) }, 400, oauthErr("invalid_grant", "the authorization code was issued to another client")},
		{"PublicClientPresentsConfidentialCode", "", func() url.Values { return spaForm(webCode(), "redirect_uri", webCallback) }, 400, oauthErr("invalid_grant", "the authorization code was issued to another client")},
		{"ClientWithoutCodeGrant", basic("svc", svcSecret), func() url.Values { return codeForm(webCode()) }, 400, oauthErr("unauthorized_client", "the client 'svc' is not registered for the authorization_code grant")},
		{"RedirectMissing", webAuth, func() url.Values { return codeForm(webCode(), "redirect_uri", "") }, 400, oauthErr("invalid_request", "redirect_uri is missing; send the redirect_uri of the authorization request")},
		{"RedirectDiffers", webAuth, func() url.Values { return codeForm(webCode(), "redirect_uri", webCallback+"?tenant=1") }, 400, oauthErr("invalid_grant", "the redirect_uri '"+webCallback+"?tenant=1' differs from the one of the authorization request")},
		{"VerifierMissing", "", func() url.Values { return spaForm(spaCode(), "code_verifier", "") }, 400, oauthErr("invalid_grant", "code_verifier is missing; the authorization request had a code_challenge")},
		{"VerifierWrong", "", func() url.Values { return spaForm(spaCode(), "code_verifier", verifier+"x") }, 400, oauthErr("invalid_grant", "code_verifier does not match the code_challenge of the authorization request")},
		{"VerifierMalformed", "", func() url.Values { return spaForm(spaCode(), "code_verifier", "short") }, 400, oauthErr("invalid_grant", "code_verifier must have 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)")},
		{"VerifierWithoutChallenge", webAuth, func() url.Values { return codeForm(webCode(), "code_verifier", verifier) }, 400, oauthErr("invalid_grant", "code_verifier was sent, but the authorization request had no code_challenge")},
		{"ChallengeWithoutVerifierConfidential", webAuth, func() url.Values {
			return codeForm(webCode("code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))
		}, 400, oauthErr("invalid_grant", "code_verifier is missing; the authorization request had a code_challenge")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.postForm(t, "/connect/token", tt.auth, tt.form())
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("got %d %s\nwant %d %s", status, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	t.Run("Expired", func(t *testing.T) {
		code := webCode()
		f.clock.Advance(61 * time.Second)
		defer f.clock.Advance(-61 * time.Second)
		status, _, body := f.postForm(t, "/connect/token", webAuth, codeForm(code))
		want := oauthErr("invalid_grant", "the authorization code expired at "+t0.Add(time.Minute).Format(keyward.WireTimeLayout)+"; codes are valid for 60 seconds")
		if status != 400 || body != want {
			t.Errorf("got %d %s\nwant 400 %s", status, body, want)
		}
	})
	t.Run("JustInTime", func(t *testing.T) {
		code := webCode()
		f.clock.Advance(60 * time.Second)
		defer f.clock.Advance(-60 * time.Second)
		f.mustTokens(t, webAuth, codeForm(code))
	})
	t.Run("FailedAttemptSpendsTheCode", func(t *testing.T) {
		code := webCode()
		f.postForm(t, "/connect/token", webAuth, codeForm(code, "redirect_uri", "https://app.example/other"))
		status, _, body := f.postForm(t, "/connect/token", webAuth, codeForm(code))
		if want := oauthErr("invalid_grant", "the authorization code was used already; the tokens issued for it are revoked"); status != 400 || body != want {
			t.Errorf("got %d %s, want 400 %s", status, body, want)
		}
	})
	t.Run("OtherClientDoesNotSpendTheCode", func(t *testing.T) {
		code := webCode()
		f.postForm(t, "/connect/token", basic("code", codeSecret), codeForm(code))
		f.mustTokens(t, webAuth, codeForm(code))
	})
	t.Run("ScopeRemovedFromClientSinceAuthorization", func(t *testing.T) {
		code := webCode("scope", "read:owneraccounts write:grants")
		f.updateClient("web", func(c *keyward.Client) {
			c.Scopes = []string{keyward.ScopeReadOwnerAccounts, keyward.ScopeOfflineAccess}
		})
		defer f.updateClient("web", func(c *keyward.Client) { c.Scopes = webScopes })
		status, _, body := f.postForm(t, "/connect/token", webAuth, codeForm(code))
		if want := oauthErr("invalid_scope", "the client 'web' is no longer allowed the scope 'write:grants'"); status != 400 || body != want {
			t.Errorf("got %d %s, want 400 %s", status, body, want)
		}
	})
}

func TestCodeReuseRevokesFamily(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		b := f.signIn(t, aliceID)
		webAuth := basic("web", webSecret)
		code := b.code(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts offline_access")).Get("code")
		first := f.mustTokens(t, webAuth, codeForm(code))
		if _, err := f.srv.VerifyAccessToken(context.Background(), first.AccessToken, ""); err != nil {
			t.Fatalf("first token: %v", err)
		}
		status, _, body := f.postForm(t, "/connect/token", webAuth, codeForm(code))
		if want := oauthErr("invalid_grant", "the authorization code was used already; the tokens issued for it are revoked"); status != 400 || body != want {
			t.Fatalf("reuse: got %d %s, want 400 %s", status, body, want)
		}
		_, err := f.srv.VerifyAccessToken(context.Background(), first.AccessToken, "")
		checkVerifyErr(t, err, wantErr{keyward.ErrInvalidToken, "the token's authorization was revoked at " + t0.Format(keyward.WireTimeLayout)})
		status, _, body = f.postForm(t, "/connect/token", webAuth, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}})
		if want := oauthErr("invalid_grant", "the refresh token was revoked at "+t0.Format(keyward.WireTimeLayout)); status != 400 || body != want {
			t.Errorf("refresh after reuse: got %d %s, want 400 %s", status, body, want)
		}
	})
}

func TestRefresh(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		b := f.signIn(t, aliceID)
		webAuth := basic("web", webSecret)
		ctx := context.Background()
		start := func(t *testing.T) tokenResponse {
			t.Helper()
			q := b.code(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts write:grants offline_access"))
			return f.mustTokens(t, webAuth, codeForm(q.Get("code")))
		}
		refresh := func(token string, kv ...string) url.Values {
			v := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		t.Run("RotatesInTheSameFamily", func(t *testing.T) {
			first := start(t)
			second := f.mustTokens(t, webAuth, refresh(first.RefreshToken))
			got := []any{second.TokenType, second.ExpiresIn, second.Scope, second.RefreshToken != first.RefreshToken && second.RefreshToken != "",
				claimsOf(t, second.AccessToken)["fam"] == claimsOf(t, first.AccessToken)["fam"]}
			if diff := cmp.Diff([]any{"Bearer", 3600, "read:owneraccounts write:grants offline_access", true, true}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			third := f.mustTokens(t, webAuth, refresh(second.RefreshToken))
			if _, err := f.srv.VerifyAccessToken(ctx, third.AccessToken, ""); err != nil {
				t.Error(err)
			}
		})
		t.Run("ReuseRevokesTheFamily", func(t *testing.T) {
			first := start(t)
			second := f.mustTokens(t, webAuth, refresh(first.RefreshToken))
			status, _, body := f.postForm(t, "/connect/token", webAuth, refresh(first.RefreshToken))
			if want := oauthErr("invalid_grant", "the refresh token was used already; the tokens issued for it are revoked"); status != 400 || body != want {
				t.Fatalf("got %d %s, want 400 %s", status, body, want)
			}
			for name, token := range map[string]string{"first": first.AccessToken, "second": second.AccessToken} {
				if _, err := f.srv.VerifyAccessToken(ctx, token, ""); !errors.Is(err, keyward.ErrInvalidToken) {
					t.Errorf("%s access token after reuse: %v, want ErrInvalidToken", name, err)
				}
			}
			status, _, body = f.postForm(t, "/connect/token", webAuth, refresh(second.RefreshToken))
			if want := oauthErr("invalid_grant", "the refresh token was revoked at "+t0.Format(keyward.WireTimeLayout)); status != 400 || body != want {
				t.Errorf("successor after reuse: got %d %s, want 400 %s", status, body, want)
			}
		})
		t.Run("IgnoresRedirectURIAndVerifier", func(t *testing.T) {
			first := start(t)
			f.mustTokens(t, webAuth, refresh(first.RefreshToken, "redirect_uri", "https://elsewhere.example/", "code_verifier", "whatever"))
		})
		t.Run("Narrows", func(t *testing.T) {
			first := start(t)
			narrow := f.mustTokens(t, webAuth, refresh(first.RefreshToken, "scope", "read:grants read:owneraccounts"))
			if narrow.Scope != "read:grants read:owneraccounts" || claimsOf(t, narrow.AccessToken)["scope"] != "read:grants read:owneraccounts" {
				t.Errorf("scope %q", narrow.Scope)
			}
			// The new refresh token keeps the original grant (RFC 6749 §6).
			again := f.mustTokens(t, webAuth, refresh(narrow.RefreshToken))
			if again.Scope != "read:owneraccounts write:grants offline_access" {
				t.Errorf("scope after narrowing %q", again.Scope)
			}
		})
		errCases := []struct {
			name     string
			auth     string
			kv       []string
			prepare  func()
			restore  func()
			wantCode int
			wantBody string
		}{
			{"Widen", webAuth, []string{"scope", "read:owneraccounts read:logs"}, nil, nil, 400,
				oauthErr("invalid_scope", "the scope 'read:logs' was not granted to the refresh token; a refresh may only narrow the scope")},
			{"OtherClient", basic("code", codeSecret), nil, nil, nil, 400, oauthErr("invalid_grant", "the refresh token was issued to another client")},
			{"ClientLostScope", webAuth, nil,
				func() {
					f.updateClient("web", func(c *keyward.Client) { c.Scopes = []string{"read:owneraccounts", "offline_access"} })
				},
				func() { f.updateClient("web", func(c *keyward.Client) { c.Scopes = webScopes }) },
				400, oauthErr("invalid_scope", "the client 'web' is no longer allowed the scope 'write:grants'")},
			{"ClientLostOfflineAccess", webAuth, []string{"scope", "read:owneraccounts"},
				func() {
					f.updateClient("web", func(c *keyward.Client) { c.Scopes = []string{"read:owneraccounts", "write:grants"} })
				},
				func() { f.updateClient("web", func(c *keyward.Client) { c.Scopes = webScopes }) },
				400, oauthErr("invalid_scope", "the client 'web' is no longer allowed the scope 'offline_access'")},
			{"Expired", webAuth, nil, func() { f.clock.Advance(31 * 24 * time.Hour) }, func() { f.clock.Advance(-31 * 24 * time.Hour) }, 400,
				oauthErr("invalid_grant", "the refresh token expired at "+t0.Add(30*24*time.Hour).Format(keyward.WireTimeLayout))},
		}
		for _, tt := range errCases {
			t.Run(tt.name, func(t *testing.T) {
				first := start(t)
				if tt.prepare != nil {
					tt.prepare()
					defer tt.restore()
				}
				status, _, body := f.postForm(t, "/connect/token", tt.auth, refresh(first.RefreshToken, tt.kv...))
				if status != tt.wantCode || body != tt.wantBody {
					t.Errorf("got %d %s\nwant %d %s", status, body, tt.wantCode, tt.wantBody)
				}
			})
		}
		t.Run("RefusedRefreshKeepsTheToken", func(t *testing.T) {
			first := start(t)
			f.postForm(t, "/connect/token", webAuth, refresh(first.RefreshToken, "scope", "read:logs"))
			f.mustTokens(t, webAuth, refresh(first.RefreshToken))
		})
		t.Run("Unknown", func(t *testing.T) {
			status, _, body := f.postForm(t, "/connect/token", webAuth, refresh("nope"))
			if want := oauthErr("invalid_grant", "the refresh token is unknown"); status != 400 || body != want {
				t.Errorf("got %d %s", status, body)
			}
		})
		t.Run("Missing", func(t *testing.T) {
			status, _, body := f.postForm(t, "/connect/token", webAuth, url.Values{"grant_type": {"refresh_token"}})
			if want := oauthErr("invalid_request", "refresh_token is missing"); status != 400 || body != want {
				t.Errorf("got %d %s", status, body)
			}
		})
		t.Run("PublicClientRefreshes", func(t *testing.T) {
			q := b.code(authorizeURL("client_id", "spa", "redirect_uri", spaCallback, "response_type", "code", "scope", "read:core:entities offline_access",
				"code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))
			first := f.mustTokens(t, "", url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {spaCallback}, "client_id": {"spa"}, "code_verifier": {verifier}})
			second := f.mustTokens(t, "", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}, "client_id": {"spa"}})
			if !strings.Contains(second.Scope, "read:core:entities") {
				t.Errorf("scope %q", second.Scope)
			}
		})
		if status, _, _ := f.do(t, http.MethodGet, "/connect/token", "", "", ""); status != http.StatusBadRequest {
			t.Errorf("GET /connect/token: %d", status)
		}
	})
}

// TestRedirectURIOptionalWithOneRegistered checks RFC 6749 §3.1.2.3 and §4.1.3: a plain OAuth
// request of a client with one registered redirect URI may leave redirect_uri out, and then the
// token request need not send it; sent anyway, it must be that URI.
func TestRedirectURIOptionalWithOneRegistered(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	code := func() string {
		t.Helper()
		res := b.get(authorizeURL("client_id", "spa", "response_type", "code", "scope", "read:core:entities",
			"code_challenge", challengeOf(verifier), "code_challenge_method", "S256", "state", "s"))
		if res.Status == http.StatusOK { // the first time asks for consent
			res = b.decide(res, "allow")
		}
		loc := res.Redirect(t)
		if got := loc.Scheme + "://" + loc.Host + loc.Path; got != spaCallback || loc.Query().Get("state") != "s" {
			t.Fatalf("redirected to %s", loc)
		}
		return loc.Query().Get("code")
	}
	form := func(code string, kv ...string) url.Values {
		v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"spa"}, "code_verifier": {verifier}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	t.Run("TokenRequestWithout", func(t *testing.T) {
		f.mustTokens(t, "", form(code()))
	})
	t.Run("TokenRequestWithTheRegisteredURI", func(t *testing.T) {
		f.mustTokens(t, "", form(code(), "redirect_uri", spaCallback))
	})
	t.Run("TokenRequestWithAnotherURI", func(t *testing.T) {
		status, _, body := f.postForm(t, "/connect/token", "", form(code(), "redirect_uri", "http://127.0.0.1:8400/other"))
		if want := oauthErr("invalid_grant", "the redirect_uri 'http://127.0.0.1:8400/other' differs from the one of the authorization request"); status != 400 || body != want {
			t.Errorf("got %d %s\nwant 400 %s", status, body, want)
		}
	})
	t.Run("SentInTheAuthorizationRequestStaysRequired", func(t *testing.T) {
		q := b.code(authorizeURL("client_id", "spa", "redirect_uri", spaCallback, "response_type", "code", "scope", "read:core:entities",
			"code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))
		status, _, body := f.postForm(t, "/connect/token", "", form(q.Get("code")))
		if want := oauthErr("invalid_request", "redirect_uri is missing; send the redirect_uri of the authorization request"); status != 400 || body != want {
			t.Errorf("got %d %s\nwant 400 %s", status, body, want)
		}
	})
}
