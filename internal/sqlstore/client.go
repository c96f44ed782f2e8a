package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// CreateClient stores an OAuth client. Lists are stored space-separated: scopes, grant types,
// redirect URIs and origins cannot contain spaces.
func (s *store) CreateClient(ctx context.Context, c *keyward.Client) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO clients
		(id, name, secret_hash, grant_types, scopes, redirect_uris, public, service_user_id, owner_user_id, logo_url, created_at, allowed_origins)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.ID, c.Name, c.SecretHash, strings.Join(c.GrantTypes, " "), strings.Join(c.Scopes, " "),
		strings.Join(c.RedirectURIs, " "), c.Public, c.ServiceUserID, c.OwnerUserID, c.LogoURL, c.CreatedAt.Millis(),
		strings.Join(c.AllowedOrigins, " "))
	if err != nil {
		return fmt.Errorf("sqlstore: create client: %w", err)
	}
	return nil
}

// FindClientByID returns the client or ErrNotFound. It is one single-row statement, which in a
// PostgreSQL transaction travels with its BEGIN when it comes first.
func (s *store) FindClientByID(ctx context.Context, id string) (*keyward.Client, error) {
	c, err := scanClient(s.q.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = $1`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, keyward.ErrNotFound.WithDetails("client %q does not exist", id)
	case err != nil:
		return nil, fmt.Errorf("sqlstore: find client: %w", err)
	}
	return c, nil
}

// FindClientsByID reads the clients with the ids in one query.
func (s *store) FindClientsByID(ctx context.Context, ids []string) ([]*keyward.Client, error) {
	var a args
	return s.findClients(ctx, s.d.in("id", ids, &a), a...)
}

// FindClients lists the clients a user manages, or all for "".
func (s *store) FindClients(ctx context.Context, ownerUserID string) ([]*keyward.Client, error) {
	if ownerUserID == "" {
		return s.findClients(ctx, `TRUE`)
	}
	return s.findClients(ctx, `owner_user_id = $1`, ownerUserID)
}

func (s *store) findClients(ctx context.Context, cond string, args ...any) ([]*keyward.Client, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+clientColumns+` FROM clients WHERE `+cond+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find clients: %w", err)
	}
	defer rows.Close()
	var list []*keyward.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: find clients: %w", err)
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// clientColumns are the columns scanClient reads, in its order.
const clientColumns = `id, name, secret_hash, grant_types, scopes, redirect_uris, public,
		service_user_id, owner_user_id, logo_url, created_at, allowed_origins`

// scanClient reads a client from the clientColumns of a row.
func scanClient(row rowScanner) (*keyward.Client, error) {
	var c keyward.Client
	var grants, scopes, redirects, origins string
	var serviceUser, ownerUser sql.NullString
	var created int64
	if err := row.Scan(&c.ID, &c.Name, &c.SecretHash, &grants, &scopes, &redirects, &c.Public, &serviceUser, &ownerUser,
		&c.LogoURL, &created, &origins); err != nil {
		return nil, err
	}
	c.GrantTypes, c.Scopes, c.RedirectURIs = strings.Fields(grants), strings.Fields(scopes), strings.Fields(redirects)
	c.AllowedOrigins = strings.Fields(origins)
	c.ServiceUserID, c.OwnerUserID, c.CreatedAt = strPtr(serviceUser), strPtr(ownerUser), keyward.TimeFromMillis(created)
	return &c, nil
}

// UpdateClient changes a client; the change applies to the next token request.
func (s *store) UpdateClient(ctx context.Context, id string, u keyward.ClientUpdate) error {
	a := args{}
	set := setClause{a: &a}
	if u.Name != nil {
		set.add("name", *u.Name)
	}
	if u.Scopes != nil {
		set.add("scopes", strings.Join(u.Scopes, " "))
	}
	if u.RedirectURIs != nil {
		set.add("redirect_uris", strings.Join(u.RedirectURIs, " "))
	}
	if u.LogoURL != nil {
		set.add("logo_url", *u.LogoURL)
	}
	if u.SecretHash != nil {
		set.add("secret_hash", *u.SecretHash)
	}
	if u.AllowedOrigins != nil {
		set.add("allowed_origins", strings.Join(u.AllowedOrigins, " "))
	}
	if len(set.parts) == 0 {
		return nil
	}
	res, err := s.q.ExecContext(ctx, `UPDATE clients SET `+set.String()+` WHERE id = `+a.bind(id), a...)
	if err != nil {
		return fmt.Errorf("sqlstore: update client: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("client %q does not exist", id))
}

// DeleteClient removes a client with its codes and token families.
func (s *store) DeleteClient(ctx context.Context, id string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM clients WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete client: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("client %q does not exist", id))
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

// CreateKeySigningKey stores a key-signing key unless another node stored its id first.
func (s *store) CreateKeySigningKey(ctx context.Context, k *keyward.KeySigningKey) (bool, error) {
	res, err := s.q.ExecContext(ctx, `INSERT INTO key_signing_keys (id, seed, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO NOTHING`, k.ID, base64.StdEncoding.EncodeToString(k.Seed), k.CreatedAt.Millis())
	if err != nil {
		return false, fmt.Errorf("sqlstore: create key-signing key: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FindKeySigningKeys returns the key-signing keys, oldest first.
func (s *store) FindKeySigningKeys(ctx context.Context) ([]*keyward.KeySigningKey, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, seed, created_at FROM key_signing_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find key-signing keys: %w", err)
	}
	defer rows.Close()
	var list []*keyward.KeySigningKey
	for rows.Next() {
		var k keyward.KeySigningKey
		var seed string
		var created int64
		if err := rows.Scan(&k.ID, &seed, &created); err != nil {
			return nil, fmt.Errorf("sqlstore: find key-signing keys: %w", err)
		}
		if k.Seed, err = base64.StdEncoding.DecodeString(seed); err != nil {
			return nil, fmt.Errorf("sqlstore: key-signing key %s: %w", k.ID, err)
		}
		k.CreatedAt = keyward.TimeFromMillis(created)
		list = append(list, &k)
	}
	return list, rows.Err()
}
