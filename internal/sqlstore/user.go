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

// CreateUser stores u; an address another user has (case-insensitively) is ErrEmailAddressInUse.
func (s *store) CreateUser(ctx context.Context, u *keyward.User) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO users (id, email, email_key, kind, verified, password_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Email, strings.ToLower(u.Email), string(u.Kind), u.Verified, u.PasswordHash, u.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrEmailAddressInUse.WithDetails("the address %q belongs to another user", u.Email)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create user: %w", err)
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
	var u keyward.User
	var kind string
	var created int64
	err := s.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, arg).
		Scan(&u.ID, &u.Email, &kind, &u.Verified, &u.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("user %q does not exist", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find user: %w", err)
	}
	u.Kind, u.CreatedAt = keyward.UserKind(kind), keyward.TimeFromMillis(created)
	return &u, nil
}
