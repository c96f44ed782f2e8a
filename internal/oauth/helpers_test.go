package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/mail"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
	"github.com/keyward/keyward/internal/token"
)

// t0 is the start of every test clock; tokens minted at t0 show these instants in their claims.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// The registered clients of the fixture.
const (
	svcSecret     = "s3cret-for-svc"
	specialID     = "svc:special+id"
	specialSecret = "p@ss:w+rd/= ü"
	codeSecret    = "s3cret-for-code"
	svcUserID     = "0190f0a0-0000-7000-8000-000000000001"
	specialUserID = "0190f0a0-0000-7000-8000-000000000002"
)

var (
	svcScopes = []string{keyward.ScopeReadOwnerAccounts, keyward.ScopeReadCoreEntities, keyward.ScopeWriteGrants}
	// testKeyPEM is one RSA key shared by the fixtures, so that not every test pays for generating one.
	testKeyPEM = sync.OnceValue(func() string { return newKeyPEM() })
)

func newKeyPEM() string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func ptr[T any](v T) *T { return &v }

// must fails a fixture step that cannot fail in a working store.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// openStore returns a fresh, migrated store on engine holding the fixture's owner account,
// users, clients and identity provider, but no signing key.
func openStore(t *testing.T, engine sqlstore.Engine) *sqlstore.DB {
	t.Helper()
	store := sqltest.Open(t, engine)
	seed(store)
	return store
}

// seed stores the fixture's users, clients and identity provider.
func seed(store *sqlstore.DB) {
	ctx, created := context.Background(), keyward.NewTime(t0.Add(-24*time.Hour))
	users := []*keyward.User{
		{ID: svcUserID, Email: keyward.ServiceUserEmail("svc"), Kind: keyward.UserService, Verified: true},
		{ID: specialUserID, Email: keyward.ServiceUserEmail(specialID), Kind: keyward.UserService, Verified: true},
		{ID: aliceID, Email: "alice@example.com", Kind: keyward.UserPerson, Verified: true, PasswordHash: passwordHash()},
		{ID: bobID, Email: "bob@example.com", Kind: keyward.UserPerson, PasswordHash: passwordHash()},
	}
	d := store.Direct()
	for _, u := range users {
		u.CreatedAt = created
		must(d.CreateUser(ctx, u))
	}
	for _, c := range fixtureClients() {
		c.CreatedAt = created
		must(d.CreateClient(ctx, c))
	}
	o1 := &keyward.Owner{ID: "o1", Name: "Owner One", Active: true, Plan: "free", CreatedAt: created}
	must(store.InNewOwnerTx(ctx, o1, func(tx keyward.OwnerTx) error {
		return tx.CreateIdentityProvider(ctx, &keyward.IdentityProvider{ID: idpID, OwnerAccountID: o1.ID, Issuer: idpIssuer, Audience: "tapkey_api",
			PublicKeyPEM: publicPEMString(&idpKey().PublicKey), CreatedAt: created})
	}))
}

// fixtureClients are the registered clients: service clients for client credentials, the
// browser clients web (confidential) and spa (public, PKCE), and the token-exchange client mobile.
func fixtureClients() []*keyward.Client {
	return []*keyward.Client{
		{ID: "svc", SecretHash: token.Hash(svcSecret), GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: svcScopes, ServiceUserID: apitest.Ptr(svcUserID)},
		{ID: specialID, SecretHash: token.Hash(specialSecret), GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: []string{keyward.ScopeReadLogs}, ServiceUserID: apitest.Ptr(specialUserID)},
		{ID: "code", SecretHash: token.Hash(codeSecret), GrantTypes: []string{keyward.GrantAuthorizationCode}, Scopes: svcScopes, RedirectURIs: []string{"https://app.example/cb"}},
		{ID: "public", Public: true, GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: svcScopes, ServiceUserID: apitest.Ptr(svcUserID)},
		{ID: "nouser", SecretHash: token.Hash(svcSecret), GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: svcScopes},
		{ID: "web", Name: "Web App", LogoURL: "https://app.example/logo.png", SecretHash: token.Hash(webSecret),
			GrantTypes: []string{keyward.GrantAuthorizationCode}, Scopes: slices.Concat(webScopes, keyward.OpenIDScopes), RedirectURIs: []string{webCallback, webCallback + "?tenant=1"}},
		{ID: "spa", Name: "Single Page", Public: true, GrantTypes: []string{keyward.GrantAuthorizationCode}, Scopes: spaScopes, RedirectURIs: []string{spaCallback}},
		{ID: "mobile", Public: true, GrantTypes: []string{keyward.GrantTokenExchange}, Scopes: []string{"register:mobiles", "read:user", "handle:keys", keyward.ScopeOfflineAccess}},
		{ID: "ccweb", SecretHash: token.Hash(svcSecret), GrantTypes: []string{keyward.GrantClientCredentials},
			Scopes: svcScopes, RedirectURIs: []string{webCallback}, ServiceUserID: apitest.Ptr(svcUserID)},
	}
}

// addKey stores a signing key.
func addKey(store *sqlstore.DB, id, privatePEM string, created time.Time) {
	must(store.Direct().CreateSigningKey(context.Background(), &keyward.SigningKey{ID: id, Algorithm: "RS256", PrivateKeyPEM: privatePEM, CreatedAt: keyward.NewTime(created)}))
}

// fixture is a running authorization server over a seeded store, with the real service as its
// Accounts.
type fixture struct {
	srv   *oauth.Server
	http  *httptest.Server
	store *sqlstore.DB
	clock *apitest.Clock
	mail  *outbox
}

// issuer is the issuer of the fixture, the base URL of its HTTP server.
func (f *fixture) issuer() string { return f.http.URL }

