package oauth_test

import (
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore"
)

// TestRefusedPresentationsWarnOnce: a reused code or refresh token, and one presented by
// another client, is logged once, though its transaction runs twice (sqltest.Open's store on
// PostgreSQL runs every transaction twice, as after a conflict).
func TestRefusedPresentationsWarnOnce(t *testing.T) {
	store := openStore(t, sqlstore.Postgres)
	addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
	clk, box, logs := apitest.NewClock(t0), &outbox{}, &apitest.Output{}
	f := startServer(t, store, clk, box, func(issuer string) oauth.Config {
		cfg := fixtureConfig(t, issuer, store, clk, box)
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
		return cfg
	})
	b := f.signIn(t, aliceID)
	webAuth := basic("web", webSecret)
	code := func() string {
		return b.code(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts offline_access")).Get("code")
	}
	refresh := func(token string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
	}
	refused := func(t *testing.T, form url.Values, auth, wantBody, warning string) {
		t.Helper()
		before := strings.Count(logs.String(), warning)
		status, _, body := f.postForm(t, "/connect/token", auth, form)
		if want := oauthErr("invalid_grant", wantBody); status != 400 || body != want {
			t.Fatalf("got %d %s, want 400 %s", status, body, want)
		}
		if n := strings.Count(logs.String(), warning) - before; n != 1 {
			t.Errorf("%q logged %d times, want once", warning, n)
		}
	}

	t.Run("ReusedCode", func(t *testing.T) {
		c := code()
		f.mustTokens(t, webAuth, codeForm(c))
		refused(t, codeForm(c), webAuth, "the authorization code was used already; the tokens issued for it are revoked",
			"oauth: authorization code reused; revoking its token family")
	})
	t.Run("CodeOfAnotherClient", func(t *testing.T) {
		c := code()
		refused(t, codeForm(c), basic("code", codeSecret), "the authorization code was issued to another client",
			"oauth: authorization code presented by another client")
		f.mustTokens(t, webAuth, codeForm(c))
	})
	t.Run("ReusedRefreshToken", func(t *testing.T) {
		first := f.mustTokens(t, webAuth, codeForm(code()))
		f.mustTokens(t, webAuth, refresh(first.RefreshToken))
		refused(t, refresh(first.RefreshToken), webAuth, "the refresh token was used already; the tokens issued for it are revoked",
			"oauth: refresh token reused; revoking its token family")
	})
	t.Run("RefreshTokenOfAnotherClient", func(t *testing.T) {
		first := f.mustTokens(t, webAuth, codeForm(code()))
		refused(t, refresh(first.RefreshToken), basic("code", codeSecret), "the refresh token was issued to another client",
			"oauth: refresh token presented by another client")
		f.mustTokens(t, webAuth, refresh(first.RefreshToken))
	})
}
