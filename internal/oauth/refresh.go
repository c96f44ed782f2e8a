package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// refreshTokenGrant rotates a refresh token (RFC 6749 §6, RFC 9700 §4.14.2): the token is spent
// and a new one in the same family comes with the new access token. Presenting a spent token
// revokes the family, because then two parties hold it. A refresh refused for its scope, the
// family or its expiry leaves the token as it was. The new refresh token is stored with the
// spend of the old one (keyward.Tokens.RotateRefreshToken). redirect_uri and code_verifier,
// which some Tapkey clients send here too (reference §2.3), are ignored.
func (s *Server) refreshTokenGrant(ctx context.Context, req *tokenRequest) (*issuedToken, error) {
	client, err := s.authenticateAnyClient(ctx, req.creds)
	if err != nil {
		return nil, err
	}
	raw := req.form.Get("refresh_token")
	if raw == "" {
		return nil, invalidRequest("refresh_token is missing")
	}
	nextRaw, next := s.newRefreshToken()
	var stored *storedTokens
	var refusal error
	var warned *warning
	err = s.store.InTx(ctx, func(tx keyward.Tx) error {
		stored, refusal, warned = nil, nil, nil // a run after a conflict starts afresh
		rt, fam, err := tx.RotateRefreshToken(ctx, token.Hash(raw), s.now(), next)
		switch {
		case errors.Is(err, keyward.ErrNotFound):
			return invalidGrant("the refresh token is unknown")
		case err != nil:
			return fmt.Errorf("oauth: rotate refresh token: %w", err)
		}
		if refusal, warned, err = s.spend(ctx, tx, "refresh token", rt.ClientID, rt.FamilyID, rt.UsedAt, client); refusal != nil || err != nil {
			return err
		}
		scopes, err := s.checkRefresh(rt, fam, client, req.form.Get("scope"))
		if err != nil {
			return err // rolled back: a refused refresh leaves the token usable, and stores no other
		}
		stored, err = s.storeTokens(ctx, tx, tokenGrant{clientID: client.ID, userID: rt.UserID, family: rt.FamilyID,
			scopes: scopes, refreshScopes: rt.Scopes, rotated: nextRaw, id: personGrant(fam, "")})
		return err
	})
	s.warn(ctx, warned)
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return s.signTokens(ctx, stored)
}

// checkRefresh checks a refresh token's family and expiry and returns the scopes of the new
// access token: those requested, which may narrow but never widen the token's scopes (RFC 6749
// §6), or all of them. The client must still be allowed each of them and offline_access: a
// change of its registration applies at once.
func (s *Server) checkRefresh(rt *keyward.RefreshToken, fam *keyward.TokenFamily, client *keyward.Client, scope string) ([]string, error) {
	switch {
	case fam.RevokedAt != nil:
		return nil, invalidGrant("the refresh token was revoked at %s", wireTime(fam.RevokedAt.Time))
	case s.cfg.Now().After(rt.ExpiresAt.Time):
		return nil, invalidGrant("the refresh token expired at %s", wireTime(rt.ExpiresAt.Time))
	}
	granted := &keyward.Client{Scopes: rt.Scopes}
	requested := splitScope(scope)
	if len(requested) == 0 {
		requested = rt.Scopes
	}
	for _, sc := range slices.Concat(requested, []string{keyward.ScopeOfflineAccess}) {
		switch {
		case !granted.AllowsScope(sc):
			return nil, invalidScope("the scope '%s' was not granted to the refresh token; a refresh may only narrow the scope", sc)
		case !client.AllowsScope(sc):
			return nil, invalidScope("the client '%s' is no longer allowed the scope '%s'", client.ID, sc)
		}
	}
	var scopes []string
	for _, sc := range requested {
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	return scopes, nil
}
