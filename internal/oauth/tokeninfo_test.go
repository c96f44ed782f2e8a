package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

// webTokens runs the code flow for the web client with offline_access.
func (f *fixture) webTokens(t *testing.T) tokenResponse {
	t.Helper()
	b := f.signIn(t, aliceID)
	q := b.code(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts offline_access"))
	return f.mustTokens(t, basic("web", webSecret), codeForm(q.Get("code")))
}

func TestRevocation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		revoke := func(t *testing.T, auth string, form url.Values) (int, string) {
			t.Helper()
			status, _, body := f.postForm(t, "/connect/revocation", auth, form)
			return status, body
		}
		t.Run("RefreshTokenRevokesFamily", func(t *testing.T) {
			tr := f.webTokens(t)
			if status, body := revoke(t, basic("web", webSecret), url.Values{"token": {tr.RefreshToken}, "token_type_hint": {"refresh_token"}}); status != 200 || body != "" {
				t.Fatalf("got %d %q, want 200", status, body)
			}
			_, err := f.srv.VerifyAccessToken(ctx, tr.AccessToken, "")
			checkVerifyErr(t, err, wantErr{keyward.ErrInvalidToken, "the token's authorization was revoked at " + t0.Format(keyward.WireTimeLayout)})
			status, _, body := f.postForm(t, "/connect/token", basic("web", webSecret), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}})
			if want := oauthErr("invalid_grant", "the refresh token was revoked at "+t0.Format(keyward.WireTimeLayout)); status != 400 || body != want {
				t.Errorf("refresh after revocation: %d %s", status, body)
			}
		})
		t.Run("AccessTokenRevokesFamily", func(t *testing.T) {
			tr := f.webTokens(t)
			if status, _ := revoke(t, "", url.Values{"token": {tr.AccessToken}, "client_id": {"web"}, "client_secret": {webSecret}}); status != 200 {
				t.Fatalf("status %d", status)
			}
			if _, err := f.srv.VerifyAccessToken(ctx, tr.AccessToken, ""); !errors.Is(err, keyward.ErrInvalidToken) {
				t.Errorf("access token after revocation: %v", err)
			}
		})
		t.Run("PublicClient", func(t *testing.T) {
			b := f.signIn(t, aliceID)
			q := b.code(authorizeURL("client_id", "spa", "redirect_uri", spaCallback, "response_type", "code", "scope", "read:core:entities offline_access",
				"code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))
			tr := f.mustTokens(t, "", url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {spaCallback}, "client_id": {"spa"}, "code_verifier": {verifier}})
			if status, _ := revoke(t, "", url.Values{"token": {tr.RefreshToken}, "client_id": {"spa"}}); status != 200 {
				t.Fatalf("status %d", status)
			}
			if _, err := f.srv.VerifyAccessToken(ctx, tr.AccessToken, ""); !errors.Is(err, keyward.ErrInvalidToken) {
				t.Errorf("access token after revocation: %v", err)
			}
		})
		tr := f.webTokens(t)
		tests := []struct {
			name       string
			auth       string
			form       url.Values
			wantStatus int
			wantBody   string
		}{
			{"UnknownToken", basic("web", webSecret), url.Values{"token": {"garbage"}}, 200, ""},
			{"ForgedJWT", basic("web", webSecret), url.Values{"token": {"a.b.c"}}, 200, ""},
			{"AnotherClientsRefreshToken", basic("code", codeSecret), url.Values{"token": {tr.RefreshToken}}, 400, oauthErr("unauthorized_client", "the token was issued to another client")},
			{"AnotherClientsAccessToken", "", url.Values{"token": {tr.AccessToken}, "client_id": {"spa"}}, 400, oauthErr("unauthorized_client", "the token was issued to another client")},
			{"NoToken", basic("web", webSecret), url.Values{}, 400, oauthErr("invalid_request", "token is missing")},
			{"NoClient", "", url.Values{"token": {tr.RefreshToken}}, 401, oauthErr("invalid_client", "the request carries no client_id: send it in the body, or with client_secret by HTTP Basic")},
			{"WrongSecret", basic("web", "x"), url.Values{"token": {tr.RefreshToken}}, 401, oauthErr("invalid_client", "client authentication failed: unknown client_id or wrong client_secret")},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := revoke(t, tt.auth, tt.form)
				if status != tt.wantStatus || body != tt.wantBody {
					t.Errorf("got %d %s\nwant %d %s", status, body, tt.wantStatus, tt.wantBody)
				}
			})
		}
		t.Run("RefusedRevocationLeftTheTokenValid", func(t *testing.T) {
			if _, err := f.srv.VerifyAccessToken(ctx, tr.AccessToken, ""); err != nil {
				t.Error(err)
			}
		})
	})
}

