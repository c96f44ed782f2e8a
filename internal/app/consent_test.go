package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestConsentRememberedAndWithdrawn runs on every engine: the second authorization of a client
// asks nothing, the account page lists the client, and withdrawing it there ends its tokens on
// the Management API and makes the next authorization ask again.
func TestConsentRememberedAndWithdrawn(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		cfg := e.config("web", oauth2.AuthStyleInParams)
		b := e.browser(t)
		tok, err := cfg.Exchange(ctx, b.authorize(cfg.AuthCodeURL("first")).Get("code"))
		e.must(err)
		again := b.do(http.MethodGet, cfg.AuthCodeURL("second"), nil)
		if again.Status != http.StatusFound || !strings.HasPrefix(again.Location(), webCB+"?code=") {
			t.Fatalf("second authorization: %d %s", again.Status, again.Location())
		}
		account := b.do(http.MethodGet, "/account", nil)
		if !strings.Contains(account.Body, `<li data-client="`+e.clientIDs["web"]+`"><strong>Web Portal</strong>`) {
			t.Fatalf("the account page does not list the client:\n%s", account.Body)
		}
		confirm := b.do(http.MethodGet, "/account/applications/withdraw?client_id="+e.clientIDs["web"], nil)
		done := b.do(http.MethodPost, "/account/applications/withdraw", confirm.Form(t, "withdraw"))
		if done.Status != 200 || done.Text("message") != "Web Portal can no longer access your Keyward account." {
			t.Fatalf("withdrawal: %d %q", done.Status, done.Text("message"))
		}
		if res := e.api("GET", "/api/v1/Owners", tok.AccessToken, ""); res.status != 401 {
			t.Errorf("API after the withdrawal: %d %s", res.status, res.body)
		}
		if res := e.refresh(t, cfg, tok.RefreshToken, ""); res.status != 400 || !strings.Contains(res.body, `"error":"invalid_grant"`) {
			t.Errorf("refresh after the withdrawal: %d %s", res.status, res.body)
		}
		if p := b.do(http.MethodGet, cfg.AuthCodeURL("third"), nil); p.Status != 200 || !strings.Contains(p.Body, `id="consent"`) {
			t.Errorf("after the withdrawal the consent is not asked again: %d %s", p.Status, p.Location())
		}
	})
}
