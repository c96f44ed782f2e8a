package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

func nowUTC() time.Time { return time.Now().UTC() }

// CreateSession stores a browser session.
func (s *store) CreateSession(ctx context.Context, se *keyward.Session) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		se.Hash, se.UserID, se.CreatedAt.Millis(), se.ExpiresAt.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: create session: %w", err)
	}
	return nil
}

// FindSession returns an unexpired session.
func (s *store) FindSession(ctx context.Context, hash string, now keyward.Time) (*keyward.Session, error) {
	var se keyward.Session
	var created, expires int64
	err := s.q.QueryRowContext(ctx, `SELECT hash, user_id, created_at, expires_at FROM sessions WHERE hash = $1 AND expires_at > $2`,
		hash, now.Millis()).Scan(&se.Hash, &se.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = keyward.TimeFromMillis(created), keyward.TimeFromMillis(expires)
	return &se, nil
}

// DeleteSession ends a session; an unknown one is fine.
func (s *store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("sqlstore: delete session: %w", err)
	}
	return nil
}

// RecordSignupAttempt notes a sign-up attempt from a client network.
func (s *store) RecordSignupAttempt(ctx context.Context, network string, at keyward.Time) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO signup_attempts (network, attempted_at) VALUES ($1, $2)`, network, at.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: record sign-up attempt: %w", err)
	}
	return nil
}

// CountSignupAttempts counts a network's sign-up attempts since a time.
func (s *store) CountSignupAttempts(ctx context.Context, network string, since keyward.Time) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM signup_attempts WHERE network = $1 AND attempted_at >= $2`,
		network, since.Millis()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: count sign-up attempts: %w", err)
	}
	return n, nil
}

// CreateTokenFamily stores a token family.
func (s *store) CreateTokenFamily(ctx context.Context, f *keyward.TokenFamily) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO token_families (id, client_id, user_id, created_at, auth_time) VALUES ($1, $2, $3, $4, $5)`,
		f.ID, f.ClientID, f.UserID, f.CreatedAt.Millis(), nullTime(f.AuthTime))
	if err != nil {
		return fmt.Errorf("sqlstore: create token family: %w", err)
	}
	return nil
}

// FindTokenFamily returns a family or ErrNotFound.
func (s *store) FindTokenFamily(ctx context.Context, id string) (*keyward.TokenFamily, error) {
	return s.findTokenFamily(ctx, id, "")
}

// LockTokenFamily reads a family and holds its row until the transaction ends, so that a
// revocation of the family waits for a rotation that read it as valid, and the tokens the
// rotation issues are then revoked with it.
func (s *store) LockTokenFamily(ctx context.Context, id string) (*keyward.TokenFamily, error) {
	return s.findTokenFamily(ctx, id, s.d.forUpdate())
}

func (s *store) findTokenFamily(ctx context.Context, id, lock string) (*keyward.TokenFamily, error) {
	var f keyward.TokenFamily
	var created int64
	var revoked, authTime sql.NullInt64
	err := s.q.QueryRowContext(ctx, `SELECT id, client_id, user_id, created_at, revoked_at, auth_time FROM token_families WHERE id = $1`+lock, id).
		Scan(&f.ID, &f.ClientID, &f.UserID, &created, &revoked, &authTime)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("token family %q does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find token family: %w", err)
	}
	f.CreatedAt, f.RevokedAt, f.AuthTime = keyward.TimeFromMillis(created), timePtr(revoked), timePtr(authTime)
	return &f, nil
}

// RevokeTokenFamily revokes a family; revoking twice keeps the first time.
func (s *store) RevokeTokenFamily(ctx context.Context, id string, at keyward.Time) error {
	_, err := s.q.ExecContext(ctx, `UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at.Millis(), id)
	if err != nil {
		return fmt.Errorf("sqlstore: revoke token family: %w", err)
	}
	return nil
}

// CreateAuthCode stores an authorization code by hash.
func (s *store) CreateAuthCode(ctx context.Context, c *keyward.AuthCode) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO auth_codes (hash, client_id, user_id, redirect_uri, scopes, code_challenge,
		code_challenge_method, nonce, family_id, created_at, expires_at, redirect_uri_sent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.Hash, c.ClientID, c.UserID, c.RedirectURI, strings.Join(c.Scopes, " "), c.CodeChallenge, c.CodeChallengeMethod,
		c.Nonce, c.FamilyID, c.CreatedAt.Millis(), c.ExpiresAt.Millis(), c.RedirectURISent)
	if err != nil {
		return fmt.Errorf("sqlstore: create auth code: %w", err)
	}
	return nil
}

