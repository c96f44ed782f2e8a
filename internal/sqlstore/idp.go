package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// CreateIdentityProvider registers an identity provider; ipIds are unique across accounts,
// because token exchange names only the ipId.
func (s *ownerStore) CreateIdentityProvider(ctx context.Context, p *keyward.IdentityProvider) error {
	if err := s.mine("identity provider", p.OwnerAccountID); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO identity_providers (id, owner_id, issuer, audience, public_key_pem, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, p.ID, p.OwnerAccountID, p.Issuer, p.Audience, p.PublicKeyPEM, p.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrInvalid.WithDetails("the ipId %q is taken", p.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create identity provider: %w", err)
	}
	return nil
}

const idpColumns = `id, owner_id, issuer, audience, public_key_pem, created_at`

func scanIdentityProviders(rows *sql.Rows) ([]*keyward.IdentityProvider, error) {
	defer rows.Close()
	var list []*keyward.IdentityProvider
	for rows.Next() {
		var p keyward.IdentityProvider
		var created int64
		if err := rows.Scan(&p.ID, &p.OwnerAccountID, &p.Issuer, &p.Audience, &p.PublicKeyPEM, &created); err != nil {
			return nil, fmt.Errorf("sqlstore: find identity providers: %w", err)
		}
		p.CreatedAt = keyward.TimeFromMillis(created)
		list = append(list, &p)
	}
	return list, rows.Err()
}

// FindIdentityProvider returns a provider by ipId, in whatever account.
func (s *store) FindIdentityProvider(ctx context.Context, ipID string) (*keyward.IdentityProvider, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+idpColumns+` FROM identity_providers WHERE id = $1`, ipID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find identity provider: %w", err)
	}
	list, err := scanIdentityProviders(rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("identity provider %q does not exist", ipID)
	}
	return list[0], nil
}

// FindIdentityProviders lists the providers of an owner account.
func (s *store) FindIdentityProviders(ctx context.Context, ownerID string) ([]*keyward.IdentityProvider, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+idpColumns+` FROM identity_providers WHERE owner_id = $1 ORDER BY created_at, id`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find identity providers: %w", err)
	}
	return scanIdentityProviders(rows)
}

// DeleteIdentityProvider removes a provider with its users.
func (s *ownerStore) DeleteIdentityProvider(ctx context.Context, ipID string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM identity_providers WHERE owner_id = $1 AND id = $2`, s.owner, ipID)
	if err != nil {
		return fmt.Errorf("sqlstore: delete identity provider: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("identity provider %q does not exist", ipID))
}

var ipUserSchema = odata.Schema{
	{Name: "id", Column: "id", Type: odata.String},
	{Name: "ipId", Column: "ip_id", Type: odata.String},
	{Name: "ipUserId", Column: "ip_user_id", Type: odata.String},
	{Name: "identifier", Column: "identifier", Type: odata.String, Nullable: true},
	{Name: "email", Column: "identifier", Type: odata.String, Nullable: true},
	{Name: "status", Column: "status", Type: odata.String},
}

// CreateIPUser stores a user of an identity provider; its Keyward user must exist already.
func (s *ownerStore) CreateIPUser(ctx context.Context, u *keyward.IPUser) error {
	if err := s.mine("identity-provider user", u.OwnerAccountID); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO ip_users (id, owner_id, ip_id, ip_user_id, identifier, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, u.ID, u.OwnerAccountID, u.IPID, u.IPUserID, u.Identifier, u.Status, u.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrDuplicateIPUser.WithDetails("identity provider %q has a user with ipUserId %q already", u.IPID, u.IPUserID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create ip user: %w", err)
	}
	return nil
}

// FindIPUsers lists the users of one identity provider, or of any.
func (s *store) FindIPUsers(ctx context.Context, f keyward.IPUserFilter) ([]*keyward.IPUser, error) {
	var a args
	spec := listSpec{
		selectFrom:   `SELECT id, owner_id, ip_id, ip_user_id, identifier, status, created_at FROM ip_users`,
		schema:       ipUserSchema,
		defaultOrder: "created_at, id",
	}
	if f.IPID != "" {
		spec.where = append(spec.where, "ip_id = "+a.bind(f.IPID))
	}
	if f.ID != nil {
		spec.where = append(spec.where, "id = "+a.bind(*f.ID))
	}
	if f.IPUserID != nil {
		spec.where = append(spec.where, "ip_user_id = "+a.bind(*f.IPUserID))
	}
	var list []*keyward.IPUser
	err := s.list(ctx, spec, a, f.Query, func(rows *sql.Rows) error {
		var u keyward.IPUser
		var identifier sql.NullString
		var created int64
		if err := rows.Scan(&u.ID, &u.OwnerAccountID, &u.IPID, &u.IPUserID, &identifier, &u.Status, &created); err != nil {
			return err
		}
		u.Identifier, u.Email, u.CreatedAt = strPtr(identifier), strPtr(identifier), keyward.TimeFromMillis(created)
		list = append(list, &u)
		return nil
	})
	return list, err
}
