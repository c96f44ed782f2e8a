package service

import (
	"context"
	"net/mail"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// FindContacts lists the contacts of an owner account.
func (s *Service) FindContacts(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.Contact, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the contacts", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := checkNoExpand(q); err != nil {
		return nil, err
	}
	return s.data.FindContacts(ctx, keyward.ContactFilter{OwnerID: ownerID, Query: q})
}

// FindContact returns one contact.
func (s *Service) FindContact(ctx context.Context, ownerID, id string) (*keyward.Contact, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read a contact", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	return s.findContact(ctx, s.data, ownerID, id)
}

func (s *Service) findContact(ctx context.Context, tx keyward.Tx, ownerID, id string) (*keyward.Contact, error) {
	list, err := tx.FindContacts(ctx, keyward.ContactFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("contact %q does not exist", id)
	}
	return list[0], nil
}

// CreateContact creates a contact in any of the three forms of the reference: identifier (with
// optional ipId), the legacy email, or ipId with ipUserId. A second contact with the same
// identity is 400 Duplicate.
func (s *Service) CreateContact(ctx context.Context, ownerID string, in keyward.ContactCreate) (*keyward.Contact, error) {
	if err := s.authorize(ctx, ownerID, useCase{"create a contact", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return nil, err
	}
	c, err := s.newContact(ownerID, in)
	if err != nil {
		return nil, err
	}
	err = s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.CreateContact(ctx, c) })
	if err != nil {
		return nil, err
	}
	return c, nil
}

// newContact validates a create request and builds the contact.
func (s *Service) newContact(ownerID string, in keyward.ContactCreate) (*keyward.Contact, error) {
	if err := firstError(checkText("title", in.Title), checkText("comment", in.Comment),
		checkText("identifier", in.Identifier), checkText("ipUserId", in.IPUserID), checkText("ipId", in.IPID)); err != nil {
		return nil, err
	}
	c := &keyward.Contact{ID: s.newID(), OwnerID: ownerID, IPID: keyward.IPTapkey, Title: in.Title, Comment: in.Comment, CreatedAt: s.timestamp()}
	if in.IPID != nil {
		c.IPID = strings.TrimSpace(*in.IPID)
		if c.IPID == "" {
			return nil, keyward.Invalidf("field %q must not be empty", "ipId")
		}
	}
	identifier, err := contactIdentifier(in)
	if err != nil {
		return nil, err
	}
	switch {
	case identifier != nil && in.IPUserID != nil:
		return nil, keyward.Invalidf("give either %q (or %q) or %q, not both", "identifier", "email", "ipUserId")
	case identifier != nil:
		c.Identifier = identifier
	case in.IPUserID != nil:
		if in.IPID == nil || c.IPID == keyward.IPTapkey {
			return nil, keyward.Invalidf("field %q needs the %q of an external identity provider", "ipUserId", "ipId")
		}
		if *in.IPUserID == "" {
			return nil, keyward.Invalidf("field %q must not be empty", "ipUserId")
		}
		c.IPUserID = in.IPUserID
	default:
		return nil, keyward.Invalidf("one of %q, %q or %q (with %q) is required", "identifier", "email", "ipUserId", "ipId")
	}
	if c.IPID == keyward.IPTapkey {
		if _, err := mail.ParseAddress(*c.Identifier); err != nil || strings.ContainsAny(*c.Identifier, "<> ") {
			return nil, keyward.Invalidf("field %q must be an e-mail address for ipId %q, got %q", "identifier", keyward.IPTapkey, *c.Identifier)
		}
		c.Email = c.Identifier
	}
	return c, nil
}

// contactIdentifier merges identifier and its legacy alias email; the legacy form cannot be
// combined with an external identity provider.
func contactIdentifier(in keyward.ContactCreate) (*string, error) {
	if in.Email != nil && (in.IPUserID != nil || (in.IPID != nil && *in.IPID != keyward.IPTapkey)) {
		return nil, keyward.Invalidf("field %q is the legacy form for Keyward users and cannot be combined with %q or %q", "email", "ipId", "ipUserId")
	}
	if in.Email != nil && in.Identifier != nil && !strings.EqualFold(*in.Email, *in.Identifier) {
		return nil, keyward.Invalidf("fields %q and %q differ; send only %q", "email", "identifier", "identifier")
	}
	id := in.Identifier
	if id == nil {
		id = in.Email
	}
	if id != nil {
		v := strings.TrimSpace(*id)
		if v == "" {
			return nil, keyward.Invalidf("field %q must not be empty", "identifier")
		}
		id = &v
	}
	return id, nil
}

// UpdateContact changes title and comment; a contact's identity cannot change.
func (s *Service) UpdateContact(ctx context.Context, ownerID, id string, u keyward.ContactUpdate) (*keyward.Contact, error) {
	if err := s.authorize(ctx, ownerID, useCase{"change a contact", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := firstError(checkText("title", u.Title), checkText("comment", u.Comment)); err != nil {
		return nil, err
	}
	var c *keyward.Contact
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		cur, err := s.findContact(ctx, tx.Tx, ownerID, id)
		if err != nil {
			return err
		}
		if err := checkIdentityUnchanged(cur, u); err != nil {
			return err
		}
		if err := tx.UpdateContact(ctx, id, u); err != nil {
			return err
		}
		c, err = s.findContact(ctx, tx.Tx, ownerID, id)
		return err
	})
	return c, err
}

// checkIdentityUnchanged refuses a PATCH that tries to change who the contact is.
func checkIdentityUnchanged(cur *keyward.Contact, u keyward.ContactUpdate) error {
	for _, f := range []struct {
		field string
		v     *string
	}{{"identifier", u.Identifier}, {"email", u.Email}} {
		if field, v := f.field, f.v; v != nil && (cur.Identifier == nil || !strings.EqualFold(*v, *cur.Identifier)) {
			return keyward.ErrEmailChangeNotSupported.WithDetails("field %q of contact %q cannot be changed; create a new contact instead", field, cur.ID)
		}
	}
	if u.IPID != nil && *u.IPID != cur.IPID {
		return keyward.Invalidf("field %q of contact %q cannot be changed; only %q and %q are patchable", "ipId", cur.ID, "title", "comment")
	}
	if u.IPUserID != nil && (cur.IPUserID == nil || *u.IPUserID != *cur.IPUserID) {
		return keyward.Invalidf("field %q of contact %q cannot be changed; only %q and %q are patchable", "ipUserId", cur.ID, "title", "comment")
	}
	return nil
}

// DeleteContact removes a contact with its permission and grants; the grants are revoked first,
// so that locks holding their keys learn of it. The last Owner's contact stays (403).
func (s *Service) DeleteContact(ctx context.Context, ownerID, id string) error {
	if err := s.authorize(ctx, ownerID, useCase{"delete a contact", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return err
	}
	return s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		perms, err := tx.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: ownerID, ContactID: &id})
		if err != nil {
			return err
		}
		if err := s.keepAnOwner(ctx, tx.Tx, ownerID, first(perms)); err != nil {
			return err
		}
		if _, err := s.revokeAll(ctx, tx, keyward.GrantFilter{OwnerID: ownerID, ContactID: &id}, false); err != nil {
			return err
		}
		return tx.DeleteContact(ctx, id)
	})
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
