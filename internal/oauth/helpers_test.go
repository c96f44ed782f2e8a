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
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
)

// memStore is an in-memory oauth.Store. It hands out copies, so that the server cannot change
// what a test set up. It embeds keyward.Tx only to be handed to InTx callbacks: the methods the
// server uses are implemented in authstore_test.go, any other one panics.
type memStore struct {
	keyward.Tx

	mu            sync.Mutex
	tx            sync.Mutex // serialises InTx
	clients       map[string]*keyward.Client
	users         map[string]*keyward.User
	keys          []*keyward.SigningKey
	failClients   error // returned by FindClientByID when set
	failKeys      error // returned by FindSigningKeys when set
	findKeysCalls int

	auth authTables
}

func newMemStore() *memStore {
	return &memStore{clients: map[string]*keyward.Client{}, users: map[string]*keyward.User{}, auth: newAuthTables()}
}

func (m *memStore) FindClientByID(_ context.Context, id string) (*keyward.Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failClients != nil {
		return nil, m.failClients
	}
	c, ok := m.clients[id]
	if !ok {
		return nil, keyward.ErrNotFound.WithDetails("client %q does not exist", id)
	}
	cp := *c
	return &cp, nil
}

func (m *memStore) FindUserByID(_ context.Context, id string) (*keyward.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return nil, keyward.ErrNotFound.WithDetails("user %q does not exist", id)
	}
	cp := *u
	return &cp, nil
}

func (m *memStore) CreateSigningKey(_ context.Context, k *keyward.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *k
	m.keys = append(m.keys, &cp)
	return nil
}

func (m *memStore) FindSigningKeys(context.Context) ([]*keyward.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.findKeysCalls++
	if m.failKeys != nil {
		return nil, m.failKeys
	}
	list := make([]*keyward.SigningKey, len(m.keys))
	for i, k := range m.keys {
		cp := *k
		list[i] = &cp
	}
	return list, nil
}

func (m *memStore) addClient(c *keyward.Client) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clients[c.ID] = c
}

func (m *memStore) addUser(u *keyward.User) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.users[u.ID] = u
}

func (m *memStore) deleteUser(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.users, id)
}

func (m *memStore) storedKeys() []*keyward.SigningKey {
	keys, _ := m.FindSigningKeys(context.Background())
	return keys
}

// clock is a settable Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

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

// seed fills a store with the fixture's clients, users, identity provider and one signing key.
func seed(m *memStore) {
	seedAuth(m)
	m.keys = append(m.keys, &keyward.SigningKey{ID: "kid-1", Algorithm: "RS256", PrivateKeyPEM: testKeyPEM(), CreatedAt: keyward.NewTime(t0.Add(-time.Hour))})
	m.addClient(&keyward.Client{ID: "svc", SecretHash: oauth.HashSecret(svcSecret), GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: svcScopes, ServiceUserID: ptr(svcUserID)})
	m.addClient(&keyward.Client{ID: specialID, SecretHash: oauth.HashSecret(specialSecret), GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: []string{keyward.ScopeReadLogs}, ServiceUserID: ptr(specialUserID)})
	m.addClient(&keyward.Client{ID: "code", SecretHash: oauth.HashSecret(codeSecret), GrantTypes: []string{keyward.GrantAuthorizationCode}, Scopes: svcScopes, RedirectURIs: []string{"https://app.example/cb"}})
	m.addClient(&keyward.Client{ID: "public", Public: true, GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: svcScopes, ServiceUserID: ptr(svcUserID)})
	m.addClient(&keyward.Client{ID: "nouser", SecretHash: oauth.HashSecret(svcSecret), GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: svcScopes})
	m.addUser(&keyward.User{ID: svcUserID, Email: keyward.ServiceUserEmail("svc"), Kind: keyward.UserService, Verified: true})
	m.addUser(&keyward.User{ID: specialUserID, Email: keyward.ServiceUserEmail(specialID), Kind: keyward.UserService, Verified: true})
}

// fixture is a running authorization server over a seeded memStore.
type fixture struct {
	srv      *oauth.Server
	http     *httptest.Server
	store    *memStore
	clock    *clock
	accounts *fakeAccounts
	mail     *fakeMailer
}

// issuer is the issuer of the fixture, the base URL of its HTTP server.
func (f *fixture) issuer() string { return f.http.URL }

func (f *fixture) tokenURL() string { return f.http.URL + "/connect/token" }

// newFixture starts a server over a seeded store. Its issuer is the httptest URL, http://.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	store := newMemStore()
	seed(store)
	return startFixture(t, store, &clock{t: t0})
}

func startFixture(t *testing.T, store *memStore, clk *clock) *fixture {
	t.Helper()
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	accounts, mail := &fakeAccounts{store: store}, &fakeMailer{}
	srv, err := oauth.New(context.Background(), oauth.Config{Issuer: ts.URL, Now: clk.Now, Logger: discardLogger(), Accounts: accounts, Mailer: mail}, store)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h = srv.Handler()
	return &fixture{srv: srv, http: ts, store: store, clock: clk, accounts: accounts, mail: mail}
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

// forge signs claims as a compact JWS. key is an *rsa.PrivateKey for RS256 or a []byte for HS256;
// alg "none" produces an unsigned token. kid and typ are left out when empty.
func forge(t *testing.T, alg, kid, typ string, key any, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	if alg == "none" {
		header, _ := json.Marshal(map[string]string{"alg": "none", "typ": typ})
		enc := base64.RawURLEncoding
		return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "."
	}
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: key, KeyID: kid}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
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