// UseAuthCode marks a code used and returns it as it was; a reused code comes back with UsedAt.
// The mark is a conditional UPDATE whose row count tells which of two concurrent requests won,
// so a code is used once even across nodes.
func (s *store) UseAuthCode(ctx context.Context, hash string, at keyward.Time) (*keyward.AuthCode, error) {
	var c keyward.AuthCode
	var scopes string
	var created, expires int64
	var used sql.NullInt64
	err := s.q.QueryRowContext(ctx, `SELECT hash, client_id, user_id, redirect_uri, scopes, code_challenge, code_challenge_method,
		nonce, family_id, created_at, expires_at, used_at, redirect_uri_sent FROM auth_codes WHERE hash = $1`, hash).
		Scan(&c.Hash, &c.ClientID, &c.UserID, &c.RedirectURI, &scopes, &c.CodeChallenge, &c.CodeChallengeMethod,
			&c.Nonce, &c.FamilyID, &created, &expires, &used, &c.RedirectURISent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("unknown authorization code")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: use auth code: %w", err)
	}
	c.Scopes, c.CreatedAt, c.ExpiresAt, c.UsedAt = strings.Fields(scopes), keyward.TimeFromMillis(created), keyward.TimeFromMillis(expires), timePtr(used)
	if c.UsedAt != nil {
		return &c, nil
	}
	res, err := s.q.ExecContext(ctx, `UPDATE auth_codes SET used_at = $1 WHERE hash = $2 AND used_at IS NULL`, at.Millis(), hash)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: use auth code: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		c.UsedAt = &at // another request used it between the read and the mark
	}
	return &c, nil
}

// CreateRefreshToken stores a refresh token by hash.
func (s *store) CreateRefreshToken(ctx context.Context, t *keyward.RefreshToken) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, family_id, client_id, user_id, scopes, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.Hash, t.FamilyID, t.ClientID, t.UserID, strings.Join(t.Scopes, " "), t.CreatedAt.Millis(), t.ExpiresAt.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: create refresh token: %w", err)
	}
	return nil
}

const refreshTokenColumns = `hash, family_id, client_id, user_id, scopes, created_at, expires_at, used_at`

