package sqlstore

import (
	"context"
	"database/sql"
	"errors"
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

// contactCols are the columns of a contact's row as contactValues gives them; contactSelect
// are those scanContact reads.
const (
	contactCols   = "id, owner_id, natural_key, identifier, identifier_key, ip_id, ip_user_id, title, comment, created_at"
	contactSelect = "id, owner_id, identifier, ip_id, ip_user_id, title, comment, created_at"
)

// scanContact reads a contact's contactSelect columns.
func scanContact(row rowScanner) (*keyward.Contact, error) {
	var c keyward.Contact
	var identifier, ipUserID, title, comment sql.NullString
	var created int64
	if err := row.Scan(&c.ID, &c.OwnerID, &identifier, &c.IPID, &ipUserID, &title, &comment, &created); err != nil {
		return nil, err
	}
	c.Identifier, c.IPUserID, c.Title, c.Comment = strPtr(identifier), strPtr(ipUserID), strPtr(title), strPtr(comment)
	if c.IPID == keyward.IPTapkey {
		c.Email = c.Identifier
	}
	c.CreatedAt = keyward.TimeFromMillis(created)
	return &c, nil
}

// CreateContact stores c; a second contact with the same identity is ErrDuplicateContact.
func (s *ownerStore) CreateContact(ctx context.Context, c *keyward.Contact) error {
	if err := s.mine("contact", c.OwnerID); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO contacts (`+contactCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, contactValues(c)...)
	if isUniqueViolation(err) {
		return keyward.ErrDuplicateContact.WithDetails("a contact for %s already exists in this owner account", describeContact(c))
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create contact: %w", err)
	}
	return nil
}

// ensureContactSQL stores a contact ($1–$10 its contactCols) unless the account holds one of
// its identity, and answers the contact the account holds: the new row, or the one there was.
// Under the account's lock every other contact of the account was committed before the
// statement began, so exactly one branch answers; a conflict with a row that is not visible to
// it (one written without the lock) answers nothing.
const ensureContactSQL = `WITH fresh AS (
		INSERT INTO contacts (` + contactCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (owner_id, natural_key) DO NOTHING RETURNING ` + contactSelect + `
	)
	SELECT ` + contactSelect + ` FROM fresh
	UNION ALL
	SELECT ` + contactSelect + ` FROM contacts WHERE owner_id = $2 AND natural_key = $3`

// EnsureContact returns the account's contact of c's identity, storing c when there is none.
// On PostgreSQL one statement looks and stores (ensureContactSQL), a round trip instead of two
// for a new contact; SQLite, in the process, looks first.
func (s *ownerStore) EnsureContact(ctx context.Context, c *keyward.Contact) (*keyward.Contact, error) {
	if err := s.mine("contact", c.OwnerID); err != nil {
		return nil, err
	}
	if s.d.engine == Postgres {
		found, err := scanContact(s.q.QueryRowContext(ctx, ensureContactSQL, contactValues(c)...))
		if !errors.Is(err, sql.ErrNoRows) {
			if err != nil {
				return nil, fmt.Errorf("sqlstore: ensure contact: %w", err)
			}
			return found, nil
		}
	}
	key := c.NaturalKey()
	list, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: c.OwnerID, NaturalKey: &key})
	switch {
	case err != nil:
		return nil, err
	case len(list) > 0:
		return list[0], nil
	}
	return c, s.CreateContact(ctx, c)
}

// contactValues are c's values in the order of contactCols.
func contactValues(c *keyward.Contact) []any {
	var idKey *string
	if c.Identifier != nil {
		k := strings.ToLower(*c.Identifier)
		idKey = &k
	}
	return []any{c.ID, c.OwnerID, c.NaturalKey(), c.Identifier, idKey, c.IPID, c.IPUserID, c.Title, c.Comment, c.CreatedAt.Millis()}
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
		selectFrom:   `SELECT ` + contactSelect + ` FROM contacts`,
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
		c, err := scanContact(rows)
		if err != nil {
			return err
		}
		list = append(list, c)
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
