package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// CreateClient stores an OAuth client. Lists are stored space-separated: scopes, grant types and
// redirect URIs cannot contain spaces.
func (s *store) CreateClient(ctx context.Context, c *keyward.Client) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO clients
		(id, name, secret_hash, grant_types, scopes, redirect_uris, public, service_user_id, owner_user_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.Name, c.SecretHash, strings.Join(c.GrantTypes, " "), strings.Join(c.Scopes, " "),
		strings.Join(c.RedirectURIs, " "), c.Public, c.ServiceUserID, c.OwnerUserID, c.CreatedAt.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: create client: %w", err)
	}
	return nil
}

// FindClientByID returns the client or ErrNotFound.
func (s *store) FindClientByID(ctx context.Context, id string) (*keyward.Client, error) {
	var c keyward.Client
	var grants, scopes, redirects string
	var serviceUser, ownerUser sql.NullString
	var created int64
	err := s.q.QueryRowContext(ctx, `SELECT id, name, secret_hash, grant_types, scopes, redirect_uris, public,
		service_user_id, owner_user_id, created_at FROM clients WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.SecretHash, &grants, &scopes, &redirects, &c.Public, &serviceUser, &ownerUser, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("client %q does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find client: %w", err)
	}
	c.GrantTypes, c.Scopes, c.RedirectURIs = strings.Fields(grants), strings.Fields(scopes), strings.Fields(redirects)
	c.ServiceUserID, c.OwnerUserID, c.CreatedAt = strPtr(serviceUser), strPtr(ownerUser), keyward.TimeFromMillis(created)
	return &c, nil
}

// CreateSigningKey stores a token-signing key.
func (s *store) CreateSigningKey(ctx context.Context, k *keyward.SigningKey) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO signing_keys (id, algorithm, private_key_pem, created_at) VALUES ($1, $2, $3, $4)`,
		k.ID, k.Algorithm, k.PrivateKeyPEM, k.CreatedAt.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: create signing key: %w", err)
	}
	return nil
}

// FindSigningKeys returns all keys, newest first.
func (s *store) FindSigningKeys(ctx context.Context) ([]*keyward.SigningKey, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, algorithm, private_key_pem, created_at FROM signing_keys
		ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find signing keys: %w", err)
	}
	defer rows.Close()
	var list []*keyward.SigningKey
	for rows.Next() {
		var k keyward.SigningKey
		var created int64
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateKeyPEM, &created); err != nil {
			return nil, fmt.Errorf("sqlstore: find signing keys: %w", err)
		}
		k.CreatedAt = keyward.TimeFromMillis(created)
		list = append(list, &k)
	}
	return list, rows.Err()
}
