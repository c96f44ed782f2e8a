package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// SaveConsent creates or replaces a user's consent to a client; created_at stays that of the
// first consent.
func (s *store) SaveConsent(ctx context.Context, c *keyward.Consent) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO consents (user_id, client_id, scopes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at`,
		c.UserID, c.ClientID, strings.Join(c.Scopes, " "), c.CreatedAt.Millis(), c.UpdatedAt.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: save consent: %w", err)
	}
	return nil
}

// FindConsent returns a user's consent to a client or ErrNotFound.
func (s *store) FindConsent(ctx context.Context, userID, clientID string) (*keyward.Consent, error) {
	list, err := s.findConsents(ctx, `user_id = $1 AND client_id = $2`, userID, clientID)
	return first(list, err, keyward.ErrNotFound.WithDetails("user %q has not consented to client %q", userID, clientID))
}

// FindConsents lists a user's consents, oldest first.
func (s *store) FindConsents(ctx context.Context, userID string) ([]*keyward.Consent, error) {
	return s.findConsents(ctx, `user_id = $1`, userID)
}

func (s *store) findConsents(ctx context.Context, cond string, args ...any) ([]*keyward.Consent, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT user_id, client_id, scopes, created_at, updated_at FROM consents
		WHERE `+cond+` ORDER BY created_at, client_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find consents: %w", err)
	}
	defer rows.Close()
	var list []*keyward.Consent
	for rows.Next() {
		var c keyward.Consent
		var scopes string
		var created, updated int64
		if err := rows.Scan(&c.UserID, &c.ClientID, &scopes, &created, &updated); err != nil {
			return nil, fmt.Errorf("sqlstore: find consents: %w", err)
		}
		c.Scopes, c.CreatedAt, c.UpdatedAt = strings.Fields(scopes), keyward.TimeFromMillis(created), keyward.TimeFromMillis(updated)
		list = append(list, &c)
	}
	return list, rows.Err()
}

// DeleteConsent removes a user's consent to a client.
func (s *store) DeleteConsent(ctx context.Context, userID, clientID string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM consents WHERE user_id = $1 AND client_id = $2`, userID, clientID)
	if err != nil {
		return fmt.Errorf("sqlstore: delete consent: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("user %q has not consented to client %q", userID, clientID))
}

// RevokeTokenFamilies revokes a client's token families of one user; families revoked before
// keep their time.
func (s *store) RevokeTokenFamilies(ctx context.Context, clientID, userID string, at keyward.Time) error {
	_, err := s.q.ExecContext(ctx, `UPDATE token_families SET revoked_at = $1 WHERE client_id = $2 AND user_id = $3 AND revoked_at IS NULL`,
		at.Millis(), clientID, userID)
	if err != nil {
		return fmt.Errorf("sqlstore: revoke token families: %w", err)
	}
	return nil
}

// RevokeAccessToken records a revoked access token until it expires.
func (s *store) RevokeAccessToken(ctx context.Context, jti string, expiresAt keyward.Time) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING`,
		jti, expiresAt.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: revoke access token: %w", err)
	}
	return nil
}

// checkAccessTokenSQL reads what CheckAccessToken returns in one statement: the user; the
// family, joined on its id (no row when it has none or it was deleted); the jti's revocation; the
// role as FindRole reads it, on the owner account $4 (NULL for ""); and the client's scopes now
// (NULL when it was deleted); and the account's version (NULL when $4 names none).
var checkAccessTokenSQL = `SELECT u.` + strings.ReplaceAll(userColumns, ", ", ", u.") + `,
	f.id IS NOT NULL, f.revoked_at,
	EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $3),
	(SELECT ` + roleRank + ` FROM permissions p JOIN contacts c ON c.id = p.contact_id
		WHERE p.owner_id = $4 AND c.identifier_key = u.email_key AND c.ip_id = 'tapkey'),
	(SELECT scopes FROM clients WHERE id = $5),
	(SELECT version FROM owners WHERE id = $4)
	FROM users u LEFT JOIN token_families f ON f.id = $2
	WHERE u.id = $1`

// CheckAccessToken reads the token's user and standing in one statement (checkAccessTokenSQL),
// or answers it from the standing cache when the cache is sure it is what that would read.
func (s *store) CheckAccessToken(ctx context.Context, c keyward.TokenCheck) (*keyward.TokenStanding, error) {
	if s.standing != nil {
		return s.standing.check(ctx, c, s.readStanding)
	}
	return s.readStanding(ctx, c)
}

// readStanding is CheckAccessToken's statement. The jti is looked up only for a token without a
// family, as a family decides for its tokens.
func (s *store) readStanding(ctx context.Context, c keyward.TokenCheck) (*keyward.TokenStanding, error) {
	jti := c.JTI
	if c.Family != "" {
		jti = ""
	}
	var u userRow
	var st keyward.TokenStanding
	var familyRevoked, rank, version sql.NullInt64
	var clientScopes sql.NullString
	err := s.q.QueryRowContext(ctx, checkAccessTokenSQL, c.UserID, c.Family, jti, c.OwnerID, c.ClientID).
		Scan(append(u.dest(), &st.FamilyExists, &familyRevoked, &st.Revoked, &rank, &clientScopes, &version)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("user %q does not exist", c.UserID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: check access token: %w", err)
	}
	st.User, st.FamilyRevokedAt, st.Role, st.AccountVersion = u.user(), timePtr(familyRevoked), roleOfRank(rank), int64Ptr(version)
	if clientScopes.Valid {
		st.ClientScopes = append([]string{}, strings.Fields(clientScopes.String)...) // not nil: the client exists
	}
	return &st, nil
}

// PruneRevokedAccessTokens deletes the revocations of tokens that expired before a time.
func (s *store) PruneRevokedAccessTokens(ctx context.Context, before keyward.Time) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM revoked_access_tokens WHERE expires_at < $1`, before.Millis()); err != nil {
		return fmt.Errorf("sqlstore: prune revoked access tokens: %w", err)
	}
	return nil
}
