package token_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
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
	signed, err := keys.Sign(ctx, device, map[string]any{"sub": "lock-1", "aud": "keyward"})
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

// TestVerify_Remembered: a token verified before verifies again with the same claims, while every
// alteration of it, in its signature or its payload, is still refused: a remembered check is by
// the exact bytes.
func TestVerify_Remembered(t *testing.T) {
	keys, _ := load(t)
	ctx := context.Background()
	signed, err := keys.Sign(ctx, access, map[string]any{"sub": "u-1", "aud": "keyward"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		var got claims
		if err := keys.Verify(ctx, access, signed, &got); err != nil {
			t.Fatalf("verification %d: %v", i+1, err)
		}
		if diff := cmp.Diff(claims{Subject: "u-1", Audience: token.Audience{"keyward"}}, got); diff != "" {
			t.Errorf("claims of verification %d (-want +got):\n%s", i+1, diff)
		}
	}
	other, err := keys.Sign(ctx, access, map[string]any{"sub": "u-2", "aud": "keyward"})
	if err != nil {
		t.Fatal(err)
	}
	parts, otherParts := strings.Split(signed, "."), strings.Split(other, ".")
	changed := []byte(parts[2]) // one base64url character in the middle of the signature replaced
	if mid := len(changed) / 2; changed[mid] == 'A' {
		changed[mid] = 'B'
	} else {
		changed[mid] = 'A'
	}
	for name, altered := range map[string]string{
		"a signature character changed": parts[0] + "." + parts[1] + "." + string(changed),
		"another token's payload":       parts[0] + "." + otherParts[1] + "." + parts[2],
		"another token's signature":     parts[0] + "." + parts[1] + "." + otherParts[2],
		"its signature's end replaced":  parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-4] + "AAAA",
	} {
		var got claims
		err := keys.Verify(ctx, access, altered, &got)
		if e := keyward.ErrorOf(err); !errors.Is(err, keyward.ErrInvalidToken) || e.Details != "the token signature is invalid" {
			t.Errorf("%s: %v, want the signature refused", name, err)
		}
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
	signed, err := second.Sign(context.Background(), access, map[string]any{"sub": "u"})
	if err != nil {
		t.Fatal(err)
	}
	var c claims
	if err := first.Verify(context.Background(), access, signed, &c); err != nil || c.Subject != "u" {
		t.Errorf("first node: %v %+v", err, c)
	}
}

// kidOf is the kid of a signed token.
func kidOf(t *testing.T, signed string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(signed, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header.KeyID
}

// TestRotation: a key stored by a rotation signs on every node from their next reload on (within
// a minute), the keys before it keep verifying and stay published until RetireAfter after the
// new key's creation, and then neither verify nor appear in the JWKS.
func TestRotation(t *testing.T) {
	ctx := context.Background()
	store := sqltest.Open(t, sqlstore.SQLite)
	c := apitest.NewClock(time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC))
	first, err := token.Load(ctx, store, c.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	second, err := token.Load(ctx, store, c.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	old, err := first.Sign(ctx, access, map[string]any{"sub": "u"})
	if err != nil {
		t.Fatal(err)
	}
	oldKid := kidOf(t, old)

	c.Advance(10 * time.Second)
	next, err := token.NewSigningKey(c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSigningKey(ctx, next); err != nil {
		t.Fatal(err)
	}
	kids := func(k *token.Keys) []string {
		var ids []string
		for _, key := range k.JWKS(ctx).Keys {
			ids = append(ids, key.KeyID)
		}
		return ids
	}
	signedBy := func(k *token.Keys) string {
		t.Helper()
		signed, err := k.Sign(ctx, access, map[string]any{"sub": "u"})
		if err != nil {
			t.Fatal(err)
		}
		return kidOf(t, signed)
	}
	verifies := func(k *token.Keys, signed string) error {
		var got claims
		return k.Verify(ctx, access, signed, &got)
	}

	if got := signedBy(first); got != oldKid {
		t.Errorf("10 s after loading, first signs with %s, want the loaded %s", got, oldKid)
	}
	c.Advance(time.Minute)
	if got := signedBy(second); got != next.ID {
		t.Errorf("a minute on, second signs with %s, want the new %s", got, next.ID)
	}
	fresh, err := second.Sign(ctx, access, map[string]any{"sub": "u"})
	if err != nil {
		t.Fatal(err)
	}
	if err := verifies(first, fresh); err != nil {
		t.Errorf("first refuses the new key's token: %v", err)
	}
	if diff := cmp.Diff([]string{next.ID, oldKid}, kids(first)); diff != "" {
		t.Errorf("JWKS during the overlap (-want +got):\n%s", diff)
	}

	c.Advance(token.RetireAfter - time.Minute - 5*time.Second) // 5 s before the old key retires
	if err := verifies(second, old); err != nil {
		t.Errorf("the old key's token is refused before its key retires: %v", err)
	}
	c.Advance(2 * time.Minute)
	err = verifies(second, old)
	if e := keyward.ErrorOf(err); !errors.Is(err, keyward.ErrInvalidToken) || e.Details != `the token was signed with an unknown key (kid "`+oldKid+`")` {
		t.Errorf("the retired key's token: %v, want refused as signed with an unknown key", err)
	}
	if diff := cmp.Diff([]string{next.ID}, kids(first)); diff != "" {
		t.Errorf("JWKS after the retirement (-want +got):\n%s", diff)
	}
	if err := verifies(first, fresh); err != nil {
		t.Errorf("the new key's token is refused after the retirement: %v", err)
	}
}
