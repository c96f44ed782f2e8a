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
	return s.changeGrant(ctx, ownerID, id, dryRun, func(tx keyward.Tx, g *keyward.Grant) error {
		return s.revoke(ctx, tx, g, revocationState(g))
	})
}

// changeGrant runs change on one grant in a transaction and answers the grant as it then is,
// embedded; with dryRun the transaction is rolled back.
func (s *Service) changeGrant(ctx context.Context, ownerID, id string, dryRun bool, change func(keyward.Tx, *keyward.Grant) error) (*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, keyward.ScopeWriteGrants, false); err != nil {
		return nil, err
	}
	var g *keyward.Grant
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.Tx) error {
		var err error
		if g, err = s.findGrant(ctx, tx, ownerID, id); err != nil {
			return err
		}
		if err := change(tx, g); err != nil {
			return err
		}
		if err := s.embed(ctx, tx, ownerID, g); err != nil {
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

// end makes an active grant inactive with state; an inactive grant is left as it is.
func (s *Service) end(ctx context.Context, tx keyward.Tx, g *keyward.Grant, state string) error {
	if !g.Active {
		return nil
	}
	now := s.timestamp()
	if err := tx.RevokeGrant(ctx, g.OwnerAccountID, g.ID, state, now); err != nil {
		return err
	}
	g.Active, g.State, g.RevokedAt = false, state, &now
	return nil
}

// revocationState is the state a revoked grant enters: a key already handed to a lock stays
// usable there until the lock learns of the revocation.
func revocationState(g *keyward.Grant) string {
	if g.Delivered {
		return keyward.GrantRevocationPending
	}
	return keyward.GrantRevoked
}

// revoke ends an active grant with state and, when a lock already holds its key, records the
// revocation on the revocation lists of the locks it opens; an inactive grant is left as it is.
func (s *Service) revoke(ctx context.Context, tx keyward.Tx, g *keyward.Grant, state string) error {
	wasActive := g.Active
	if err := s.end(ctx, tx, g, state); err != nil || !wasActive || !g.Delivered {
		return err
	}
	now := *g.RevokedAt
	tgt, err := s.findTarget(ctx, tx, g.OwnerAccountID, g.BoundLockID)
	if err != nil {
		return err
	}
	for _, l := range tgt.locks {
		if err := tx.BumpRevocationList(ctx, l.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// revokeAll revokes every active grant a filter selects and returns them. It works in pages,
// each page's grants leaving the active set before the next page is read.
func (s *Service) revokeAll(ctx context.Context, tx keyward.Tx, f keyward.GrantFilter, state func(*keyward.Grant) string) ([]*keyward.Grant, error) {
	active := true
	f.Active = &active
	f.Query = &keyward.Query{Top: ptr(keyward.MaxTop)}
	var all []*keyward.Grant
	for {
		page, err := tx.FindGrants(ctx, f)
		if err != nil || len(page) == 0 {
			return all, err
		}
		for _, g := range page {
			if err := s.revoke(ctx, tx, g, state(g)); err != nil {
				return nil, err
			}
		}
		all = append(all, page...)
	}
}

func ptr[T any](v T) *T { return &v }

// RevokeContactGrants revokes all active grants of a contact and answers them.
func (s *Service) RevokeContactGrants(ctx context.Context, ownerID, contactID string) ([]*keyward.Grant, error) {
	return s.revokeGranteeGrants(ctx, ownerID, keyward.GrantFilter{OwnerID: ownerID, ContactID: &contactID}, func(tx keyward.Tx) error {
		_, err := s.findContact(ctx, tx, ownerID, contactID)
		return err
	})
}

// RevokeBoundCardGrants revokes all active grants of a card, for a lost or stolen card.
func (s *Service) RevokeBoundCardGrants(ctx context.Context, ownerID, cardID string) ([]*keyward.Grant, error) {
	return s.revokeGranteeGrants(ctx, ownerID, keyward.GrantFilter{OwnerID: ownerID, BoundCardID: &cardID}, func(tx keyward.Tx) error {
		_, err := s.findBoundCard(ctx, tx, ownerID, cardID)
		return err
	})
}

func (s *Service) revokeGranteeGrants(ctx context.Context, ownerID string, f keyward.GrantFilter, exists func(keyward.Tx) error) ([]*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, keyward.ScopeWriteGrants, false); err != nil {
		return nil, err
	}
	var list []*keyward.Grant
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.Tx) error {
		if err := exists(tx); err != nil {
			return err
		}
		var err error
		if list, err = s.revokeAll(ctx, tx, f, revocationState); err != nil {
			return err
		}
		return s.embed(ctx, tx, ownerID, list...)
	})
	return list, err
}

// DeleteGrantFromCard ends a card grant while the card is in hand: the key is removed at the
// card's next sync, so the grant is Revoked at once and no lock's revocation list changes.
func (s *Service) DeleteGrantFromCard(ctx context.Context, ownerID, id string) (*keyward.Grant, error) {
	return s.changeGrant(ctx, ownerID, id, false, func(tx keyward.Tx, g *keyward.Grant) error {
		if g.BoundCardID == nil {
			return keyward.ErrGeneric.WithDetails("grant %q is for a contact; only card grants can be deleted from a card", id)
		}
		// the card gives its key back at its next sync; no lock needs to learn of it
		return s.end(ctx, tx, g, keyward.GrantRevoked)
	})
}

// revokedNow is the state of grants whose target or grantee goes away: nothing is left to confirm.
func revokedNow(*keyward.Grant) string { return keyward.GrantRevoked }
