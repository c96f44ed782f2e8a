package token_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
	"github.com/keyward/keyward/internal/token"
)

var (
	access = token.Type{Typ: "at+jwt", Name: "access tokens"}
	device = token.Type{Typ: "device+jwt", Name: "device keys"}
)

type claims struct {
	Subject  string         `json:"sub"`
	Audience token.Audience `json:"aud"`
}

func load(t *testing.T) (*token.Keys, *sqlstore.DB) {
	t.Helper()
	store := sqltest.Open(t, sqlstore.SQLite)
	keys, err := token.Load(context.Background(), store, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return keys, store
}

// TestSignVerify: a token verifies as its own type, with its claims, and as no other type.
func TestSignVerify(t *testing.T) {
	keys, _ := load(t)
	ctx := context.Background()
	signed, err := keys.Sign(device, map[string]any{"sub": "lock-1", "aud": "keyward"})
	if err != nil {
		t.Fatal(err)
	}
	var got claims
	if err := keys.Verify(ctx, device, signed, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(claims{Subject: "lock-1", Audience: token.Audience{"keyward"}}, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	err = keys.Verify(ctx, access, signed, &got)
	if e := keyward.ErrorOf(err); !errors.Is(err, keyward.ErrInvalidToken) || e.Details != `the token has typ "device+jwt"; access tokens have typ at+jwt` {
		t.Errorf("a device key verified as an access token: %v", err)
	}
}

// TestLoad_SharedKeys: a second node on the same database signs with the key the first created,
// and each verifies the other's tokens.
func TestLoad_SharedKeys(t *testing.T) {
	first, store := load(t)
	second, err := token.Load(context.Background(), store, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := store.FindSigningKeys(context.Background())
	if err != nil || len(keys) != 1 {
		t.Fatalf("%d stored keys (%v), want the one the first node created", len(keys), err)
	}
	signed, err := second.Sign(access, map[string]any{"sub": "u"})
	if err != nil {
		t.Fatal(err)
	}
	var c claims
	if err := first.Verify(context.Background(), access, signed, &c); err != nil || c.Subject != "u" {
		t.Errorf("first node: %v %+v", err, c)
	}
}
