package service

import (
	"context"
	"errors"

	"github.com/keyward/keyward/internal/keyward"
)

// FindBoundCards lists the bound cards of an owner account.
func (s *Service) FindBoundCards(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.BoundCard, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the bound cards", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := checkNoExpand(q); err != nil {
		return nil, err
	}
	return s.data.FindBoundCards(ctx, keyward.BoundCardFilter{OwnerID: ownerID, Query: q})
}

// FindBoundCard returns one bound card.
func (s *Service) FindBoundCard(ctx context.Context, ownerID, id string) (*keyward.BoundCard, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read a bound card", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	return s.findBoundCard(ctx, s.data, ownerID, id)
}

func (s *Service) findBoundCard(ctx context.Context, tx keyward.Tx, ownerID, id string) (*keyward.BoundCard, error) {
	list, err := tx.FindBoundCards(ctx, keyward.BoundCardFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("bound card %q does not exist", id)
	}
	return list[0], nil
}

// BindCard binds a registered card, named by physicalCardId or uid; a card bound to any account
// is 403.
func (s *Service) BindCard(ctx context.Context, ownerID string, r keyward.BindCardRequest) (*keyward.BoundCard, error) {
	if err := s.authorize(ctx, ownerID, useCase{"bind a card", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := firstError(checkText("title", r.Title), checkText("label", r.Label)); err != nil {
		return nil, err
	}
	if deref(r.PhysicalCardID) == "" && deref(r.UID) == "" {
		return nil, keyward.Invalidf("one of %q or %q is required", "physicalCardId", "uid")
	}
	var c *keyward.BoundCard
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		phys, err := tx.FindPhysicalCard(ctx, deref(r.PhysicalCardID), deref(r.UID))
		if errors.Is(err, keyward.ErrNotFound) {
			return keyward.Invalidf("no card with this %s is registered", cardKey(r))
		}
		if err != nil {
			return err
		}
		if r.UID != nil && *r.UID != phys.UID {
			return keyward.Invalidf("fields %q and %q name different cards", "physicalCardId", "uid")
		}
		now := s.timestamp()
		c = &keyward.BoundCard{ID: s.newID(), OwnerAccountID: ownerID, PhysicalCardID: phys.ID, Title: r.Title,
			Label: deref(r.Label), BindDate: now, IsActive: true, CreatedAt: now}
		if err := tx.CreateBoundCard(ctx, c); err != nil {
			return err
		}
		c, err = s.findBoundCard(ctx, tx.Tx, ownerID, c.ID)
		return err
	})
	return c, err
}

func cardKey(r keyward.BindCardRequest) string {
	if deref(r.PhysicalCardID) != "" {
		return "physicalCardId"
	}
	return "uid"
}

// UpdateBoundCard changes the title.
func (s *Service) UpdateBoundCard(ctx context.Context, ownerID, id string, u keyward.BoundCardUpdate) error {
	if err := s.authorize(ctx, ownerID, useCase{"change a bound card", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return err
	}
	if err := checkText("title", u.Title); err != nil {
		return err
	}
	return s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if _, err := s.findBoundCard(ctx, tx.Tx, ownerID, id); err != nil {
			return err
		}
		return tx.UpdateBoundCard(ctx, id, u)
	})
}
