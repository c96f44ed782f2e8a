package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/token"
)

// The fixture's people, browser clients and identity provider.
const (
	aliceID       = "0190f0a0-0000-7000-8000-0000000000a1"
	bobID         = "0190f0a0-0000-7000-8000-0000000000b0"
	alicePassword = "correct horse battery"
	webSecret     = "s3cret-for-web"
	webCallback   = "https://app.example/cb"
	spaCallback   = "http://127.0.0.1:8400/callback"
	idpID         = "idp.example"
	idpIssuer     = "https://idp.example"
)

var (
	// passwordHash is the Argon2 hash of alicePassword, computed once per test binary.
	passwordHash = sync.OnceValue(func() string {
		h, err := service.HashPassword(alicePassword)
		if err != nil {
			panic(err)
		}
		return h
	})
	// idpKey is the identity provider's signing key.
	idpKey = sync.OnceValue(func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	})
	webScopes = []string{keyward.ScopeReadOwnerAccounts, keyward.ScopeWriteGrants, keyward.ScopeOfflineAccess}
	spaScopes = []string{keyward.ScopeReadCoreEntities, keyward.ScopeOfflineAccess}
)

// outbox records what the server sends, in place of a mail relay.
type outbox struct {
	mu   sync.Mutex
	sent []mailMessage
}

type mailMessage struct{ To, Subject, Body string }

func (m *outbox) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mailMessage{to, subject, body})
	return nil
}

func (m *outbox) messages() []mailMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailMessage(nil), m.sent...)
}

// browser is an apitest.Browser on the fixture's server, bound to a test.
type browser struct {
	*apitest.Browser
	t *testing.T
	f *fixture
}

func (f *fixture) newBrowser(t *testing.T) *browser {
	t.Helper()
	return &browser{Browser: apitest.NewBrowser(t, f.http.URL), t: t, f: f}
}

// signIn gives the browser a session of the user without a password check.
func (f *fixture) signIn(t *testing.T, userID string) *browser {
	t.Helper()
	b := f.newBrowser(t)
	raw := fmt.Sprintf("session-of-%s-%d", userID, time.Now().UnixNano())
	must(f.store.CreateSession(context.Background(), &keyward.Session{Hash: token.Hash(raw), UserID: userID,
		CreatedAt: keyward.NewTime(f.clock.Now()), ExpiresAt: keyward.NewTime(f.clock.Now().Add(account.SessionLifetime))}))
	u, _ := url.Parse(f.http.URL)
	b.Client.Jar.SetCookies(u, []*http.Cookie{{Name: "kw_session", Value: raw, Path: "/"}})
	return b
}

// page is a response.
type page = apitest.Page

func (b *browser) get(target string) *page {
	b.t.Helper()
	return b.Do(b.t, http.MethodGet, target, nil)
}
func (b *browser) post(target string, form url.Values) *page {
	b.t.Helper()
	return b.Do(b.t, http.MethodPost, target, form)
}

// authorizeURL is /connect/authorize with the parameters given as name, value pairs.
func authorizeURL(kv ...string) string {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "/connect/authorize?" + v.Encode()
}

// consent opens the consent page of a signed-in browser.
func (b *browser) consent(target string) *page {
	b.t.Helper()
	p := b.get(target)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="consent"`) {
		b.t.Fatalf("expected the consent page, got %d %s\n%s", p.Status, p.Location(), p.Body)
	}
	return p
}

// decide posts the consent form with decision allow or deny.
func (b *browser) decide(p *page, decision string) *page {
	b.t.Helper()
	form := p.Form(b.t, "consent")
	form.Set("decision", decision)
	return b.post("/connect/consent", form)
}

// code runs the authorization request in a signed-in browser, allows it on the consent page
// unless the user has consented already, and returns the redirect's parameters.
func (b *browser) code(target string) url.Values {
	b.t.Helper()
	res := b.get(target)
	if res.Status == http.StatusOK && strings.Contains(res.Body, `id="consent"`) {
		res = b.decide(res, "allow")
	}
	if res.Status != http.StatusSeeOther && res.Status != http.StatusFound {
		b.t.Fatalf("authorization: status %d\n%s", res.Status, res.Body)
	}
	return res.Redirect(b.t).Query()
}

// tokenResponse is a decoded token endpoint success.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	IDToken      string `json:"id_token"`
}

// mustTokens posts a token request that must succeed.
func (f *fixture) mustTokens(t *testing.T, auth string, form url.Values) tokenResponse {
	t.Helper()
	status, _, body := f.postForm(t, "/connect/token", auth, form)
	if status != http.StatusOK {
		t.Fatalf("token: status %d, body %s", status, body)
	}
	var tr tokenResponse
	if err := json.Unmarshal([]byte(body), &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// oauthErr is the JSON body of an RFC 6749 error.
func oauthErr(code, description string) string {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": description})
	return string(b)
}

// webConfig is the confidential web client as golang.org/x/oauth2 sees it.
func (f *fixture) webConfig(style oauth2.AuthStyle) *oauth2.Config {
	return &oauth2.Config{ClientID: "web", ClientSecret: webSecret, RedirectURL: webCallback, Scopes: webScopes,
		Endpoint: oauth2.Endpoint{AuthURL: f.http.URL + "/connect/authorize", TokenURL: f.tokenURL(), AuthStyle: style}}
}

// spaConfig is the public PKCE client.
func (f *fixture) spaConfig() *oauth2.Config {
	return &oauth2.Config{ClientID: "spa", RedirectURL: spaCallback, Scopes: spaScopes,
		Endpoint: oauth2.Endpoint{AuthURL: f.http.URL + "/connect/authorize", TokenURL: f.tokenURL(), AuthStyle: oauth2.AuthStyleInParams}}
}
