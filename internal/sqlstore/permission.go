package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

var permissionSchema = odata.Schema{
	{Name: "id", Column: "id", Type: odata.String},
	{Name: "ownerAccountId", Column: "owner_id", Type: odata.String},
	{Name: "contactId", Column: "contact_id", Type: odata.String},
	{Name: "role", Column: "role", Type: odata.String},
}

// CreatePermission stores p; a contact holds at most one permission per owner account.
func (s *ownerStore) CreatePermission(ctx context.Context, p *keyward.Permission) error {
	if err := s.mine("permission", p.OwnerAccountID); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO permissions (id, owner_id, contact_id, role, created_at)
		VALUES ($1, $2, $3, $4, $5)`, p.ID, p.OwnerAccountID, p.ContactID, string(p.Role), p.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrInvalid.WithDetails("contact %q already holds a permission on this owner account", p.ContactID)
	}
	if isForeignKeyViolation(err) {
		return keyward.ErrNotFound.WithDetails("contact %q does not exist", p.ContactID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create permission: %w", err)
	}
	return nil
}

// FindPermissions lists the permissions of one owner account.
func (s *store) FindPermissions(ctx context.Context, f keyward.PermissionFilter) ([]*keyward.Permission, error) {
	var a args
	spec := listSpec{
		selectFrom:   `SELECT id, owner_id, contact_id, role, created_at FROM permissions`,
		where:        []string{"owner_id = " + a.bind(f.OwnerID)},
		schema:       permissionSchema,
		defaultOrder: "created_at, id",
	}
	if f.ID != nil {
		spec.where = append(spec.where, "id = "+a.bind(*f.ID))
	}
	if f.ContactID != nil {
		spec.where = append(spec.where, "contact_id = "+a.bind(*f.ContactID))
	}
	if f.Role != nil {
		spec.where = append(spec.where, "role = "+a.bind(string(*f.Role)))
	}
	var list []*keyward.Permission
	err := s.list(ctx, spec, a, f.Query, func(rows *sql.Rows) error {
		var p keyward.Permission
		var role string
		var created int64
		if err := rows.Scan(&p.ID, &p.OwnerAccountID, &p.ContactID, &role, &created); err != nil {
			return err
		}
		p.Role, p.CreatedAt = keyward.Role(role), keyward.TimeFromMillis(created)
		list = append(list, &p)
		return nil
	})
	return list, err
}

// DeletePermission removes one permission.
func (s *ownerStore) DeletePermission(ctx context.Context, id string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM permissions WHERE owner_id = $1 AND id = $2`, s.owner, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete permission: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("permission %q does not exist", id))
}
