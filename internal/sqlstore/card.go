package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// CreatePhysicalCard registers a card in the device registry.
func (s *store) CreatePhysicalCard(ctx context.Context, c *keyward.PhysicalCard) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO physical_cards (id, uid, capacity, created_at) VALUES ($1, $2, $3, $4)`,
		c.ID, c.UID, c.Capacity, c.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrInvalid.WithDetails("a card with uid %q is already registered", c.UID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create physical card: %w", err)
	}
	return nil
}

// FindPhysicalCard finds a registered card by id, or by uid when id is "".
func (s *store) FindPhysicalCard(ctx context.Context, id, uid string) (*keyward.PhysicalCard, error) {
	cond, arg := "id = $1", id
	if id == "" {
		cond, arg = "uid = $1", uid
	}
	var c keyward.PhysicalCard
	var created int64
	err := s.q.QueryRowContext(ctx, `SELECT id, uid, capacity, created_at FROM physical_cards WHERE `+cond, arg).
		Scan(&c.ID, &c.UID, &c.Capacity, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("physical card %q is not registered", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find physical card: %w", err)
	}
	c.CreatedAt = keyward.TimeFromMillis(created)
	return &c, nil
}

var boundCardSchema = odata.Schema{
	{Name: "id", Column: "b.id", Type: odata.String},
	{Name: "label", Column: "b.label", Type: odata.String},
	{Name: "uid", Column: "p.uid", Type: odata.String},
	{Name: "isActive", Column: "b.active", Type: odata.Bool},
	{Name: "physicalCardId", Column: "b.physical_card_id", Type: odata.String},
	{Name: "ownerAccountId", Column: "b.owner_id", Type: odata.String},
	{Name: "bindDate", Column: "b.bind_date", Type: odata.Time},
	{Name: "unbindDate", Column: "b.unbind_date", Type: odata.Time, Nullable: true},
	{Name: "title", Column: "b.title", Type: odata.String, Nullable: true},
	{Name: "nofGrantsCapacity", Column: "p.capacity", Type: odata.Int},
}

// CreateBoundCard binds a registered card; a card with an active binding is ErrCardAlreadyBound.
func (s *ownerStore) CreateBoundCard(ctx context.Context, c *keyward.BoundCard) error {
	if err := s.mine("bound card", c.OwnerAccountID); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO bound_cards
		(id, owner_id, physical_card_id, title, label, bind_date, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.OwnerAccountID, c.PhysicalCardID, c.Title, c.Label, c.BindDate.Millis(), c.IsActive, c.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrCardAlreadyBound.WithDetails("physical card %q is bound to an owner account already", c.PhysicalCardID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create bound card: %w", err)
	}
	return nil
}

// FindBoundCards lists bound cards with their uid and capacity from the registry.
func (s *store) FindBoundCards(ctx context.Context, f keyward.BoundCardFilter) ([]*keyward.BoundCard, error) {
	var a args
	spec := listSpec{
		selectFrom: `SELECT b.id, b.label, p.uid, b.active, b.physical_card_id, b.owner_id, b.bind_date, b.unbind_date,
			b.title, p.capacity, b.created_at FROM bound_cards b JOIN physical_cards p ON p.id = b.physical_card_id`,
		where:        []string{"b.owner_id = " + a.bind(f.OwnerID)},
		schema:       boundCardSchema,
		defaultOrder: "b.created_at, b.id",
	}
	if f.ID != nil {
		spec.where = append(spec.where, "b.id = "+a.bind(*f.ID))
	}
	if f.IDs != nil {
		spec.where = append(spec.where, s.d.in("b.id", f.IDs, &a))
	}
	if f.PhysicalCardID != nil {
		spec.where = append(spec.where, "b.physical_card_id = "+a.bind(*f.PhysicalCardID))
	}
	var list []*keyward.BoundCard
	err := s.list(ctx, spec, a, f.Query, func(rows *sql.Rows) error {
		var c keyward.BoundCard
		var bind, created int64
		var unbind sql.NullInt64
		var title sql.NullString
		if err := rows.Scan(&c.ID, &c.Label, &c.UID, &c.IsActive, &c.PhysicalCardID, &c.OwnerAccountID, &bind, &unbind,
			&title, &c.NofGrantsCapacity, &created); err != nil {
			return err
		}
		c.BindDate, c.UnbindDate, c.CreatedAt = keyward.TimeFromMillis(bind), timePtr(unbind), keyward.TimeFromMillis(created)
		c.Title = strPtr(title)
		list = append(list, &c)
		return nil
	})
	return list, err
}

// UpdateBoundCard changes the title.
func (s *ownerStore) UpdateBoundCard(ctx context.Context, id string, u keyward.BoundCardUpdate) error {
	if u.Title == nil {
		return nil
	}
	res, err := s.q.ExecContext(ctx, `UPDATE bound_cards SET title = $1 WHERE owner_id = $2 AND id = $3`, *u.Title, s.owner, id)
	if err != nil {
		return fmt.Errorf("sqlstore: update bound card: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("bound card %q does not exist", id))
}
