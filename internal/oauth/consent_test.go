package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

// webRequest is an authorization request of the web client for the scopes.
func webRequest(scope string, kv ...string) string {
	return authorizeURL(append([]string{"client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", scope}, kv...)...)
}

// askedScopes lists the data-scope items of a consent page.
func askedScopes(p *page) []string {
	var scopes []string
	for _, part := range strings.Split(p.Body, `<li data-scope="`)[1:] {
		scopes = append(scopes, part[:strings.IndexByte(part, '"')])
	}
	return scopes
}

// wantCodeRedirect checks that the server answered the request with a code at once.
func wantCodeRedirect(t *testing.T, p *page) {
	t.Helper()
	loc := p.Redirect(t)
	if p.Status != http.StatusFound || loc.Scheme+"://"+loc.Host+loc.Path != webCallback || len(loc.Query().Get("code")) != 43 {
		t.Errorf("got %d %s, want a code for the client", p.Status, loc)
	}
}

func TestConsentIsRemembered(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	b.code(webRequest("read:owneraccounts write:grants"))
	t.Run("SameScopesAskNothing", func(t *testing.T) {
		wantCodeRedirect(t, b.get(webRequest("read:owneraccounts write:grants", "state", "s")))
	})
	t.Run("ReadImpliedByGrantedWrite", func(t *testing.T) {
		wantCodeRedirect(t, b.get(webRequest("read:grants")))
	})
	t.Run("PromptNoneWhenGranted", func(t *testing.T) {
		wantCodeRedirect(t, b.get(webRequest("read:owneraccounts", "prompt", "none")))
	})
	t.Run("OnlyNewScopesAreAsked", func(t *testing.T) {
		p := b.consent(webRequest("read:owneraccounts openid email"))
		got := []any{askedScopes(p), p.Text("intro")}
		want := []any{[]string{"openid", "email"}, "Web App, which you have allowed before, now also asks for access to your Keyward account."}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if res := b.decide(p, "allow"); res.Status != http.StatusSeeOther {
			t.Fatalf("allow: %d", res.Status)
		}
		wantCodeRedirect(t, b.get(webRequest("openid email write:grants")))
	})
	t.Run("PromptConsentAsksForAll", func(t *testing.T) {
		p := b.consent(webRequest("read:owneraccounts email", "prompt", "consent"))
		if diff := cmp.Diff([]string{"read:owneraccounts", "email"}, askedScopes(p)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("DenyKeepsWhatWasGranted", func(t *testing.T) {
		b.decide(b.consent(webRequest("read:owneraccounts offline_access")), "deny")
		wantCodeRedirect(t, b.get(webRequest("read:owneraccounts")))
		if p := b.consent(webRequest("offline_access")); !cmp.Equal(askedScopes(p), []string{"offline_access"}) {
			t.Errorf("asked %v after a denial", askedScopes(p))
		}
	})
	t.Run("PerUserAndClient", func(t *testing.T) {
		f.store.SetUserVerified(context.Background(), bobID)
		bob := f.signIn(t, bobID)
		if got := askedScopes(bob.consent(webRequest("read:owneraccounts"))); !cmp.Equal(got, []string{"read:owneraccounts"}) {
			t.Errorf("bob was asked for %v", got)
		}
		spa := authorizeURL("client_id", "spa", "redirect_uri", spaCallback, "response_type", "code", "scope", "read:core:entities",
			"code_challenge", challengeOf(verifier), "code_challenge_method", "S256")
		b.consent(spa)
	})
}

func TestWithdrawConsent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		b := f.signIn(t, aliceID)
		tr := f.webTokens(t) // its own browser session of alice: consented to web with offline_access
		pending := b.code(webRequest("read:owneraccounts")).Get("code")
		account := b.get("/account")
		if !strings.Contains(account.Body, `<li data-client="web"><strong>Web App</strong>`) || !cmp.Equal(askedScopes(account), []string{"read:owneraccounts", "offline_access"}) {
			t.Fatalf("the account page does not list the web client:\n%s", account.Body)
		}
		confirm := b.get("/account/applications/withdraw?client_id=web")
		form := confirm.Form(t, "withdraw")
		if confirm.Status != 200 || form.Get("client_id") != "web" || !strings.HasPrefix(confirm.Text("question"), "Web App will lose access to your Keyward account at once") {
			t.Fatalf("confirmation page %d:\n%s", confirm.Status, confirm.Body)
		}
		t.Run("WithoutCSRFToken", func(t *testing.T) {
			res := b.post("/account/applications/withdraw", url.Values{"client_id": {"web"}})
			if res.Status != 400 || res.Text("message") != "This form has expired or was sent from another site. Please try again." {
				t.Errorf("got %d %q", res.Status, res.Text("message"))
			}
		})
		t.Run("UnknownApplication", func(t *testing.T) {
			res := b.get("/account/applications/withdraw?client_id=spa")
			if res.Status != 404 || res.Text("message") != "This application has no access to your account." {
				t.Errorf("got %d %q", res.Status, res.Text("message"))
			}
		})
		t.Run("SignedOut", func(t *testing.T) {
			res := f.newBrowser(t).get("/account/applications/withdraw?client_id=web")
			if want := f.issuer() + "/account/login?return=%2Faccount"; res.Status != 302 || res.Header.Get("Location") != want {
				t.Errorf("got %d %s", res.Status, res.Header.Get("Location"))
			}
		})
		done := b.post("/account/applications/withdraw", form)
		if done.Status != 200 || done.Text("message") != "Web App can no longer access your Keyward account." {
			t.Fatalf("withdrawal: %d %q", done.Status, done.Text("message"))
		}
		revokedAt := t0.Format(keyward.WireTimeLayout)
		t.Run("AccessTokenRefused", func(t *testing.T) {
			_, err := f.srv.VerifyAccessToken(ctx, tr.AccessToken, "")
			checkVerifyErr(t, err, wantErr{keyward.ErrInvalidToken, "the token's authorization was revoked at " + revokedAt})
		})
		t.Run("RefreshTokenRefused", func(t *testing.T) {
			status, _, body := f.postForm(t, "/connect/token", basic("web", webSecret), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}})
			if want := oauthErr("invalid_grant", "the refresh token was revoked at "+revokedAt); status != 400 || body != want {
				t.Errorf("got %d %s", status, body)
			}
		})
		t.Run("PendingCodeRefused", func(t *testing.T) {
			status, _, body := f.postForm(t, "/connect/token", basic("web", webSecret), codeForm(pending))
			if want := oauthErr("invalid_grant", "the authorization was revoked at "+revokedAt); status != 400 || body != want {
				t.Errorf("got %d %s", status, body)
			}
		})
		t.Run("AskedAgain", func(t *testing.T) {
			if p := b.get("/account"); p.Text("no-apps") != "You have not authorized any application." {
				t.Errorf("account page after the withdrawal:\n%s", p.Body)
			}
			b.consent(webRequest("read:owneraccounts"))
		})
	})
}
