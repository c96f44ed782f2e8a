package service

import (
	"context"
	"errors"

	"github.com/keyward/keyward/internal/keyward"
)

// RevokeGrant starts the revocation of a grant: it is inactive at once, and RevocationPending
// until the lock confirms at its next sync when a lock already holds its key (else Revoked).
// Revoking a grant that is no longer active answers it unchanged. With dryRun nothing changes.
func (s *Service) RevokeGrant(ctx context.Context, ownerID, id string, dryRun bool) (*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"revoke a grant", keyward.ScopeWriteGrants, ""}); err != nil {
		return nil, err
	}
	return s.changeGrant(ctx, ownerID, id, dryRun, func(tx keyward.OwnerTx, g *keyward.Grant) error {
		_, err := tx.RevokeGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, ID: &g.ID}, true, s.timestamp())
		return err
	})
}

// changeGrant runs change on one grant in a transaction and answers the grant as the database
// then holds it, embedded; with dryRun the transaction is rolled back.
func (s *Service) changeGrant(ctx context.Context, ownerID, id string, dryRun bool, change func(keyward.OwnerTx, *keyward.Grant) error) (*keyward.Grant, error) {
	var g *keyward.Grant
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		var err error
		if g, err = s.findGrant(ctx, tx.Tx, ownerID, id); err != nil {
			return err
		}
		if err := change(tx, g); err != nil {
			return err
		}
		if g, err = s.findGrant(ctx, tx.Tx, ownerID, id); err != nil {
			return err
		}
		if err := s.embed(ctx, tx.Tx, ownerID, g); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return g, err
}

// end makes an active grant Revoked without telling any lock; an inactive grant is left as it is.
func (s *Service) end(ctx context.Context, tx keyward.OwnerTx, g *keyward.Grant) error {
	if !g.Active {
		return nil
	}
	return tx.RevokeGrant(ctx, g.ID, keyward.GrantRevoked, s.timestamp())
}

// revokeAll revokes every active grant a filter selects, in one statement that decides each
// state (RevocationPending for a key a lock holds, when pending; else Revoked) and tells the
// locks that hold their keys, and returns the grants as they now are.
func (s *Service) revokeAll(ctx context.Context, tx keyward.OwnerTx, f keyward.GrantFilter, pending bool) ([]*keyward.Grant, error) {
	ids, err := tx.RevokeGrants(ctx, f, pending, s.timestamp())
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return tx.FindGrants(ctx, keyward.GrantFilter{OwnerID: f.OwnerID, IDs: ids})
}

// RevokeContactGrants revokes all active grants of a contact and answers them.
func (s *Service) RevokeContactGrants(ctx context.Context, ownerID, contactID string) ([]*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"revoke a contact's grants", keyward.ScopeWriteGrants, ""}); err != nil {
		return nil, err
	}
	return s.revokeGranteeGrants(ctx, ownerID, keyward.GrantFilter{OwnerID: ownerID, ContactID: &contactID}, func(tx keyward.Tx) error {
		_, err := s.findContact(ctx, tx, ownerID, contactID)
		return err
	})
}

// RevokeBoundCardGrants revokes all active grants of a card, for a lost or stolen card.
func (s *Service) RevokeBoundCardGrants(ctx context.Context, ownerID, cardID string) ([]*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"revoke a bound card's grants", keyward.ScopeWriteGrants, ""}); err != nil {
		return nil, err
	}
	return s.revokeGranteeGrants(ctx, ownerID, keyward.GrantFilter{OwnerID: ownerID, BoundCardID: &cardID}, func(tx keyward.Tx) error {
		_, err := s.findBoundCard(ctx, tx, ownerID, cardID)
		return err
	})
}

func (s *Service) revokeGranteeGrants(ctx context.Context, ownerID string, f keyward.GrantFilter, exists func(keyward.Tx) error) ([]*keyward.Grant, error) {
	var list []*keyward.Grant
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if err := exists(tx.Tx); err != nil {
			return err
		}
		var err error
		if list, err = s.revokeAll(ctx, tx, f, true); err != nil {
			return err
		}
		return s.embed(ctx, tx.Tx, ownerID, list...)
	})
	return list, err
}

// DeleteGrantFromCard ends a card grant while the card is in hand: the key is removed at the
// card's next sync, so the grant is Revoked at once and no lock's revocation list changes.
func (s *Service) DeleteGrantFromCard(ctx context.Context, ownerID, id string) (*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"delete a grant from a card", keyward.ScopeWriteGrants, ""}); err != nil {
		return nil, err
	}
	return s.changeGrant(ctx, ownerID, id, false, func(tx keyward.OwnerTx, g *keyward.Grant) error {
		if g.BoundCardID == nil {
			return keyward.ErrGeneric.WithDetails("grant %q is for a contact; only card grants can be deleted from a card", id)
		}
		// the card gives its key back at its next sync; no lock needs to learn of it
		return s.end(ctx, tx, g)
	})
}