func TestIntrospectFamilies(t *testing.T) {
	f := newFixture(t)
	tr := f.webTokens(t)
	introspect := func(t *testing.T, auth, token string) map[string]any {
		t.Helper()
		status, _, body := f.postForm(t, "/connect/introspect", auth, url.Values{"token": {token}})
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil || status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		return got
	}
	t.Run("RefreshTokenToItsClient", func(t *testing.T) {
		want := map[string]any{"active": true, "scope": "read:owneraccounts offline_access", "client_id": "web", "username": "alice@example.com",
			"token_type": "refresh_token", "exp": float64(t0.Add(30 * 24 * time.Hour).Unix()), "iat": float64(t0.Unix()), "sub": aliceID, "iss": f.issuer()}
		if diff := cmp.Diff(want, introspect(t, basic("web", webSecret), tr.RefreshToken)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("RefreshTokenToAnotherClient", func(t *testing.T) {
		if diff := cmp.Diff(map[string]any{"active": false}, introspect(t, basic("svc", svcSecret), tr.RefreshToken)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("AccessTokenHasFamily", func(t *testing.T) {
		if got := introspect(t, basic("svc", svcSecret), tr.AccessToken); got["active"] != true || got["sub"] != aliceID {
			t.Errorf("got %v", got)
		}
	})
	t.Run("PublicClientsCannotIntrospect", func(t *testing.T) {
		status, _, body := f.postForm(t, "/connect/introspect", "", url.Values{"token": {tr.AccessToken}, "client_id": {"spa"}})
		if want := oauthErr("invalid_client", "client_secret is missing"); status != 401 || body != want {
			t.Errorf("got %d %s", status, body)
		}
	})
	t.Run("RevokedFamilyIsInactive", func(t *testing.T) {
		f.postForm(t, "/connect/revocation", basic("web", webSecret), url.Values{"token": {tr.RefreshToken}})
		for name, token := range map[string]string{"access": tr.AccessToken, "refresh": tr.RefreshToken} {
			if diff := cmp.Diff(map[string]any{"active": false}, introspect(t, basic("web", webSecret), token)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		}
	})
}

// TestRevokedAccessTokensAreRefusedEverywhere revokes an access token of every kind and checks
// that introspection, userinfo and the verifier of the Management API all refuse it afterwards.
func TestRevokedAccessTokensAreRefusedEverywhere(t *testing.T) {
	f := newFixture(t)
	revokedAt := "the token's authorization was revoked at " + t0.Format(keyward.WireTimeLayout)
	kinds := []struct {
		name, revokeAuth string
		revokeForm       url.Values
		token            func(t *testing.T) string
		wantReason       string
	}{
		{"ClientCredentials", basic("svc", svcSecret), nil, f.mustToken, "the token was revoked"},
		{"AuthorizationCode", basic("web", webSecret), nil, func(t *testing.T) string { return f.webTokens(t).AccessToken }, revokedAt},
		{"Refresh", basic("web", webSecret), nil, func(t *testing.T) string {
			tr := f.webTokens(t)
			return f.mustTokens(t, basic("web", webSecret), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}).AccessToken
		}, revokedAt},
		{"TokenExchange", "", url.Values{"client_id": {"mobile"}}, func(t *testing.T) string {
			return f.mustTokens(t, "", exchangeForm(forge(t, "RS256", "idp-key", "JWT", idpKey(), exchangeClaims()))).AccessToken
		}, revokedAt},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			token := k.token(t)
			form := url.Values{"token": {token}}
			for name, v := range k.revokeForm {
				form[name] = v
			}
			if status, _, body := f.postForm(t, "/connect/revocation", k.revokeAuth, form); status != 200 || body != "" {
				t.Fatalf("revocation: got %d %q, want 200", status, body)
			}
			_, err := f.srv.VerifyAccessToken(context.Background(), token, "")
			checkVerifyErr(t, err, wantErr{keyward.ErrInvalidToken, k.wantReason})
			status, _, body := f.postForm(t, "/connect/introspect", basic("svc", svcSecret), url.Values{"token": {token}})
			if status != 200 || body != `{"active":false}` {
				t.Errorf("introspection: got %d %s", status, body)
			}
			status, header, body := f.do(t, http.MethodGet, "/connect/userinfo", "Bearer "+token, "", "")
			wantChallenge := `Bearer error="invalid_token", error_description="` + sanitize(k.wantReason) + `"`
			if status != 401 || body != oauthErr("invalid_token", sanitize(k.wantReason)) || header.Get("WWW-Authenticate") != wantChallenge {
				t.Errorf("userinfo: got %d %s %q", status, body, header.Get("WWW-Authenticate"))
			}
		})
	}
}

// sanitize is what error_description makes of a text: RFC 6749 §5.2 allows no quotes.
func sanitize(s string) string { return strings.ReplaceAll(s, `"`, "'") }

// TestRevokedTokensArePruned checks that a revoked client-credentials token is remembered
// until it expires, verifier leeway included, and forgotten by a later revocation.
func TestRevokedTokensArePruned(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		revoke := func(token string) {
			t.Helper()
			if status, _, body := f.postForm(t, "/connect/revocation", basic("svc", svcSecret), url.Values{"token": {token}}); status != 200 {
				t.Fatalf("revocation: %d %s", status, body)
			}
		}
		first := f.mustToken(t)
		revoke(first)
		f.clock.Advance(time.Hour + 20*time.Second) // inside the leeway the token would still verify
		second := f.mustToken(t)
		revoke(second)
		if diff := cmp.Diff([]string{claimsOf(t, first)["jti"].(string), claimsOf(t, second)["jti"].(string)}, f.revokedJTIs(t)); diff != "" {
			t.Fatalf("revoked jtis inside the leeway (-want +got):\n%s", diff)
		}
		f.clock.Advance(20 * time.Second)
		third := f.mustToken(t)
		revoke(third)
		if diff := cmp.Diff([]string{claimsOf(t, second)["jti"].(string), claimsOf(t, third)["jti"].(string)}, f.revokedJTIs(t)); diff != "" {
			t.Errorf("revoked jtis after the first expired (-want +got):\n%s", diff)
		}
	})
}
