// Package token signs and verifies Keyward's JSON Web Tokens and makes the opaque random tokens
// that are stored by their hash (client secrets, codes, refresh tokens, sessions).
//
// Every JWT Keyward issues is a compact RS256 JWS signed with the newest key of the database and
// carries a JOSE "typ" that names its kind (Type): access tokens are at+jwt (RFC 9068), ID tokens
// JWT, and a token is only ever verified as the one kind its caller asks for, so that no kind
// passes for another. Keys tells the verification keys apart by kid and publishes them as the
// JWKS. What the claims must say (issuer, audience, lifetime) is the caller's business.
//
// The package imports only the domain, so that the authorization server, the pages and any
// later token type (device keys) share one signer.
package token

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/keyward/keyward/internal/keyward"
)

// MaxLength bounds the work spent on a token before its signature is checked; Keyward's tokens
// are well under 2 KiB.
const MaxLength = 16 << 10

// Type is one kind of JWT: its JOSE "typ" header and how a refusal names the tokens of the kind.
type Type struct {
	Typ  string // "at+jwt"
	Name string // "access tokens"
}

// Keys signs with the newest signing key of the store and verifies with any of them. It is safe
// for concurrent use.
type Keys struct {
	ring     *keyRing
	verified verifiedTokens
}

// Load loads the signing keys of store, creating one when none is usable. Several nodes may call
// it at the same time on one database; see keyRing for how they converge.
func Load(ctx context.Context, store Store, now func() time.Time, log *slog.Logger) (*Keys, error) {
	ring := newKeyRing(store, now, log)
	if err := ring.ensure(ctx); err != nil {
		return nil, err
	}
	return &Keys{ring: ring}, nil
}

// Sign serialises claims as a compact RS256 JWS with the newest key's kid and the type's typ.
func (k *Keys) Sign(ctx context.Context, typ Type, claims any) (string, error) {
	k.ring.refresh(ctx)
	key := k.ring.signer()
	if key == nil {
		return "", errors.New("token: no signing key is loaded")
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("token: encode claims: %w", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.RS256,
		Key:       jose.JSONWebKey{Key: key.private, KeyID: key.id, Algorithm: Algorithm},
	}, (&jose.SignerOptions{}).WithType(jose.ContentType(typ.Typ)))
	if err != nil {
		return "", fmt.Errorf("token: create signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("token: sign token: %w", err)
	}
	return jws.CompactSerialize()
}

// Verify checks the token's form, header (RS256 and the type's typ), and signature by one of the
// stored keys, in that order, so that nothing read from an unverified payload decides anything,
// and then decodes the payload into claims; a token that verified before as typ, by a key still
// in service, is not checked again (verifiedTokens). An unacceptable token is
// keyward.ErrInvalidToken with the exact reason in the details; other errors are server faults.
func (k *Keys) Verify(ctx context.Context, typ Type, token string, claims any) error {
	if len(token) > MaxLength {
		return invalid("the token is longer than %d bytes", MaxLength)
	}
	k.ring.refresh(ctx)
	payload, ok := k.verified.lookup(token, typ, k.ring.holds)
	if !ok {
		header, err := parseHeader(token, typ)
		if err != nil {
			return err
		}
		keys, err := k.verificationKeys(ctx, header.Kid)
		if err != nil {
			return err
		}
		var key *signingKey
		if payload, key, err = verifySignature(token, keys); err != nil {
			return err
		}
		k.verified.remember(token, typ, key, payload)
	}
	if err := json.Unmarshal(payload, claims); err != nil {
		return invalid("the token claims are malformed: they are not a JSON object with the claim types of RFC 7519")
	}
	return nil
}

// JWKS returns the public keys as a JSON Web Key Set, reloading first when they are stale.
func (k *Keys) JWKS(ctx context.Context) jose.JSONWebKeySet { return k.ring.jwks(ctx) }

func invalid(format string, a ...any) error {
	return keyward.ErrInvalidToken.WithDetails(format, a...)
}

// header is the part of a JOSE header that decides how a token is verified.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// parseHeader reads the protected header ahead of go-jose, so that a token with a refused
// algorithm or type is rejected with the reason rather than a generic parse error. The typ may
// carry the "application/" prefix that RFC 7515 §4.1.9 lets a sender add.
func parseHeader(token string, typ Type) (*header, error) {
	parts := strings.Split(token, ".")
	switch {
	case len(parts) == 5:
		return nil, invalid("the token is encrypted (JWE); only signed tokens are accepted")
	case len(parts) != 3:
		return nil, invalid("the token is malformed: a JWT has three dot-separated parts, this one has %d", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, invalid("the token header is malformed: it is not base64url")
	}
	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, invalid("the token header is malformed: it is not a JSON object with string members")
	}
	switch {
	case strings.EqualFold(h.Alg, "none"):
		return nil, invalid("the token is unsigned (alg none)")
	case h.Alg != Algorithm:
		return nil, invalid("the token is signed with algorithm %q; only RS256 is accepted", h.Alg)
	case h.Typ == "":
		return nil, invalid("the token has no typ header; %s have typ %s", typ.Name, typ.Typ)
	case !strings.EqualFold(h.Typ, typ.Typ) && !strings.EqualFold(h.Typ, "application/"+typ.Typ):
		return nil, invalid("the token has typ %q; %s have typ %s", h.Typ, typ.Name, typ.Typ)
	}
	return &h, nil
}

// verificationKeys returns the key named by kid, or every key when the token names none; the
// caller refreshed the keys.
func (k *Keys) verificationKeys(ctx context.Context, kid string) ([]*signingKey, error) {
	if kid == "" {
		return k.ring.all(), nil
	}
	key, err := k.ring.lookup(ctx, kid)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, invalid("the token was signed with an unknown key (kid %q)", kid)
	}
	return []*signingKey{key}, nil
}

// verifySignature returns the payload of a token that one of keys signed, and that key.
func verifySignature(token string, keys []*signingKey) ([]byte, *signingKey, error) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, nil, invalid("the token is malformed: it is not a compact JWS with base64url parts")
	}
	for _, key := range keys {
		if payload, err := jws.Verify(&key.private.PublicKey); err == nil {
			return payload, key, nil
		}
	}
	return nil, nil, invalid("the token signature is invalid")
}

// Audience is the "aud" claim: always written as an array, read as a string or an array
// (RFC 7519 §4.1.3).
type Audience []string

// UnmarshalJSON reads a string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' { // the form Keyward writes
		var many []string
		if err := json.Unmarshal(b, &many); err != nil {
			return errors.New("aud is neither a string nor an array of strings")
		}
		*a = many
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}
