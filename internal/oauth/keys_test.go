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

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
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

func seededWithoutKeys() *memStore {
	store := newMemStore()
	seed(store)
	store.keys = nil
	return store
}

func TestNewCreatesSigningKey(t *testing.T) {
	store := seededWithoutKeys()
	f := startFixture(t, store, &clock{t: t0})
	keys := store.storedKeys()
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
	if _, err := f.srv.VerifyAccessToken(context.Background(), token); err != nil {
		t.Error(err)
	}
}

func TestSignsWithNewestPublishesAll(t *testing.T) {
	store := seededWithoutKeys()
	older := &keyward.SigningKey{ID: "kid-old", Algorithm: "RS256", PrivateKeyPEM: testKeyPEM(), CreatedAt: keyward.NewTime(t0.Add(-2 * time.Hour))}
	newer := &keyward.SigningKey{ID: "kid-new", Algorithm: "RS256", PrivateKeyPEM: newKeyPEM(), CreatedAt: keyward.NewTime(t0.Add(-time.Hour))}
	store.keys = []*keyward.SigningKey{older, newer}
	f := startFixture(t, store, &clock{t: t0})

	if kid := headerOf(t, f.mustToken(t))["kid"]; kid != "kid-new" {
		t.Errorf("signed with %v, want kid-new", kid)
	}
	if diff := cmp.Diff([]string{"kid-new", "kid-old"}, jwksKids(t, f.srv.Handler())); diff != "" {
		t.Errorf("JWKS kids (-want +got):\n%s", diff)
	}
	oldToken := forge(t, "RS256", "kid-old", "at+jwt", parsePrivateKey(t, testKeyPEM()), f.validClaims())
	if _, err := f.srv.VerifyAccessToken(context.Background(), oldToken); err != nil {
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
			store := seededWithoutKeys()
			tt.key.CreatedAt = keyward.NewTime(t0)
			store.keys = []*keyward.SigningKey{tt.key}
			f := startFixture(t, store, &clock{t: t0})
			kids := jwksKids(t, f.srv.Handler())
			if len(kids) != 1 || kids[0] == "bad" || len(store.storedKeys()) != 2 {
				t.Errorf("JWKS %v with %d stored keys; want one new key besides the bad one", kids, len(store.storedKeys()))
			}
		})
	}
	t.Run("BadBesideGood", func(t *testing.T) {
		store := newMemStore()
		seed(store)
		store.keys = append(store.keys, &keyward.SigningKey{ID: "bad", Algorithm: "RS256", PrivateKeyPEM: "garbage", CreatedAt: keyward.NewTime(t0)})
		f := startFixture(t, store, &clock{t: t0})
		if diff := cmp.Diff([]string{"kid-1"}, jwksKids(t, f.srv.Handler())); diff != "" || len(store.storedKeys()) != 2 {
			t.Errorf("JWKS (-want +got):\n%s stored %d keys, want 2", diff, len(store.storedKeys()))
		}
	})
}

func TestNewFailsWithoutKeyStore(t *testing.T) {
	store := seededWithoutKeys()
	store.failKeys = errors.New("db down")
	_, err := oauth.New(context.Background(), oauth.Config{Issuer: "http://keyward.test", Logger: discardLogger()}, store)
	if err == nil || !strings.Contains(err.Error(), "db down") {
		t.Errorf("New: %v, want the store error", err)
	}
}

func TestUnknownKidReloadsRateLimited(t *testing.T) {
	f := newFixture(t)
	newKey := newKeyPEM()
	if err := f.store.CreateSigningKey(context.Background(), &keyward.SigningKey{ID: "kid-2", Algorithm: "RS256", PrivateKeyPEM: newKey, CreatedAt: keyward.NewTime(t0)}); err != nil {
		t.Fatal(err)
	}
	fromOtherNode := forge(t, "RS256", "kid-2", "at+jwt", parsePrivateKey(t, newKey), f.validClaims())
	verify := func() error { _, err := f.srv.VerifyAccessToken(context.Background(), fromOtherNode); return err }
	calls := func() int { f.store.mu.Lock(); defer f.store.mu.Unlock(); return f.store.findKeysCalls }

	before := calls()
	if err := verify(); !errors.Is(err, keyward.ErrInvalidToken) {
		t.Fatalf("right after loading: %v, want ErrInvalidToken", err)
	}
	if calls() != before {
		t.Errorf("reloaded %d times within %s of the last load", calls()-before, 10*time.Second)
	}
	f.clock.Advance(10 * time.Second)
	if err := verify(); err != nil {
		t.Fatalf("after %s: %v", 10*time.Second, err)
	}
	if calls() != before+1 {
		t.Errorf("%d reloads, want 1", calls()-before)
	}
	bogus := forge(t, "RS256", "kid-bogus", "at+jwt", parsePrivateKey(t, newKey), f.validClaims())
	for range 3 {
		_, _ = f.srv.VerifyAccessToken(context.Background(), bogus)
	}
	if calls() != before+1 {
		t.Errorf("%d reloads after unknown kids, want still 1", calls()-before)
	}
}

func TestNodesStartingTogetherConverge(t *testing.T) {
	store := seededWithoutKeys()
	clk := &clock{t: t0}
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
			if _, err := srv.VerifyAccessToken(context.Background(), token); err != nil {
				t.Errorf("node %d rejects the token of node %d: %v", i, j, err)
			}
		}
		if got, want := len(jwksKids(t, handlers[i])), len(store.storedKeys()); got != want {
			t.Errorf("node %d publishes %d keys, want all %d", i, got, want)
		}
	}
}

func TestConfig(t *testing.T) {
	store := newMemStore()
	seed(store)
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
