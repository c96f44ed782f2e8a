package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// authorizationCodeGrant redeems an authorization code (RFC 6749 §4.1.3). A confidential client
// authenticates with its secret, a public one with its client_id and the PKCE verifier.
//
// A code is spent by the first presentation of its own client, whether that succeeds or not.
// Presenting a spent code revokes its token family: the tokens the first use issued stop
// working, since one of the two presenters is not the legitimate client (RFC 6749 §4.1.2,
// RFC 9700 §4.5). A code presented by another client is refused and stays unspent.
func (s *Server) authorizationCodeGrant(ctx context.Context, req *tokenRequest) (*issuedToken, error) {
	client, err := s.authenticateAnyClient(ctx, req.creds)
	if err != nil {
		return nil, err
	}
	if !client.AllowsGrant(keyward.GrantAuthorizationCode) {
		return nil, unauthorizedClient("the client '%s' is not registered for the authorization_code grant", client.ID)
	}
	code := req.form.Get("code")
	if code == "" {
		return nil, invalidRequest("code is missing")
	}
	var stored *storedTokens
	var refusal error
	var warned *warning
	err = s.store.InTx(ctx, func(tx keyward.Tx) error {
		stored, refusal, warned = nil, nil, nil // a run after a conflict starts afresh
		ac, err := tx.UseAuthCode(ctx, token.Hash(code), s.now())
		switch {
		case errors.Is(err, keyward.ErrNotFound):
			return invalidGrant("the authorization code is unknown")
		case err != nil:
			return fmt.Errorf("oauth: use code: %w", err)
		}
		if refusal, warned, err = s.spend(ctx, tx, "authorization code", ac.ClientID, ac.FamilyID, ac.UsedAt, client); refusal != nil || err != nil {
			return err
		}
		if refusal = s.checkCode(ac, client, req.form); refusal != nil {
			return nil
		}
		fam, err := tx.LockTokenFamily(ctx, ac.FamilyID)
		switch {
		case err != nil:
			return fmt.Errorf("oauth: find token family %s: %w", ac.FamilyID, err)
		case fam.RevokedAt != nil: // the user withdrew the consent meanwhile
			refusal = invalidGrant("the authorization was revoked at %s", wireTime(fam.RevokedAt.Time))
			return nil
		}
		stored, err = s.storeTokens(ctx, tx, tokenGrant{clientID: client.ID, userID: ac.UserID, family: ac.FamilyID,
			scopes: ac.Scopes, refreshScopes: ac.Scopes, id: personGrant(fam, ac.Nonce)})
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

// checkCode checks a code that its own client presents for the first time: its expiry, the
// redirect URI of the authorization request, PKCE and the client's scopes as they are now.
func (s *Server) checkCode(ac *keyward.AuthCode, client *keyward.Client, form url.Values) error {
	if now := s.cfg.Now(); now.After(ac.ExpiresAt.Time) {
		return invalidGrant("the authorization code expired at %s; codes are valid for %d seconds", wireTime(ac.ExpiresAt.Time), int(AuthCodeLifetime/time.Second))
	}
	switch redirect := form.Get("redirect_uri"); {
	case redirect == "" && ac.RedirectURISent:
		return invalidRequest("redirect_uri is missing; send the redirect_uri of the authorization request")
	case redirect != "" && redirect != ac.RedirectURI:
		return invalidGrant("the redirect_uri '%s' differs from the one of the authorization request", redirect)
	}
	if err := checkVerifier(ac.CodeChallenge, form.Get("code_verifier")); err != nil {
		return err
	}
	for _, sc := range ac.Scopes {
		if !client.AllowsScope(sc) {
			return invalidScope("the client '%s' is no longer allowed the scope '%s'", client.ID, sc)
		}
	}
	return nil
}

// checkVerifier enforces PKCE at the token endpoint: a code issued with a challenge needs the
// matching verifier, and a verifier for a code issued without a challenge is refused, so that an
// attacker cannot strip the challenge from the authorization request (PKCE downgrade,
// RFC 9700 §4.8.2).
func checkVerifier(challenge, verifier string) error {
	switch {
	case challenge == "" && verifier != "":
		return invalidGrant("code_verifier was sent, but the authorization request had no code_challenge")
	case challenge == "":
		return nil
	case verifier == "":
		return invalidGrant("code_verifier is missing; the authorization request had a code_challenge")
	case !validVerifier(verifier):
		return invalidGrant("code_verifier must have 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)")
	case !verifierMatches(verifier, challenge):
		return invalidGrant("code_verifier does not match the code_challenge of the authorization request")
	}
	return nil
}

// tokenGrant is what a grant issues tokens for: a user acting through a client in a family.
type tokenGrant struct {
	clientID, userID, family string
	scopes                   []string // of the access token
	refreshScopes            []string // of the refresh token, issued when they include offline_access
	// id is set for an authorization of a signed-in person; with the scope openid an ID token is
	// issued too.
	id *idTokenGrant
	// rotated is the refresh token a rotation stored already (RotateRefreshToken), "" when
	// storeTokens stores one.
	rotated string
}

// storeTokens does the part of issuing tokens that belongs in the grant's transaction tx: it
// stores a new refresh token when one is due and reads the user an ID token is due for. The
// tokens are signed by signTokens after the commit, so that the RSA signature, by far the
// costliest step, does not hold the database's write lock (on SQLite, one writer at a time).
func (s *Server) storeTokens(ctx context.Context, tx keyward.Tx, g tokenGrant) (*storedTokens, error) {
	st := &storedTokens{grant: g}
	if g.id != nil && slices.Contains(g.scopes, keyward.ScopeOpenID) {
		user, err := tx.FindUserByID(ctx, g.userID)
		if err != nil {
			return nil, fmt.Errorf("oauth: find user %s for the ID token: %w", g.userID, err)
		}
		st.idUser = user
	}
	if !slices.Contains(g.refreshScopes, keyward.ScopeOfflineAccess) {
		return st, nil
	}
	if g.rotated != "" {
		st.refreshToken = g.rotated
		return st, nil
	}
	raw, rt := s.newRefreshToken()
	rt.FamilyID, rt.ClientID, rt.UserID, rt.Scopes = g.family, g.clientID, g.userID, g.refreshScopes
	if err := tx.CreateRefreshToken(ctx, rt); err != nil {
		return nil, fmt.Errorf("oauth: store refresh token: %w", err)
	}
	st.refreshToken = raw
	return st, nil
}

// newRefreshToken makes a refresh token: the secret for the client and the record of its hash,
// creation and expiry, to which the caller adds whose it is.
func (s *Server) newRefreshToken() (string, *keyward.RefreshToken) {
	raw, now := token.Random(32), s.cfg.Now()
	return raw, &keyward.RefreshToken{Hash: token.Hash(raw), CreatedAt: keyward.NewTime(now), ExpiresAt: keyward.NewTime(now.Add(s.cfg.RefreshTokenLifetime))}
}

// storedTokens is what storeTokens committed for a grant and signTokens completes.
type storedTokens struct {
	grant        tokenGrant
	idUser       *keyward.User // set when an ID token is due
	refreshToken string        // "" when none is issued
}

// signTokens mints the access token and the ID token when it is due for tokens stored by
// storeTokens. Signing needs only the loaded key, so it fails only when none is loaded, which
// start-up prevents.
func (s *Server) signTokens(ctx context.Context, st *storedTokens) (*issuedToken, error) {
	g := st.grant
	issued, err := s.mintAccessToken(ctx, g.userID, g.clientID, g.scopes, g.family)
	if err != nil {
		return nil, err
	}
	if st.idUser != nil {
		if issued.idToken, err = s.mintIDToken(ctx, st.idUser, g.clientID, g.scopes, issued.accessToken, *g.id); err != nil {
			return nil, err
		}
	}
	issued.refreshToken = st.refreshToken
	return issued, nil
}

// spend judges the presentation of a single-use secret (a code or a refresh token) just marked
// used. One issued to another client is refused, and the caller's rollback leaves it usable for
// its own client. One used before is refused and its token family revoked, which the caller
// commits (RFC 9700 §4.5.3, §4.14.2). A nil refusal means the presentation may proceed; a
// refused one comes with the warning for the operator, which the caller logs once the
// transaction has ended.
func (s *Server) spend(ctx context.Context, tx keyward.Tx, what, issuedTo, family string, usedAt *keyward.Time, client *keyward.Client) (refusal error, warned *warning, err error) {
	switch {
	case issuedTo != client.ID:
		return nil, &warning{"oauth: " + what + " presented by another client", []any{"client_id", client.ID, "issued_to", issuedTo}},
			invalidGrant("the %s was issued to another client", what)
	case usedAt != nil:
		return invalidGrant("the %s was used already; the tokens issued for it are revoked", what),
			&warning{"oauth: " + what + " reused; revoking its token family", []any{"client_id", client.ID, "family", family}},
			tx.RevokeTokenFamily(ctx, family, s.now())
	}
	return nil, nil, nil
}

// warning is what the operator is told of a refused presentation. It is logged after the
// transaction: one that PostgreSQL ends for a conflict runs again, and would warn once per run.
type warning struct {
	msg  string
	args []any
}

// warn logs w, if there is one.
func (s *Server) warn(ctx context.Context, w *warning) {
	if w != nil {
		s.log.WarnContext(ctx, w.msg, w.args...)
	}
}

// personGrant is the ID token grant of a family a person signed in for, nil for one without a
// sign-in (a token exchange).
func personGrant(fam *keyward.TokenFamily, nonce string) *idTokenGrant {
	if fam.AuthTime == nil {
		return nil
	}
	return &idTokenGrant{authTime: *fam.AuthTime, nonce: nonce}
}
