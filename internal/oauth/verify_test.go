package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
)

// wantErr is an expected verification failure: the sentinel and the exact ErrorDetails.
type wantErr struct {
	sentinel *keyward.Error
	details  string
}

func checkVerifyErr(t *testing.T, err error, want wantErr) {
	t.Helper()
	if !errors.Is(err, want.sentinel) {
		t.Fatalf("error %v, want %s", err, want.sentinel.Message)
	}
	if got := keyward.ErrorOf(err).Details; got != want.details {
		t.Errorf("details %q\nwant    %q", got, want.details)
	}
}

func TestVerifyExpiry(t *testing.T) {
	f := newFixture(t)
	token := f.mustToken(t) // minted at t0, expires at t0+1h
	exp := t0.Add(time.Hour)

	f.clock.Advance(time.Hour + 29*time.Second)
	if _, err := f.srv.VerifyAccessToken(context.Background(), token, ""); err != nil {
		t.Fatalf("29s after exp (inside the leeway): %v", err)
	}
	f.clock.Advance(2 * time.Second)
	_, err := f.srv.VerifyAccessToken(context.Background(), token, "")
	checkVerifyErr(t, err, wantErr{keyward.ErrExpiredToken, "the access token expired at " + exp.Format(keyward.WireTimeLayout)})
}

func TestVerifyMintedInThePast(t *testing.T) {
	store := openStore(t, sqlstore.SQLite)
	addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
	past := startFixture(t, store, apitest.NewClock(t0.Add(-2*time.Hour)))
	now := startFixture(t, store, apitest.NewClock(t0))
	token := past.mustToken(t)
	// The two servers have different issuers (their httptest URLs), so only the one that
	// minted the token can accept its issuer; it is its clock that matters.
	_, err := past.srv.VerifyAccessToken(context.Background(), token, "")
	if err != nil {
		t.Fatalf("verify at mint time: %v", err)
	}
	past.clock.Advance(2 * time.Hour)
	_, err = past.srv.VerifyAccessToken(context.Background(), token, "")
	checkVerifyErr(t, err, wantErr{keyward.ErrExpiredToken, "the access token expired at " + t0.Add(-time.Hour).Format(keyward.WireTimeLayout)})
	_, err = now.srv.VerifyAccessToken(context.Background(), token, "")
	checkVerifyErr(t, err, wantErr{keyward.ErrInvalidToken, `the token was issued by "` + past.issuer() + `", not by "` + now.issuer() + `"`})
}

