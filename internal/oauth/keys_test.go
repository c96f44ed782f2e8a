package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// issueVia gets an svc token from handler h without a network.
func issueVia(t *testing.T, h http.Handler) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	req := httptest.NewRequest(http.MethodPost, "/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basic("svc", svcSecret))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	return resp.AccessToken
}

// jwksKids returns the kids of h's JWKS, in order.
func jwksKids(t *testing.T, h http.Handler) []string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/jwks.json", nil))
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

// storedKeys lists the signing keys in the store.
func storedKeys(t *testing.T, store *sqlstore.DB) []*keyward.SigningKey {
	t.Helper()
	keys, err := store.FindSigningKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestNewCreatesSigningKey(t *testing.T) {
	store := openStore(t, sqlstore.SQLite)
	f := startFixture(t, store, apitest.NewClock(t0))
	keys := storedKeys(t, store)
	if len(keys) != 1 {
		t.Fatalf("%d keys stored, want 1", len(keys))
	}
	k := keys[0]
	private := parsePrivateKey(t, k.PrivateKeyPEM)
	got := []any{k.Algorithm, private.N.BitLen(), strings.HasPrefix(k.PrivateKeyPEM, "-----BEGIN PRIVATE KEY-----"), len(k.ID), k.CreatedAt}
	want := []any{"RS256", 2048, true, 36, keyward.NewTime(t0)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored key (-want +got):\n%s", diff)
	}
	token := f.mustToken(t)
	if kid := headerOf(t, token)["kid"]; kid != k.ID {
		t.Errorf("token kid %v, want %s", kid, k.ID)
	}
	if _, err := f.srv.VerifyAccessToken(context.Background(), token, ""); err != nil {
		t.Error(err)
	}
}

func TestSignsWithNewestPublishesAll(t *testing.T) {
	store := openStore(t, sqlstore.SQLite)
	addKey(store, "kid-old", testKeyPEM(), t0.Add(-2*time.Hour))
	addKey(store, "kid-new", newKeyPEM(), t0.Add(-time.Hour))
	f := startFixture(t, store, apitest.NewClock(t0))

	if kid := headerOf(t, f.mustToken(t))["kid"]; kid != "kid-new" {
		t.Errorf("signed with %v, want kid-new", kid)
	}
	if diff := cmp.Diff([]string{"kid-new", "kid-old"}, jwksKids(t, f.srv.Handler())); diff != "" {
		t.Errorf("JWKS kids (-want +got):\n%s", diff)
	}
	oldToken := forge(t, "RS256", "kid-old", "at+jwt", parsePrivateKey(t, testKeyPEM()), f.validClaims())
	if _, err := f.srv.VerifyAccessToken(context.Background(), oldToken, ""); err != nil {
		t.Errorf("token signed with the older key: %v", err)
	}
}

func TestUnusableKeysAreSkipped(t *testing.T) {
	tests := []struct {
		name string
		key  *keyward.SigningKey
	}{
		{"NotPEM", &keyward.SigningKey{ID: "bad", Algorithm: "RS256", PrivateKeyPEM: "garbage"}},
		{"OtherAlgorithm", &keyward.SigningKey{ID: "bad", Algorithm: "ES256", PrivateKeyPEM: testKeyPEM()}},
		{"RSA1024", &keyward.SigningKey{ID: "bad", Algorithm: "RS256", PrivateKeyPEM: smallKeyPEM(t)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := openStore(t, sqlstore.SQLite)
			tt.key.CreatedAt = keyward.NewTime(t0)
			must(store.CreateSigningKey(context.Background(), tt.key))
			f := startFixture(t, store, apitest.NewClock(t0))
			kids := jwksKids(t, f.srv.Handler())
			if n := len(storedKeys(t, store)); len(kids) != 1 || kids[0] == "bad" || n != 2 {
				t.Errorf("JWKS %v with %d stored keys; want one new key besides the bad one", kids, n)
			}
		})
	}
	t.Run("BadBesideGood", func(t *testing.T) {
		store := openStore(t, sqlstore.SQLite)
		addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
		addKey(store, "bad", "garbage", t0)
		f := startFixture(t, store, apitest.NewClock(t0))
		if diff, n := cmp.Diff([]string{"kid-1"}, jwksKids(t, f.srv.Handler())), len(storedKeys(t, store)); diff != "" || n != 2 {
			t.Errorf("JWKS (-want +got):\n%s stored %d keys, want 2", diff, n)
		}
	})
}

// TestNewFailsWithoutKeyStore: a database that cannot be read stops New with the store's error.
func TestNewFailsWithoutKeyStore(t *testing.T) {
	store := openStore(t, sqlstore.SQLite)
	must(store.Close())
	_, err := oauth.New(context.Background(), oauth.Config{Issuer: "http://keyward.test", Logger: discardLogger()}, store)
	if err == nil || !strings.Contains(err.Error(), "load signing keys") || !strings.Contains(err.Error(), "database is closed") {
		t.Errorf("New: %v, want the store error", err)
	}
}

// TestUnknownKidReloadsRateLimited: a key another node stored is found by the first token that
// names it once the last load is unknownKeyReload old, and not before, whatever kids arrive
// meanwhile.
func TestUnknownKidReloadsRateLimited(t *testing.T) {
	f := newFixture(t)
	fromOtherNode := func(kid string) string {
		key := newKeyPEM()
		addKey(f.store, kid, key, f.clock.Now())
		return forge(t, "RS256", kid, "at+jwt", parsePrivateKey(t, key), f.validClaims())
	}
	verify := func(token string) error {
		_, err := f.srv.VerifyAccessToken(context.Background(), token, "")
		return err
	}

	second := fromOtherNode("kid-2")
	if err := verify(second); !errors.Is(err, keyward.ErrInvalidToken) {
		t.Fatalf("right after loading: %v, want ErrInvalidToken (no reload within %s of the last load)", err, 10*time.Second)
	}
	f.clock.Advance(10 * time.Second)
	if err := verify(second); err != nil {
		t.Fatalf("after %s: %v", 10*time.Second, err)
	}
	third := fromOtherNode("kid-3")
	bogus := forge(t, "RS256", "kid-bogus", "at+jwt", parsePrivateKey(t, testKeyPEM()), f.validClaims())
	for range 3 {
		_ = verify(bogus)
	}
	if err := verify(third); !errors.Is(err, keyward.ErrInvalidToken) {
		t.Errorf("a key stored after the last reload verified: %v; unknown kids reloaded the keys", err)
	}
	f.clock.Advance(10 * time.Second)
	if err := verify(third); err != nil {
		t.Errorf("after another %s: %v", 10*time.Second, err)
	}
}

// TestNodesStartingTogetherConverge starts three nodes at once on an empty key table, on every
// engine: each may create a key, and all end up accepting every node's tokens.
func TestNodesStartingTogetherConverge(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			store := openStore(t, engine)
			clk := apitest.NewClock(t0)
			const nodes = 3
			handlers := make([]http.Handler, nodes)
			servers := make([]*oauth.Server, nodes)
			var wg sync.WaitGroup
			for i := range nodes {
				wg.Go(func() {
					srv, err := oauth.New(context.Background(), oauth.Config{Issuer: "http://keyward.test", Now: clk.Now, Logger: discardLogger()}, store)
					if err != nil {
						t.Errorf("node %d: %v", i, err)
						return
					}
					servers[i], handlers[i] = srv, srv.Handler()
				})
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}
			tokens := make([]string, nodes)
			for i, h := range handlers {
				tokens[i] = issueVia(t, h)
			}
			clk.Advance(time.Minute)
			for i, srv := range servers {
				for j, token := range tokens {
					if _, err := srv.VerifyAccessToken(context.Background(), token, ""); err != nil {
						t.Errorf("node %d rejects the token of node %d: %v", i, j, err)
					}
				}
				if got, want := len(jwksKids(t, handlers[i])), len(storedKeys(t, store)); got != want {
					t.Errorf("node %d publishes %d keys, want all %d", i, got, want)
				}
			}
		})
	}
}

