package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// clockLeeway tolerates clock differences between the nodes and the clients of a cluster.
const clockLeeway = 30 * time.Second

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

// verifyJWT verifies an access token's signature and type (token.Keys.Verify), then its claims.
func (s *Server) verifyJWT(ctx context.Context, jwt string) (*accessClaims, error) {
	var claims accessClaims
	if err := s.keys.Verify(ctx, accessToken, jwt, &claims); err != nil {
		return nil, err
	}
	if err := s.checkClaims(&claims); err != nil {
		return nil, err
	}
	return &claims, nil
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
