package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/keyward/keyward/internal/keyward"
)

const (
	// clockLeeway tolerates clock differences between the nodes and the clients of a cluster.
	clockLeeway = 30 * time.Second
	// maxTokenLength bounds the work spent on a token before its signature is checked; our
	// tokens are well under 2 KiB.
	maxTokenLength = 16 << 10
)

// VerifyAccessToken implements keyward.TokenVerifier. It accepts an RS256 JWT of type at+jwt
// signed with any stored key, issued by this issuer for the audience tapkey_api, and inside its
// validity (with clockLeeway). It returns keyward.ErrExpiredToken for an expired token and
// keyward.ErrInvalidToken, with the exact reason in the details, for any other unacceptable one,
// including a token whose user no longer exists. Other errors are server faults.
func (s *Server) VerifyAccessToken(ctx context.Context, token string) (*keyward.Principal, error) {
	user, claims, err := s.verifyToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return keyward.TokenPrincipal(user, claims.ClientID, splitScope(claims.Scope)), nil
}

// verifyToken verifies token and loads its subject.
func (s *Server) verifyToken(ctx context.Context, token string) (*keyward.User, *accessClaims, error) {
	claims, err := s.verifyJWT(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	user, err := s.store.FindUserByID(ctx, claims.Subject)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, nil, invalidToken("the token's subject %s is no longer a user", claims.Subject)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: load token subject %s: %w", claims.Subject, err)
	}
	if err := s.checkRevoked(ctx, claims); err != nil {
		return nil, nil, err
	}
	return user, claims, nil
}

// checkRevoked refuses a revoked token with one primary-key read: a token of a family is
// revoked with its family (code or refresh token reuse, revocation, a withdrawn consent), so its
// family row decides; a token without one (client credentials) is revoked by its jti.
func (s *Server) checkRevoked(ctx context.Context, c *accessClaims) error {
	if c.Family != "" {
		return s.checkFamily(ctx, c.Family)
	}
	revoked, err := s.store.IsAccessTokenRevoked(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("oauth: look up revoked token %s: %w", c.ID, err)
	}
	if revoked {
		return invalidToken("the token was revoked")
	}
	return nil
}

// checkFamily refuses a token whose family was revoked or no longer exists (its client was
// deleted).
func (s *Server) checkFamily(ctx context.Context, id string) error {
	fam, err := s.store.FindTokenFamily(ctx, id)
	if errors.Is(err, keyward.ErrNotFound) {
		return invalidToken("the token's authorization no longer exists")
	}
	if err != nil {
		return fmt.Errorf("oauth: find token family %s: %w", id, err)
	}
	if fam.RevokedAt != nil {
		return invalidToken("the token's authorization was revoked at %s", wireTime(fam.RevokedAt.Time))
	}
	return nil
}

func invalidToken(format string, a ...any) error {
	return keyward.ErrInvalidToken.WithDetails(format, a...)
}

// verifyJWT checks the token's form, header, signature and claims, in that order, so that nothing
// read from an unverified payload decides anything.
func (s *Server) verifyJWT(ctx context.Context, token string) (*accessClaims, error) {
	if len(token) > maxTokenLength {
		return nil, invalidToken("the token is longer than %d bytes", maxTokenLength)
	}
	header, err := parseHeader(token)
	if err != nil {
		return nil, err
	}
	keys, err := s.verificationKeys(ctx, header.Kid)
	if err != nil {
		return nil, err
	}
	payload, err := verifySignature(token, keys)
	if err != nil {
		return nil, err
	}
	var claims accessClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, invalidToken("the token claims are malformed: they are not a JSON object with the claim types of RFC 7519")
	}
	if err := s.checkClaims(&claims); err != nil {
		return nil, err
	}
	return &claims, nil
}

// jwsHeader is the part of a JOSE header that decides how a token is verified.
type jwsHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// parseHeader reads the protected header ahead of go-jose, so that a token with a refused
// algorithm is rejected with the reason rather than a generic parse error.
func parseHeader(token string) (*jwsHeader, error) {
	parts := strings.Split(token, ".")
	switch {
	case len(parts) == 5:
		return nil, invalidToken("the token is encrypted (JWE); only signed tokens are accepted")
	case len(parts) != 3:
		return nil, invalidToken("the token is malformed: a JWT has three dot-separated parts, this one has %d", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, invalidToken("the token header is malformed: it is not base64url")
	}
	var h jwsHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, invalidToken("the token header is malformed: it is not a JSON object with string members")
	}
	switch {
	case strings.EqualFold(h.Alg, "none"):
		return nil, invalidToken("the token is unsigned (alg none)")
	case h.Alg != algRS256:
		return nil, invalidToken("the token is signed with algorithm %q; only RS256 is accepted", h.Alg)
	case h.Typ == "":
		return nil, invalidToken("the token has no typ header; access tokens have typ at+jwt")
	case !strings.EqualFold(h.Typ, accessTokenType) && !strings.EqualFold(h.Typ, "application/"+accessTokenType):
		return nil, invalidToken("the token has typ %q; access tokens have typ at+jwt", h.Typ)
	}
	return &h, nil
}

// verificationKeys returns the key named by kid, or every key when the token names none.
func (s *Server) verificationKeys(ctx context.Context, kid string) ([]*signingKey, error) {
	if kid == "" {
		return s.keys.all(), nil
	}
	key, err := s.keys.lookup(ctx, kid)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, invalidToken("the token was signed with an unknown key (kid %q)", kid)
	}
	return []*signingKey{key}, nil
}

// verifySignature returns the payload of a token that one of keys signed.
func verifySignature(token string, keys []*signingKey) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, invalidToken("the token is malformed: it is not a compact JWS with base64url parts")
	}
	for _, key := range keys {
		if payload, err := jws.Verify(&key.private.PublicKey); err == nil {
			return payload, nil
		}
	}
	return nil, invalidToken("the token signature is invalid")
}

// checkClaims checks issuer, audience, subject and the validity window.
func (s *Server) checkClaims(c *accessClaims) error {
	now := s.cfg.Now()
	switch {
	case c.Issuer != s.cfg.Issuer:
		return invalidToken("the token was issued by %q, not by %q", c.Issuer, s.cfg.Issuer)
	case !slices.Contains(c.Audience, Audience):
		return invalidToken("the token's audience %q does not include %q", []string(c.Audience), Audience)
	case c.Subject == "":
		return invalidToken("the token has no sub claim")
	case c.Expiry == 0:
		return invalidToken("the token has no exp claim")
	case c.IssuedAt == 0:
		return invalidToken("the token has no iat claim")
	case c.ID == "":
		return invalidToken("the token has no jti claim")
	}
	if exp := time.Unix(c.Expiry, 0); now.After(exp.Add(clockLeeway)) {
		return keyward.ErrExpiredToken.WithDetails("the access token expired at %s", wireTime(exp))
	}
	if nbf := time.Unix(c.NotBefore, 0); c.NotBefore != 0 && now.Add(clockLeeway).Before(nbf) {
		return invalidToken("the token is not valid before %s", wireTime(nbf))
	}
	if iat := time.Unix(c.IssuedAt, 0); now.Add(clockLeeway).Before(iat) {
		return invalidToken("the token was issued in the future, at %s", wireTime(iat))
	}
	return nil
}

func wireTime(t time.Time) string { return t.UTC().Format(keyward.WireTimeLayout) }

// splitScope splits a space-delimited scope string (RFC 6749 §3.3), dropping empty tokens.
func splitScope(scope string) []string {
	return strings.FieldsFunc(scope, func(r rune) bool { return r == ' ' })
}