func TestConfig(t *testing.T) {
	store := openStore(t, sqlstore.SQLite)
	addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
	for _, issuer := range []string{"", "keyward.test", "ftp://keyward.test", "http://keyward.test/", "https://keyward.test?x=1", "https://keyward.test#f", "http://"} {
		t.Run("Issuer"+issuer, func(t *testing.T) {
			if _, err := oauth.New(context.Background(), oauth.Config{Issuer: issuer}, store); err == nil {
				t.Errorf("New accepted the issuer %q", issuer)
			}
		})
	}
	for _, issuer := range []string{"http://keyward.test", "https://keyward.test/base", "http://127.0.0.1:8080"} {
		t.Run("Issuer"+issuer, func(t *testing.T) {
			if _, err := oauth.New(context.Background(), oauth.Config{Issuer: issuer, Logger: discardLogger()}, store); err != nil {
				t.Errorf("New(%q): %v", issuer, err)
			}
		})
	}
	t.Run("NegativeLifetime", func(t *testing.T) {
		if _, err := oauth.New(context.Background(), oauth.Config{Issuer: "http://keyward.test", AccessTokenLifetime: -time.Second}, store); err == nil {
			t.Error("New accepted a negative lifetime")
		}
	})
	t.Run("Lifetime", func(t *testing.T) {
		srv, err := oauth.New(context.Background(), oauth.Config{Issuer: "http://keyward.test", AccessTokenLifetime: 10 * time.Minute, Now: func() time.Time { return t0 }, Logger: discardLogger()}, store)
		if err != nil {
			t.Fatal(err)
		}
		c := claimsOf(t, issueVia(t, srv.Handler()))
		if got, want := c["exp"], float64(t0.Add(10*time.Minute).Unix()); got != want {
			t.Errorf("exp %v, want %v", got, want)
		}
	})
}

// smallKeyPEM returns a 1024-bit PKCS#8 RSA key, too small to be used.
func smallKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
