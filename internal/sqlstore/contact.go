package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

var contactSchema = odata.Schema{
	{Name: "id", Column: "id", Type: odata.String},
	{Name: "ownerId", Column: "owner_id", Type: odata.String},
	{Name: "identifier", Column: "identifier", Type: odata.String, Nullable: true},
	{Name: "email", Column: "identifier", Type: odata.String, Nullable: true},
	{Name: "ipId", Column: "ip_id", Type: odata.String},
	{Name: "ipUserId", Column: "ip_user_id", Type: odata.String, Nullable: true},
	{Name: "title", Column: "title", Type: odata.String, Nullable: true},
	{Name: "comment", Column: "comment", Type: odata.String, Nullable: true},
}

// CreateContact stores c; a second contact with the same identity is ErrDuplicateContact.
func (s *ownerStore) CreateContact(ctx context.Context, c *keyward.Contact) error {
	if err := s.mine("contact", c.OwnerID); err != nil {
		return err
	}
	var idKey *string
	if c.Identifier != nil {
		k := strings.ToLower(*c.Identifier)
		idKey = &k
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO contacts
		(id, owner_id, natural_key, identifier, identifier_key, ip_id, ip_user_id, title, comment, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.OwnerID, c.NaturalKey(), c.Identifier, idKey, c.IPID, c.IPUserID, c.Title, c.Comment, c.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrDuplicateContact.WithDetails("a contact for %s already exists in this owner account", describeContact(c))
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create contact: %w", err)
	}
	return nil
}

func describeContact(c *keyward.Contact) string {
	if c.Identifier != nil {
		return fmt.Sprintf("ipId %q and identifier %q", c.IPID, *c.Identifier)
	}
	if c.IPUserID != nil {
		return fmt.Sprintf("ipId %q and ipUserId %q", c.IPID, *c.IPUserID)
	}
	return fmt.Sprintf("ipId %q", c.IPID)
}

// FindContacts lists the contacts of one owner account.
func (s *store) FindContacts(ctx context.Context, f keyward.ContactFilter) ([]*keyward.Contact, error) {
	var a args
	spec := listSpec{
		selectFrom:   `SELECT id, owner_id, identifier, ip_id, ip_user_id, title, comment, created_at FROM contacts`,
		where:        []string{"owner_id = " + a.bind(f.OwnerID)},
		schema:       contactSchema,
		defaultOrder: "created_at, id",
	}
	if f.ID != nil {
		spec.where = append(spec.where, "id = "+a.bind(*f.ID))
	}
	if f.IDs != nil {
		spec.where = append(spec.where, s.d.in("id", f.IDs, &a))
	}
	if f.NaturalKey != nil {
		spec.where = append(spec.where, "natural_key = "+a.bind(*f.NaturalKey))
	}
	var list []*keyward.Contact
	err := s.list(ctx, spec, a, f.Query, func(rows *sql.Rows) error {
		var c keyward.Contact
		var identifier, ipUserID, title, comment sql.NullString
		var created int64
		if err := rows.Scan(&c.ID, &c.OwnerID, &identifier, &c.IPID, &ipUserID, &title, &comment, &created); err != nil {
			return err
		}
		c.Identifier, c.IPUserID, c.Title, c.Comment = strPtr(identifier), strPtr(ipUserID), strPtr(title), strPtr(comment)
		if c.IPID == keyward.IPTapkey {
			c.Email = c.Identifier
		}
		c.CreatedAt = keyward.TimeFromMillis(created)
		list = append(list, &c)
		return nil
	})
	return list, err
}

// UpdateContact changes title and comment.
func (s *ownerStore) UpdateContact(ctx context.Context, id string, u keyward.ContactUpdate) error {
	a := args{}
	set := setClause{a: &a}
	if u.Title != nil {
		set.add("title", *u.Title)
	}
	if u.Comment != nil {
		set.add("comment", *u.Comment)
	}
	if len(set.parts) == 0 {
		return nil
	}
	res, err := s.q.ExecContext(ctx, `UPDATE contacts SET `+set.String()+
		` WHERE owner_id = `+a.bind(s.owner)+` AND id = `+a.bind(id), a...)
	if err != nil {
		return fmt.Errorf("sqlstore: update contact: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("contact %q does not exist", id))
}

// DeleteContact removes the contact and, by cascade, its permissions.
func (s *ownerStore) DeleteContact(ctx context.Context, id string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM contacts WHERE owner_id = $1 AND id = $2`, s.owner, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete contact: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("contact %q does not exist", id))
}
