package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
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
		h, err := oauth.HashPassword(alicePassword)
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

// seedAuth adds the people, the browser and mobile clients and the identity provider.
func seedAuth(m *memStore) {
	m.addUser(&keyward.User{ID: aliceID, Email: "alice@example.com", Kind: keyward.UserPerson, Verified: true, PasswordHash: passwordHash()})
	m.addUser(&keyward.User{ID: bobID, Email: "bob@example.com", Kind: keyward.UserPerson, PasswordHash: passwordHash()})
	m.addClient(&keyward.Client{ID: "web", Name: "Web App", LogoURL: "https://app.example/logo.png", SecretHash: oauth.HashSecret(webSecret),
		GrantTypes: []string{keyward.GrantAuthorizationCode}, Scopes: slices.Concat(webScopes, keyward.OpenIDScopes), RedirectURIs: []string{webCallback, webCallback + "?tenant=1"}})
	m.addClient(&keyward.Client{ID: "spa", Name: "Single Page", Public: true, GrantTypes: []string{keyward.GrantAuthorizationCode},
		Scopes: spaScopes, RedirectURIs: []string{spaCallback}})
	m.addClient(&keyward.Client{ID: "mobile", Public: true, GrantTypes: []string{keyward.GrantTokenExchange},
		Scopes: []string{"register:mobiles", "read:user", "handle:keys", keyward.ScopeOfflineAccess}})
	m.addClient(&keyward.Client{ID: "ccweb", SecretHash: oauth.HashSecret(svcSecret), GrantTypes: []string{keyward.GrantClientCredentials},
		Scopes: svcScopes, RedirectURIs: []string{webCallback}, ServiceUserID: ptr(svcUserID)})
	der := publicPEMString(&idpKey().PublicKey)
	m.auth.idps[idpID] = keyward.IdentityProvider{ID: idpID, OwnerAccountID: "o1", Issuer: idpIssuer, Audience: "tapkey_api", PublicKeyPEM: der}
}

// fakeAccounts creates users in the memStore, as the service would.
type fakeAccounts struct {
	store *memStore
	mu    sync.Mutex
	n     int
}

func (a *fakeAccounts) SignUp(ctx context.Context, email, hash string) (*keyward.User, error) {
	if _, err := a.store.FindUserByEmail(ctx, email); err == nil {
		return nil, keyward.ErrEmailAddressInUse.WithDetails("the address %q belongs to another user", email)
	}
	a.mu.Lock()
	a.n++
	id := fmt.Sprintf("0190f0a0-0000-7000-8000-1000000000%02d", a.n)
	a.mu.Unlock()
	u := &keyward.User{ID: id, Email: email, Kind: keyward.UserPerson, PasswordHash: hash}
	a.store.addUser(u)
	cp := *u
	return &cp, nil
}

func (a *fakeAccounts) ProvisionIPUser(_ context.Context, ipID, ipUserID string) (*keyward.IPUser, error) {
	id := "ext-" + ipID + "-" + ipUserID
	if _, err := a.store.FindUserByID(context.Background(), id); err != nil {
		a.store.addUser(&keyward.User{ID: id, Kind: keyward.UserExternal})
	}
	return &keyward.IPUser{ID: id, IPID: ipID, IPUserID: ipUserID, Status: keyward.IPUserStatusNormal}, nil
}

// fakeMailer records what the server sends.
type fakeMailer struct {
	mu   sync.Mutex
	sent []mailMessage
}

type mailMessage struct{ To, Subject, Body string }

func (m *fakeMailer) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mailMessage{to, subject, body})
	return nil
}

func (m *fakeMailer) messages() []mailMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailMessage(nil), m.sent...)
}

// browser is a cookie-keeping HTTP client that does not follow redirects. It sends lang as
// Accept-Language when it is set.
type browser struct {
	t    *testing.T
	f    *fixture
	c    *http.Client
	lang string
}

func (f *fixture) newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn gives the browser a session of the user without a password check.
func (f *fixture) signIn(t *testing.T, userID string) *browser {
	t.Helper()
	b := f.newBrowser(t)
	raw := fmt.Sprintf("session-of-%s-%d", userID, time.Now().UnixNano())
	f.store.CreateSession(context.Background(), &keyward.Session{Hash: oauth.HashSecret(raw), UserID: userID,
		CreatedAt: keyward.NewTime(f.clock.Now()), ExpiresAt: keyward.NewTime(f.clock.Now().Add(oauth.SessionLifetime))})
	u, _ := url.Parse(f.http.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "kw_session", Value: raw, Path: "/"}})
	return b
}

// page is a response.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, target string, form url.Values) *page {
	b.t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = b.f.http.URL + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return &page{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (b *browser) get(target string) *page { b.t.Helper(); return b.do(http.MethodGet, target, nil) }
func (b *browser) post(target string, form url.Values) *page {
	b.t.Helper()
	return b.do(http.MethodPost, target, form)
}

var inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// hidden returns the hidden fields of the page's form with the given id.
func (p *page) hidden(t *testing.T, formID string) url.Values {
	t.Helper()
	start := strings.Index(p.body, `id="`+formID+`"`)
	if start < 0 {
		t.Fatalf("no form %q in\n%s", formID, p.body)
	}
	end := strings.Index(p.body[start:], "</form>")
	v := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(p.body[start:start+end], -1) {
		v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// text returns the unescaped text of the element with the id, "" when there is none.
func (p *page) text(id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// location returns the Location header, parsed.
func (p *page) location(t *testing.T) *url.URL {
	t.Helper()
	u, err := url.Parse(p.header.Get("Location"))
	if err != nil || p.header.Get("Location") == "" {
		t.Fatalf("status %d, Location %q: %v\n%s", p.status, p.header.Get("Location"), err, p.body)
	}
	return u
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
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="consent"`) {
		b.t.Fatalf("expected the consent page, got %d %s\n%s", p.status, p.header.Get("Location"), p.body)
	}
	return p
}

// decide posts the consent form with decision allow or deny.
func (b *browser) decide(p *page, decision string) *page {
	b.t.Helper()
	form := p.hidden(b.t, "consent")
	form.Set("decision", decision)
	return b.post("/connect/consent", form)
}

// code runs the authorization request in a signed-in browser, allows it on the consent page
// unless the user has consented already, and returns the redirect's parameters.
func (b *browser) code(target string) url.Values {
	b.t.Helper()
	res := b.get(target)
	if res.status == http.StatusOK && strings.Contains(res.body, `id="consent"`) {
		res = b.decide(res, "allow")
	}
	if res.status != http.StatusSeeOther && res.status != http.StatusFound {
		b.t.Fatalf("authorization: status %d\n%s", res.status, res.body)
	}
	return res.location(b.t).Query()
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
