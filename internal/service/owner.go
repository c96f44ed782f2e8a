package service

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// FindOwners lists the owner accounts the caller administers.
func (s *Service) FindOwners(ctx context.Context, q *keyward.Query) ([]*keyward.Owner, error) {
	p, err := userCaller(ctx, "list the owner accounts", keyward.ScopeReadOwnerAccounts)
	if err != nil {
		return nil, err
	}
	if err := checkNoExpand(q); err != nil {
		return nil, err
	}
	return s.data.FindOwners(ctx, keyward.OwnerFilter{AdminUserID: &p.UserID, Query: q})
}

// FindOwner returns one owner account the caller administers.
func (s *Service) FindOwner(ctx context.Context, id string) (*keyward.Owner, error) {
	if err := s.authorize(ctx, id, useCase{"read the owner account", keyward.ScopeReadOwnerAccounts, ""}); err != nil {
		return nil, err
	}
	return s.findOwner(ctx, s.data, id)
}

func (s *Service) findOwner(ctx context.Context, tx keyward.Tx, id string) (*keyward.Owner, error) {
	list, err := tx.FindOwners(ctx, keyward.OwnerFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("owner account %q does not exist", id)
	}
	return list[0], nil
}

// CreateOwner creates an owner account whose Owner is the calling user. Service users of
// client-credentials clients cannot own accounts (decisions §3).
func (s *Service) CreateOwner(ctx context.Context, c keyward.OwnerCreate) (*keyward.Owner, error) {
	p, err := userCaller(ctx, "create an owner account", keyward.ScopeWriteOwnerAccounts)
	if err != nil {
		return nil, err
	}
	if p.UserKind != keyward.UserPerson {
		return nil, keyward.ErrOwnerCreateDenied.WithDetails("a client-credentials token acts for a service user, which cannot own an owner account")
	}
	if err := checkRequiredText("name", c.Name); err != nil {
		return nil, err
	}
	u, err := s.data.FindUserByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	return s.createOwner(ctx, c.Name, "", u)
}

// createOwner stores the account, the user's contact in it and the user's Owner permission.
func (s *Service) createOwner(ctx context.Context, name, plan string, u *keyward.User) (*keyward.Owner, error) {
	if !u.Verified && u.Kind == keyward.UserPerson {
		return nil, keyward.ErrEmailNotVerified.WithDetails("user %q must verify the address %q before creating an owner account", u.ID, u.Email)
	}
	o := &keyward.Owner{ID: s.newID(), Name: name, Active: true, Plan: plan, CreatedAt: s.timestamp()}
	err := s.store.InNewOwnerTx(ctx, o, func(tx keyward.OwnerTx) error {
		_, err := s.grantRole(ctx, tx, o.ID, u, keyward.RoleOwner)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// grantRole finds or creates the user's contact in the account and gives it a permission.
func (s *Service) grantRole(ctx context.Context, tx keyward.OwnerTx, ownerID string, u *keyward.User, role keyward.Role) (*keyward.Permission, error) {
	c, err := s.findOrCreateContact(ctx, tx, ownerID, keyward.IPTapkey, u.Email)
	if err != nil {
		return nil, err
	}
	perm := &keyward.Permission{ID: s.newID(), OwnerAccountID: ownerID, ContactID: c.ID, Role: role, CreatedAt: s.timestamp()}
	return perm, tx.CreatePermission(ctx, perm)
}

// findOrCreateContact returns the contact with this identity, creating it when absent.
func (s *Service) findOrCreateContact(ctx context.Context, tx keyward.OwnerTx, ownerID, ipID, identifier string) (*keyward.Contact, error) {
	c := &keyward.Contact{ID: s.newID(), OwnerID: ownerID, IPID: ipID, Identifier: &identifier, CreatedAt: s.timestamp()}
	if ipID == keyward.IPTapkey {
		c.Email = c.Identifier
	}
	return tx.EnsureContact(ctx, c)
}

func first[T any](list []*T) *T {
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

// UpdateOwner renames an owner account.
func (s *Service) UpdateOwner(ctx context.Context, id string, u keyward.OwnerUpdate) (*keyward.Owner, error) {
	if err := s.authorize(ctx, id, useCase{"change the owner account", keyward.ScopeWriteOwnerAccounts, ""}); err != nil {
		return nil, err
	}
	if u.Name != nil {
		if err := checkRequiredText("name", *u.Name); err != nil {
			return nil, err
		}
	}
	err := s.store.InOwnerTx(ctx, id, func(tx keyward.OwnerTx) error { return tx.UpdateOwner(ctx, u) })
	if err != nil {
		return nil, err
	}
	return s.findOwner(ctx, s.data, id)
}
