package service

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// FindPermissions lists the administrators of an owner account.
func (s *Service) FindPermissions(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.Permission, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the permissions", keyward.ScopeReadOwnerPermissions, ""}); err != nil {
		return nil, err
	}
	if err := checkNoExpand(q); err != nil {
		return nil, err
	}
	return s.data.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: ownerID, Query: q})
}

// FindAdministrators lists the account's permissions, each with its contact: the permissions,
// then their contacts in one read, instead of a read per administrator.
func (s *Service) FindAdministrators(ctx context.Context, ownerID string) ([]keyward.Administrator, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the administrators", keyward.ScopeReadOwnerPermissions, ""}); err != nil {
		return nil, err
	}
	if _, err := userCaller(ctx, "list the administrators", keyward.ScopeReadCoreEntities); err != nil { // their contacts too
		return nil, err
	}
	perms, err := s.data.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: ownerID})
	if err != nil || len(perms) == 0 {
		return nil, err
	}
	ids := make([]string, len(perms))
	for i, p := range perms {
		ids[i] = p.ContactID
	}
	contacts, err := s.data.FindContacts(ctx, keyward.ContactFilter{OwnerID: ownerID, IDs: ids})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*keyward.Contact, len(contacts))
	for _, c := range contacts {
		byID[c.ID] = c
	}
	admins := make([]keyward.Administrator, 0, len(perms))
	for _, p := range perms {
		// A contact is deleted with its permission; one missing here was deleted between the two
		// reads, and its permission with it.
		if c := byID[p.ContactID]; c != nil {
			admins = append(admins, keyward.Administrator{Permission: p, Contact: c})
		}
	}
	return admins, nil
}

// FindPermission returns one permission.
func (s *Service) FindPermission(ctx context.Context, ownerID, id string) (*keyward.Permission, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read a permission", keyward.ScopeReadOwnerPermissions, ""}); err != nil {
		return nil, err
	}
	return s.findPermission(ctx, s.data, ownerID, id)
}

func (s *Service) findPermission(ctx context.Context, tx keyward.Tx, ownerID, id string) (*keyward.Permission, error) {
	list, err := tx.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("permission %q does not exist", id)
	}
	return list[0], nil
}

// CreatePermission makes a contact an administrator. Only an Owner may do so, and only contacts
// of Keyward users can administer an account, because only they can sign in.
func (s *Service) CreatePermission(ctx context.Context, ownerID string, c keyward.PermissionCreate) (*keyward.Permission, error) {
	if err := s.authorize(ctx, ownerID, useCase{"grant a permission", keyward.ScopeWriteOwnerPermissions, keyward.RoleOwner}); err != nil {
		return nil, err
	}
	if c.ContactID == "" {
		return nil, keyward.Invalidf("field %q is required", "contactId")
	}
	if !c.Role.Valid() {
		return nil, keyward.Invalidf("field %q must be %q or %q, got %q", "role", keyward.RoleOwner, keyward.RoleAdmin, c.Role)
	}
	var perm *keyward.Permission
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		contact, err := s.findContact(ctx, tx.Tx, ownerID, c.ContactID)
		if err != nil {
			return err
		}
		if contact.IPID != keyward.IPTapkey || contact.Identifier == nil {
			return keyward.Invalidf("contact %q is not a Keyward user (ipId %q); only users can administer an owner account", contact.ID, contact.IPID)
		}
		if u, err := tx.FindUserByEmail(ctx, *contact.Identifier); err == nil && !u.Verified && u.Kind == keyward.UserPerson {
			return keyward.ErrEmailNotVerified.WithDetails("user %q must verify the address %q before becoming an administrator", u.ID, u.Email)
		}
		perm = &keyward.Permission{ID: s.newID(), OwnerAccountID: ownerID, ContactID: contact.ID, Role: c.Role, CreatedAt: s.timestamp()}
		return tx.CreatePermission(ctx, perm)
	})
	return perm, err
}

// DeletePermission removes an administrator; the last Owner of an account stays (403).
func (s *Service) DeletePermission(ctx context.Context, ownerID, id string) error {
	if err := s.authorize(ctx, ownerID, useCase{"remove a permission", keyward.ScopeWriteOwnerPermissions, keyward.RoleOwner}); err != nil {
		return err
	}
	return s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		perm, err := s.findPermission(ctx, tx.Tx, ownerID, id)
		if err != nil {
			return err
		}
		if err := s.keepAnOwner(ctx, tx.Tx, ownerID, perm); err != nil {
			return err
		}
		return tx.DeletePermission(ctx, id)
	})
}

// keepAnOwner refuses to remove perm when it is the account's only Owner permission. The caller
// holds the owner lock, so two removals cannot both see a second Owner.
func (s *Service) keepAnOwner(ctx context.Context, tx keyward.Tx, ownerID string, perm *keyward.Permission) error {
	if perm == nil || perm.Role != keyward.RoleOwner {
		return nil
	}
	role := keyward.RoleOwner
	owners, err := tx.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: ownerID, Role: &role})
	if err != nil {
		return err
	}
	if len(owners) <= 1 {
		return keyward.ErrLastOwner.WithDetails("permission %q is the only Owner permission of owner account %q", perm.ID, ownerID)
	}
	return nil
}