func (f *fixture) tokenURL() string { return f.http.URL + "/connect/token" }

// newFixture starts a server over a seeded SQLite store with the signing key kid-1. Its issuer
// is the httptest URL, http://.
func newFixture(t *testing.T) *fixture { return newFixtureOn(t, sqlstore.SQLite) }

// newFixtureOn is newFixture on engine.
func newFixtureOn(t *testing.T, engine sqlstore.Engine) *fixture {
	t.Helper()
	store := openStore(t, engine)
	addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
	return startFixture(t, store, apitest.NewClock(t0))
}

// forEachEngine runs fn with a fixture on every engine, for the tests about what the store
// must settle (single use, rotation, revocation, limits).
func forEachEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { fn(t, newFixtureOn(t, engine)) })
	}
}

// fixtureConfig is the server configuration of a fixture: the real service over store on the
// clock, as the token exchange's Accounts and behind the pages, which mail into box.
func fixtureConfig(t *testing.T, issuer string, store *sqlstore.DB, clk *apitest.Clock, box mail.Mailer) oauth.Config {
	t.Helper()
	svc := service.New(store, service.Config{Now: clk.Now})
	pages := newPages(t, account.Config{Issuer: issuer, Now: clk.Now, Logger: discardLogger(), Accounts: svc, Mailer: box}, store)
	return oauth.Config{Issuer: issuer, Now: clk.Now, Logger: discardLogger(), Accounts: svc, Pages: pages}
}

// newPages returns the account pages that cfg configures.
func newPages(t *testing.T, cfg account.Config, store *sqlstore.DB) *account.Server {
	t.Helper()
	pages, err := account.New(context.Background(), cfg, store)
	if err != nil {
		t.Fatalf("account.New: %v", err)
	}
	return pages
}

func startFixture(t *testing.T, store *sqlstore.DB, clk *apitest.Clock) *fixture {
	t.Helper()
	box := &outbox{}
	return startServer(t, store, clk, box, func(issuer string) oauth.Config { return fixtureConfig(t, issuer, store, clk, box) })
}

// startServer serves the server that cfg configures for the httptest URL.
func startServer(t *testing.T, store *sqlstore.DB, clk *apitest.Clock, box *outbox, cfg func(issuer string) oauth.Config) *fixture {
	t.Helper()
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	srv, err := oauth.New(context.Background(), cfg(ts.URL), store)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h = srv.Handler()
	return &fixture{srv: srv, http: ts, store: store, clock: clk, mail: box}
}

// updateClient changes a registered client, as the owner's CLI would.
func (f *fixture) updateClient(id string, change func(*keyward.Client)) {
	ctx := context.Background()
	c, err := f.store.FindClientByID(ctx, id)
	must(err)
	change(c)
	must(f.store.UpdateClient(ctx, id, keyward.ClientUpdate{Scopes: c.Scopes, AllowedOrigins: c.AllowedOrigins}))
}

// revokedJTIs lists the jtis recorded as revoked.
func (f *fixture) revokedJTIs(t *testing.T) []string {
	t.Helper()
	rows, err := f.store.SQL().QueryContext(context.Background(), `SELECT jti FROM revoked_access_tokens ORDER BY jti`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var jtis []string
	for rows.Next() {
		var jti string
		if err := rows.Scan(&jti); err != nil {
			t.Fatal(err)
		}
		jtis = append(jtis, jti)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return jtis
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// postForm posts a form to path with an optional Authorization header and returns the status,
// the headers and the body without its trailing newline.
func (f *fixture) postForm(t *testing.T, path, authorization string, form url.Values) (int, http.Header, string) {
	t.Helper()
	return f.do(t, http.MethodPost, path, authorization, "application/x-www-form-urlencoded", form.Encode())
}

func (f *fixture) do(t *testing.T, method, path, authorization, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.http.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, strings.TrimSuffix(string(b), "\n")
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// mustToken gets a client_credentials token for svc through the HTTP endpoint.
func (f *fixture) mustToken(t *testing.T) string {
	t.Helper()
	status, _, body := f.postForm(t, "/connect/token", basic("svc", svcSecret), url.Values{"grant_type": {"client_credentials"}})
	if status != http.StatusOK {
		t.Fatalf("token: status %d, body %s", status, body)
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	return resp.AccessToken
}

// parsePrivateKey reads a PKCS#8 PEM RSA key.
func parsePrivateKey(t *testing.T, p string) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		t.Fatal("no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// forge signs claims as a compact JWS (see apitest.SignJWT).
func forge(t *testing.T, alg, kid, typ string, key any, claims map[string]any) string {
	t.Helper()
	return apitest.SignJWT(t, alg, kid, typ, key, claims)
}

// validClaims are the claims of a good svc token at t0 for the fixture f.
func (f *fixture) validClaims() map[string]any {
	return map[string]any{
		"iss": f.issuer(), "sub": svcUserID, "aud": []string{"tapkey_api"}, "client_id": "svc",
		"scope": "read:owneraccounts", "iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(time.Hour).Unix(), "jti": "j1",
	}
}

// with returns a copy of m with the given members set; a nil value removes the member.
func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// headerOf decodes the JOSE header of a compact JWS.
func headerOf(t *testing.T, token string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// claimsOf decodes the payload of a compact JWS without verifying it.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// serve runs one request through srv's handler in process and returns the status and body.
func serve(t *testing.T, srv *oauth.Server, method, target string, form url.Values) (int, string) {
	t.Helper()
	rec := serveRecorder(srv, method, target, form)
	return rec.Code, strings.TrimSuffix(rec.Body.String(), "\n")
}

// serveRecorder runs one request through srv's handler in process.
func serveRecorder(srv *oauth.Server, method, target string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec
}
