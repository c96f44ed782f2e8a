package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

var ownerSchema = odata.Schema{
	{Name: "id", Column: "o.id", Type: odata.String},
	{Name: "name", Column: "o.name", Type: odata.String},
	{Name: "active", Column: "o.active", Type: odata.Bool},
}

// createOwner stores o.
func (s *store) createOwner(ctx context.Context, o *keyward.Owner) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO owners (id, name, active, plan, created_at) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.Name, o.Active, o.Plan, o.CreatedAt.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: create owner: %w", err)
	}
	return nil
}

// FindOwners lists owner accounts in creation order.
func (s *store) FindOwners(ctx context.Context, f keyward.OwnerFilter) ([]*keyward.Owner, error) {
	var a args
	spec := listSpec{
		selectFrom:   `SELECT o.id, o.name, o.active, o.plan, o.created_at FROM owners o`,
		schema:       ownerSchema,
		defaultOrder: "o.created_at, o.id",
	}
	if f.ID != nil {
		spec.where = append(spec.where, "o.id = "+a.bind(*f.ID))
	}
	if f.AdminUserID != nil {
		// driven by the user's own permissions, so that no other account is read
		spec.where = append(spec.where, `o.id IN (SELECT p.owner_id FROM users u
			JOIN contacts c ON c.identifier_key = u.email_key AND c.ip_id = 'tapkey'
			JOIN permissions p ON p.contact_id = c.id
			WHERE u.id = `+a.bind(*f.AdminUserID)+`)`)
	}
	var list []*keyward.Owner
	err := s.list(ctx, spec, a, f.Query, func(rows *sql.Rows) error {
		var o keyward.Owner
		var created int64
		if err := rows.Scan(&o.ID, &o.Name, &o.Active, &o.Plan, &created); err != nil {
			return err
		}
		o.CreatedAt = keyward.TimeFromMillis(created)
		list = append(list, &o)
		return nil
	})
	return list, err
}

// UpdateOwner changes the name.
func (s *ownerStore) UpdateOwner(ctx context.Context, u keyward.OwnerUpdate) error {
	if u.Name == nil {
		return nil
	}
	if _, err := s.q.ExecContext(ctx, `UPDATE owners SET name = $1 WHERE id = $2`, *u.Name, s.owner); err != nil {
		return fmt.Errorf("sqlstore: update owner: %w", err)
	}
	return nil
}

// FindRole returns the strongest role the user holds on the owner account through a contact
// whose identifier is the user's e-mail address.
func (s *store) FindRole(ctx context.Context, ownerID, userID string) (keyward.Role, error) {
	var rank sql.NullInt64
	err := s.q.QueryRowContext(ctx, `SELECT `+roleRank+` FROM permissions p
		JOIN contacts c ON c.id = p.contact_id
		JOIN users u ON u.email_key = c.identifier_key AND c.ip_id = 'tapkey'
		WHERE p.owner_id = $1 AND u.id = $2`, ownerID, userID).Scan(&rank)
	if err != nil {
		return "", fmt.Errorf("sqlstore: find role: %w", err)
	}
	return roleOfRank(rank), nil
}

// roleRank is the SQL of the strongest role of the permissions p as a number (roleOfRank reads
// it): an aggregate, not ORDER BY ... LIMIT 1, so that no sort is needed; NULL for none.
const roleRank = `MAX(CASE p.role WHEN 'Owner' THEN 2 WHEN 'Admin' THEN 1 END)`

func roleOfRank(rank sql.NullInt64) keyward.Role {
	switch rank.Int64 {
	case 2:
		return keyward.RoleOwner
	case 1:
		return keyward.RoleAdmin
	}
	return ""
}

// SetOwnerPlan changes the plan of the owner account.
func (s *ownerStore) SetOwnerPlan(ctx context.Context, plan string) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE owners SET plan = $1 WHERE id = $2`, plan, s.owner); err != nil {
		return fmt.Errorf("sqlstore: set owner plan: %w", err)
	}
	return nil
}
