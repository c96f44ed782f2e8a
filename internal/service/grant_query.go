package service

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// FindGrants lists the account's grants with their contact, card, lock and owner embedded.
func (s *Service) FindGrants(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, keyward.ScopeReadGrants, false); err != nil {
		return nil, err
	}
	return s.findGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, Query: q})
}

// FindBoundCardGrants lists the grants of one bound card.
func (s *Service) FindBoundCardGrants(ctx context.Context, ownerID, cardID string, q *keyward.Query) ([]*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, keyward.ScopeReadGrants, false); err != nil {
		return nil, err
	}
	if _, err := s.findBoundCard(ctx, s.store, ownerID, cardID); err != nil {
		return nil, err
	}
	return s.findGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, BoundCardID: &cardID, Query: q})
}

func (s *Service) findGrants(ctx context.Context, f keyward.GrantFilter) ([]*keyward.Grant, error) {
	if err := checkNoExpand(f.Query); err != nil {
		return nil, err
	}
	list, err := s.store.FindGrants(ctx, f)
	if err != nil {
		return nil, err
	}
	return list, s.embed(ctx, s.store, f.OwnerID, list...)
}

// FindGrant returns one grant.
func (s *Service) FindGrant(ctx context.Context, ownerID, id string) (*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, keyward.ScopeReadGrants, false); err != nil {
		return nil, err
	}
	g, err := s.findGrant(ctx, s.store, ownerID, id)
	if err != nil {
		return nil, err
	}
	return g, s.embed(ctx, s.store, ownerID, g)
}

func (s *Service) findGrant(ctx context.Context, tx keyward.Tx, ownerID, id string) (*keyward.Grant, error) {
	list, err := tx.FindGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("grant %q does not exist", id)
	}
	return list[0], nil
}

// embed fills the grants' contact, boundCard, boundLock (the lock or group) and owner with one
// query per kind, not one per grant.
func (s *Service) embed(ctx context.Context, tx keyward.Tx, ownerID string, grants ...*keyward.Grant) error {
	if len(grants) == 0 {
		return nil
	}
	owner, err := s.findOwner(ctx, tx, ownerID)
	if err != nil {
		return err
	}
	var contactIDs, cardIDs, targetIDs []string
	for _, g := range grants {
		if g.ContactID != nil {
			contactIDs = append(contactIDs, *g.ContactID)
		}
		if g.BoundCardID != nil {
			cardIDs = append(cardIDs, *g.BoundCardID)
		}
		targetIDs = append(targetIDs, g.BoundLockID)
	}
	contacts, err := byID(func(c *keyward.Contact) string { return c.ID })(tx.FindContacts(ctx, keyward.ContactFilter{OwnerID: ownerID, IDs: contactIDs}))
	if err != nil {
		return err
	}
	cards, err := byID(func(c *keyward.BoundCard) string { return c.ID })(tx.FindBoundCards(ctx, keyward.BoundCardFilter{OwnerID: ownerID, IDs: cardIDs}))
	if err != nil {
		return err
	}
	locks, err := byID(func(l *keyward.BoundLock) string { return l.ID })(tx.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: ownerID, IDs: targetIDs}))
	if err != nil {
		return err
	}
	groups, err := byID(func(g *keyward.LockGroup) string { return g.ID })(tx.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: ownerID, IDs: targetIDs}))
	if err != nil {
		return err
	}
	for _, g := range grants {
		g.Owner = owner
		if g.ContactID != nil {
			g.Contact = contacts[*g.ContactID]
		}
		if g.BoundCardID != nil {
			g.BoundCard = cards[*g.BoundCardID]
		}
		g.BoundLock = &keyward.GrantTarget{Lock: locks[g.BoundLockID], Group: groups[g.BoundLockID]}
	}
	return nil
}

// byID returns a function that indexes a list result by the id that key reads, passing an error
// through: byID(key)(tx.FindXxx(...)).
func byID[T any](key func(T) string) func([]T, error) (map[string]T, error) {
	return func(list []T, err error) (map[string]T, error) {
		if err != nil {
			return nil, err
		}
		m := make(map[string]T, len(list))
		for _, v := range list {
			m[key(v)] = v
		}
		return m, nil
	}
}