// FindRefreshToken returns a refresh token by hash.
func (s *store) FindRefreshToken(ctx context.Context, hash string) (*keyward.RefreshToken, error) {
	t, err := scanRefreshToken(s.q.QueryRowContext(ctx, `SELECT `+refreshTokenColumns+` FROM refresh_tokens WHERE hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("unknown refresh token")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find refresh token: %w", err)
	}
	return t, nil
}

func scanRefreshToken(row rowScanner) (*keyward.RefreshToken, error) {
	var t keyward.RefreshToken
	var scopes string
	var created, expires int64
	var used sql.NullInt64
	if err := row.Scan(&t.Hash, &t.FamilyID, &t.ClientID, &t.UserID, &scopes, &created, &expires, &used); err != nil {
		return nil, err
	}
	t.Scopes, t.CreatedAt, t.ExpiresAt, t.UsedAt = strings.Fields(scopes), keyward.TimeFromMillis(created), keyward.TimeFromMillis(expires), timePtr(used)
	return &t, nil
}

// RotateRefreshToken spends a refresh token and stores next in its place (see keyward.Tokens).
// On PostgreSQL the spend, the family's lock and the insert are one statement (rotateRefreshSQL),
// a round trip instead of three; SQLite, in the process, runs them one after the other. The
// spend's WHERE makes a token spent once whichever node rotates it.
func (s *store) RotateRefreshToken(ctx context.Context, hash string, at keyward.Time, next *keyward.RefreshToken) (*keyward.RefreshToken, *keyward.TokenFamily, error) {
	var t *keyward.RefreshToken
	var f *keyward.TokenFamily
	var err error
	if s.d.engine == Postgres {
		t, f, err = s.rotateInOne(ctx, hash, at, next)
	} else {
		t, f, err = s.rotateInThree(ctx, hash, at, next)
	}
	switch {
	case err == nil:
		return t, f, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, nil, fmt.Errorf("sqlstore: rotate refresh token: %w", err)
	}
	t, err = s.FindRefreshToken(ctx, hash) // unknown, or spent before: UsedAt says when
	return t, nil, err
}

// rotateRefreshSQL spends the token ($1 the time, $2 its hash), locks its family and inserts the
// next token ($3 its hash, $4 and $5 its creation and expiry) with the spent one's family,
// client, user and scopes. Every part of a WITH runs on the same snapshot, and the insert and the
// lock follow the spend's RETURNING: a token already spent gives no row and changes nothing.
const rotateRefreshSQL = `WITH spent AS (
		UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL RETURNING ` + refreshTokenColumns + `
	), family AS (
		SELECT f.id, f.client_id, f.user_id, f.created_at, f.revoked_at, f.auth_time
		FROM token_families f JOIN spent ON f.id = spent.family_id FOR UPDATE OF f
	), fresh AS (
		INSERT INTO refresh_tokens (hash, family_id, client_id, user_id, scopes, created_at, expires_at)
		SELECT $3, family_id, client_id, user_id, scopes, $4, $5 FROM spent RETURNING hash
	)
	SELECT spent.hash, spent.family_id, spent.client_id, spent.user_id, spent.scopes, spent.created_at,
		spent.expires_at, spent.used_at, family.id, family.client_id, family.user_id, family.created_at,
		family.revoked_at, family.auth_time
	FROM spent JOIN family ON true JOIN fresh ON true`

// rotateInOne is RotateRefreshToken in one statement; sql.ErrNoRows when the token was not
// unspent.
func (s *store) rotateInOne(ctx context.Context, hash string, at keyward.Time, next *keyward.RefreshToken) (*keyward.RefreshToken, *keyward.TokenFamily, error) {
	var f keyward.TokenFamily
	var created int64
	var revoked, authTime sql.NullInt64
	t, err := scanRefreshToken(scanAfter(s.q.QueryRowContext(ctx, rotateRefreshSQL, at.Millis(), hash, next.Hash, next.CreatedAt.Millis(), next.ExpiresAt.Millis()),
		&f.ID, &f.ClientID, &f.UserID, &created, &revoked, &authTime))
	if err != nil {
		return nil, nil, err
	}
	t.UsedAt = nil // as it was before
	inherit(next, t)
	f.CreatedAt, f.RevokedAt, f.AuthTime = keyward.TimeFromMillis(created), timePtr(revoked), timePtr(authTime)
	return t, &f, nil
}

// rotateInThree is RotateRefreshToken statement by statement; sql.ErrNoRows when the token was
// not unspent.
func (s *store) rotateInThree(ctx context.Context, hash string, at keyward.Time, next *keyward.RefreshToken) (*keyward.RefreshToken, *keyward.TokenFamily, error) {
	t, err := scanRefreshToken(s.q.QueryRowContext(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL
		RETURNING `+refreshTokenColumns, at.Millis(), hash))
	if err != nil {
		return nil, nil, err
	}
	t.UsedAt = nil // as it was before
	f, err := s.LockTokenFamily(ctx, t.FamilyID)
	if err != nil {
		return nil, nil, err
	}
	inherit(next, t)
	return t, f, s.CreateRefreshToken(ctx, next)
}

// inherit gives a rotation's next token the spent one's family, client, user and scopes, as
// rotateRefreshSQL copies them.
func inherit(next, spent *keyward.RefreshToken) {
	next.FamilyID, next.ClientID, next.UserID, next.Scopes = spent.FamilyID, spent.ClientID, spent.UserID, spent.Scopes
}

// GetSecret returns a named secret, creating it on first use; when two nodes race, both read the
// value that won.
func (s *store) GetSecret(ctx context.Context, name string, newValue func() string) (string, error) {
	if _, err := s.q.ExecContext(ctx, `INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, newValue(), keyward.NewTime(nowUTC()).Millis()); err != nil {
		return "", fmt.Errorf("sqlstore: create secret: %w", err)
	}
	var v string
	if err := s.q.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return "", fmt.Errorf("sqlstore: read secret: %w", err)
	}
	return v, nil
}