func TestVerifyRejects(t *testing.T) {
	f := newFixture(t)
	ourKey := parsePrivateKey(t, testKeyPEM())
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := publicPEM(t, &ourKey.PublicKey)
	good := f.validClaims()
	goodToken := forge(t, "RS256", "kid-1", "at+jwt", ourKey, good)
	parts := strings.Split(goodToken, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(
		string(mustDecode(t, parts[1])), "read:owneraccounts", "write:owneraccounts", 1))) + "." + parts[2]
	invalid := func(details string) wantErr { return wantErr{keyward.ErrInvalidToken, details} }

	tests := []struct {
		name  string
		token string
		want  wantErr
	}{
		{"ForeignKeyOurKid", forge(t, "RS256", "kid-1", "at+jwt", foreign, good), invalid("the token signature is invalid")},
		{"ForeignKeyNoKid", forge(t, "RS256", "", "at+jwt", foreign, good), invalid("the token signature is invalid")},
		{"ForeignKeyUnknownKid", forge(t, "RS256", "kid-evil", "at+jwt", foreign, good), invalid(`the token was signed with an unknown key (kid "kid-evil")`)},
		{"AlgNone", forge(t, "none", "", "at+jwt", nil, good), invalid("the token is unsigned (alg none)")},
		{"HS256WithPublicKey", forge(t, "HS256", "kid-1", "at+jwt", pubPEM, good), invalid(`the token is signed with algorithm "HS256"; only RS256 is accepted`)},
		{"WrongIssuer", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "iss", "https://evil.example")),
			invalid(`the token was issued by "https://evil.example", not by "` + f.issuer() + `"`)},
		{"WrongAudience", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "aud", "other_api")),
			invalid(`the token's audience ["other_api"] does not include "tapkey_api"`)},
		{"NoAudience", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "aud", nil)),
			invalid(`the token's audience [] does not include "tapkey_api"`)},
		{"TamperedPayload", tampered, invalid("the token signature is invalid")},
		{"TypJWT", forge(t, "RS256", "kid-1", "JWT", ourKey, good), invalid(`the token has typ "JWT"; access tokens have typ at+jwt`)},
		{"NoTyp", forge(t, "RS256", "kid-1", "", ourKey, good), invalid("the token has no typ header; access tokens have typ at+jwt")},
		{"NotBeforeInFuture", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "nbf", t0.Add(time.Minute).Unix())),
			invalid("the token is not valid before " + t0.Add(time.Minute).Format(keyward.WireTimeLayout))},
		{"IssuedInFuture", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "iat", t0.Add(time.Minute).Unix())),
			invalid("the token was issued in the future, at " + t0.Add(time.Minute).Format(keyward.WireTimeLayout))},
		{"NoExp", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "exp", nil)), invalid("the token has no exp claim")},
		{"NoSub", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "sub", nil)), invalid("the token has no sub claim")},
		{"ClaimOfWrongType", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "exp", "tomorrow")),
			invalid("the token claims are malformed: they are not a JSON object with the claim types of RFC 7519")},
		{"UnknownUser", forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "sub", "gone")), invalid("the token's subject gone is no longer a user")},
		{"NotAJWT", "abc", invalid("the token is malformed: a JWT has three dot-separated parts, this one has 1")},
		{"Encrypted", "a.b.c.d.e", invalid("the token is encrypted (JWE); only signed tokens are accepted")},
		{"HeaderNotBase64", "!!.b.c", invalid("the token header is malformed: it is not base64url")},
		{"HeaderNotJSON", base64.RawURLEncoding.EncodeToString([]byte("[1]")) + ".b.c", invalid("the token header is malformed: it is not a JSON object with string members")},
		{"SignatureNotBase64", parts[0] + "." + parts[1] + ".!!", invalid("the token is malformed: it is not a compact JWS with base64url parts")},
		{"TooLong", strings.Repeat("a", 16<<10+1), invalid("the token is longer than 16384 bytes")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.srv.VerifyAccessToken(context.Background(), tt.token, "")
			checkVerifyErr(t, err, tt.want)
		})
	}
	t.Run("ControlIsAccepted", func(t *testing.T) {
		p, err := f.srv.VerifyAccessToken(context.Background(), goodToken, "")
		if err != nil || p.UserID != svcUserID {
			t.Fatalf("got %+v, %v; want the svc principal", p, err)
		}
	})
	t.Run("NoKidOurKeyIsAccepted", func(t *testing.T) {
		if _, err := f.srv.VerifyAccessToken(context.Background(), forge(t, "RS256", "", "at+jwt", ourKey, good), ""); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("AudienceAsString", func(t *testing.T) {
		if _, err := f.srv.VerifyAccessToken(context.Background(), forge(t, "RS256", "kid-1", "at+jwt", ourKey, with(good, "aud", "tapkey_api")), ""); err != nil {
			t.Fatal(err)
		}
	})
}

// TestVerifyUserDeleted: a token of ours whose subject is not (or no longer) a user is refused.
func TestVerifyUserDeleted(t *testing.T) {
	f := newFixture(t)
	const gone = "0190f0a0-0000-7000-8000-00000000dead"
	token := forge(t, "RS256", "kid-1", "at+jwt", parsePrivateKey(t, testKeyPEM()), with(f.validClaims(), "sub", gone))
	_, err := f.srv.VerifyAccessToken(context.Background(), token, "")
	checkVerifyErr(t, err, wantErr{keyward.ErrInvalidToken, "the token's subject " + gone + " is no longer a user"})
}

func publicPEM(t *testing.T, pub *rsa.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func publicPEMString(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
