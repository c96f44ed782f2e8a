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
// including a token whose user no longer exists. Other errors are server faults. For a request
// on owner account ownerID (not ""), the principal carries the user's role there, read in the
// same statement as the token's checks.
func (s *Server) VerifyAccessToken(ctx context.Context, token, ownerID string) (*keyward.Principal, error) {
	st, claims, err := s.checkToken(ctx, token, ownerID)
	if err != nil {
		return nil, err
	}
	p := keyward.TokenPrincipal(st.User, claims.ClientID, splitScope(claims.Scope))
	if ownerID != "" {
		p.WithRole(ownerID, st.Role, st.AccountVersion)
	}
	return p, nil
}

// verifyToken verifies token and loads its subject.
func (s *Server) verifyToken(ctx context.Context, token string) (*keyward.User, *accessClaims, error) {
	st, claims, err := s.checkToken(ctx, token, "")
	if err != nil {
		return nil, nil, err
	}
	return st.User, claims, nil
}

// checkToken verifies token's signature and claims, then reads its subject and standing in one
// statement (Store.CheckAccessToken) and refuses a token that no longer stands.
func (s *Server) checkToken(ctx context.Context, token, ownerID string) (*keyward.TokenStanding, *accessClaims, error) {
	claims, err := s.verifyJWT(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.store.CheckAccessToken(ctx, keyward.TokenCheck{UserID: claims.Subject, ClientID: claims.ClientID, Family: claims.Family,
		JTI: claims.ID, OwnerID: ownerID})
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, nil, invalidToken("the token's subject %s is no longer a user", claims.Subject)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: load token subject %s: %w", claims.Subject, err)
	}
	if err := checkStanding(claims, st); err != nil {
		return nil, nil, err
	}
	// from here on (the API, introspection, userinfo) the token has the scopes its client still has
	claims.Scope = strings.Join(allowedScopes(splitScope(claims.Scope), st.ClientScopes), " ")
	return st, claims, nil
}

// checkStanding refuses a revoked token: a token of a family is revoked with its family (code or
// refresh token reuse, revocation, a withdrawn consent), so its family row decides, and a family
// that no longer exists was deleted with its client; a token without one (client credentials)
// is revoked by its jti.
func checkStanding(c *accessClaims, st *keyward.TokenStanding) error {
	switch {
	case c.Family != "" && !st.FamilyExists:
		return invalidToken("the token's authorization no longer exists")
	case c.Family != "" && st.FamilyRevokedAt != nil:
		return invalidToken("the token's authorization was revoked at %s", wireTime(st.FamilyRevokedAt.Time))
	case c.Family == "" && st.Revoked:
		return invalidToken("the token was revoked")
	case st.ClientScopes == nil:
		return invalidToken("the token's client %s no longer exists", c.ClientID)
	}
	return nil
}

// allowedScopes are the token's scopes that its client is still allowed: a scope taken from the
// client's registration applies to the tokens already issued, at their next request.
func allowedScopes(token, client []string) []string {
	c := &keyward.Client{Scopes: client}
	allowed := make([]string, 0, len(token))
	for _, s := range token {
		if c.AllowsScope(s) {
			allowed = append(allowed, s)
		}
	}
	return allowed
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
