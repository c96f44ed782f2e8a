package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

const userColumns = `id, email, kind, verified, password_hash, created_at`

// userRow is the scan of userColumns: dest are its targets, in their order, and user the user
// they make.
type userRow struct {
	u       keyward.User
	kind    string
	created int64
}

func (r *userRow) dest() []any {
	return []any{&r.u.ID, &r.u.Email, &r.kind, &r.u.Verified, &r.u.PasswordHash, &r.created}
}

func (r *userRow) user() *keyward.User {
	r.u.Kind, r.u.CreatedAt = keyward.UserKind(r.kind), keyward.TimeFromMillis(r.created)
	return &r.u
}

// CreateUser stores u; an address another user has (case-insensitively) is ErrEmailAddressInUse.
func (s *store) CreateUser(ctx context.Context, u *keyward.User) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO users (id, email, email_key, kind, verified, password_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Email, emailKey(u), string(u.Kind), u.Verified, u.PasswordHash, u.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrEmailAddressInUse.WithDetails("the address %q belongs to another user", u.Email)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create user: %w", err)
	}
	return nil
}

// emailKey is the unique, case-folded address; users of external identity providers have none,
// and get a key that no address can equal.
func emailKey(u *keyward.User) string {
	if u.Kind == keyward.UserExternal {
		return "external:" + u.ID
	}
	return strings.ToLower(u.Email)
}

// SetUserVerified marks the user's address verified.
func (s *store) SetUserVerified(ctx context.Context, id string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE users SET verified = TRUE WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("sqlstore: verify user: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("user %q does not exist", id))
}

// LockUser reads the user's row FOR UPDATE on PostgreSQL; on SQLite the write transaction holds
// the whole database already.
func (s *store) LockUser(ctx context.Context, id string) error {
	var got string
	err := s.q.QueryRowContext(ctx, `SELECT id FROM users WHERE id = $1`+s.d.forUpdate(), id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return keyward.ErrNotFound.WithDetails("user %q does not exist", id)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: lock user: %w", err)
	}
	return nil
}

// RecordLoginFailure notes a failed sign-in.
func (s *store) RecordLoginFailure(ctx context.Context, email string, at keyward.Time) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO login_failures (email_key, failed_at) VALUES ($1, $2)`, strings.ToLower(email), at.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: record login failure: %w", err)
	}
	return nil
}

// CountLoginFailures counts failed sign-ins since a time.
func (s *store) CountLoginFailures(ctx context.Context, email string, since keyward.Time) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE email_key = $1 AND failed_at >= $2`,
		strings.ToLower(email), since.Millis()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: count login failures: %w", err)
	}
	return n, nil
}

// ClearLoginFailures forgets an address's failures after a successful sign-in.
func (s *store) ClearLoginFailures(ctx context.Context, email string) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM login_failures WHERE email_key = $1`, strings.ToLower(email)); err != nil {
		return fmt.Errorf("sqlstore: clear login failures: %w", err)
	}
	return nil
}

// FindUserByID returns the user or ErrNotFound.
func (s *store) FindUserByID(ctx context.Context, id string) (*keyward.User, error) {
	return s.findUser(ctx, `id = $1`, id)
}

// FindUserByEmail looks the address up case-insensitively.
func (s *store) FindUserByEmail(ctx context.Context, email string) (*keyward.User, error) {
	return s.findUser(ctx, `email_key = $1`, strings.ToLower(email))
}

func (s *store) findUser(ctx context.Context, cond string, arg any) (*keyward.User, error) {
	var r userRow
	err := s.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, arg).Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("user %q does not exist", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find user: %w", err)
	}
	return r.user(), nil
}
