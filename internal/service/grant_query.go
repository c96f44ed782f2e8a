package service

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// FindGrants lists the account's grants with their contact, card, lock and owner embedded.
func (s *Service) FindGrants(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the grants", keyward.ScopeReadGrants, ""}); err != nil {
		return nil, err
	}
	return s.findGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, Query: q})
}

// FindBoundCardGrants lists the grants of one bound card.
func (s *Service) FindBoundCardGrants(ctx context.Context, ownerID, cardID string, q *keyward.Query) ([]*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list a bound card's grants", keyward.ScopeReadGrants, ""}); err != nil {
		return nil, err
	}
	if _, err := s.findBoundCard(ctx, s.data, ownerID, cardID); err != nil {
		return nil, err
	}
	return s.findGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, BoundCardID: &cardID, Query: q})
}

// FindGrantsOnTargets lists the grants on any of the locks and groups named, with the OData
// query q: what a lock's access page lists for the lock and its groups, in one statement however
// many groups the lock is in (a $filter naming each would outgrow an option's length).
func (s *Service) FindGrantsOnTargets(ctx context.Context, ownerID string, targetIDs []string, q *keyward.Query) ([]*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the grants on locks and groups", keyward.ScopeReadGrants, ""}); err != nil {
		return nil, err
	}
	return s.findGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, TargetIDs: append([]string{}, targetIDs...), Query: q})
}

func (s *Service) findGrants(ctx context.Context, f keyward.GrantFilter) ([]*keyward.Grant, error) {
	if err := checkNoExpand(f.Query); err != nil {
		return nil, err
	}
	list, err := s.data.FindGrants(ctx, f)
	if err != nil {
		return nil, err
	}
	return list, s.embed(ctx, s.data, f.OwnerID, list...)
}

// FindGrant returns one grant.
func (s *Service) FindGrant(ctx context.Context, ownerID, id string) (*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read a grant", keyward.ScopeReadGrants, ""}); err != nil {
		return nil, err
	}
	g, err := s.findGrant(ctx, s.data, ownerID, id)
	if err != nil {
		return nil, err
	}
	return g, s.embed(ctx, s.data, ownerID, g)
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
	var contactIDs, cardIDs, targetIDs idSet
	for _, g := range grants {
		contactIDs.add(g.ContactID)
		cardIDs.add(g.BoundCardID)
		targetIDs.add(&g.BoundLockID)
	}
	contacts, err := lookup(contactIDs, func(ids []string) ([]*keyward.Contact, error) {
		return tx.FindContacts(ctx, keyward.ContactFilter{OwnerID: ownerID, IDs: ids})
	}, func(c *keyward.Contact) string { return c.ID })
	if err != nil {
		return err
	}
	cards, err := lookup(cardIDs, func(ids []string) ([]*keyward.BoundCard, error) {
		return tx.FindBoundCards(ctx, keyward.BoundCardFilter{OwnerID: ownerID, IDs: ids})
	}, func(c *keyward.BoundCard) string { return c.ID })
	if err != nil {
		return err
	}
	locks, err := lookup(targetIDs, func(ids []string) ([]*keyward.BoundLock, error) {
		return tx.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: ownerID, IDs: ids})
	}, func(l *keyward.BoundLock) string { return l.ID })
	if err != nil {
		return err
	}
	groups, err := lookup(targetIDs, func(ids []string) ([]*keyward.LockGroup, error) {
		return tx.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: ownerID, IDs: ids})
	}, func(g *keyward.LockGroup) string { return g.ID })
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

// idSet collects the distinct ids an embedding refers to, in first-seen order.
type idSet struct {
	ids  []string
	seen map[string]bool
}

// add records *id unless id is nil or recorded already.
func (s *idSet) add(id *string) {
	if id == nil || s.seen[*id] {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[*id] = true
	s.ids = append(s.ids, *id)
}

// lookup reads exactly the entities ids names with find and indexes them by key. No ids means
// no query: an empty id list must never turn into a read of the whole account.
func lookup[T any](ids idSet, find func([]string) ([]T, error), key func(T) string) (map[string]T, error) {
	m := make(map[string]T, len(ids.ids))
	if len(ids.ids) == 0 {
		return m, nil
	}
	list, err := find(ids.ids)
	if err != nil {
		return nil, err
	}
	for _, v := range list {
		m[key(v)] = v
	}
	return m, nil
}
