package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// FindBoundLocks lists the bound locks of an owner account, with the expansions asked for.
func (s *Service) FindBoundLocks(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.BoundLock, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the bound locks", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	var expand []string
	if q != nil {
		expand = q.Expand
	}
	if err := checkExpand(expand, keyward.ExpandSupportedFeatures, keyward.ExpandMembershipStatistics, keyward.ExpandHealthStatuses); err != nil {
		return nil, err
	}
	list, err := s.data.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: ownerID, Query: q})
	if err != nil {
		return nil, err
	}
	return list, s.expandLocks(ctx, list, expand)
}

// FindBoundLock returns one bound lock with the expansions asked for.
func (s *Service) FindBoundLock(ctx context.Context, ownerID, id string, expand []string) (*keyward.BoundLock, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read a bound lock", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := checkExpand(expand, keyward.ExpandSupportedFeatures, keyward.ExpandMembershipStatistics, keyward.ExpandHealthStatuses); err != nil {
		return nil, err
	}
	l, err := s.findBoundLock(ctx, s.data, ownerID, id)
	if err != nil {
		return nil, err
	}
	return l, s.expandLocks(ctx, []*keyward.BoundLock{l}, expand)
}

func (s *Service) findBoundLock(ctx context.Context, tx keyward.Tx, ownerID, id string) (*keyward.BoundLock, error) {
	list, err := tx.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("bound lock %q does not exist", id)
	}
	return list[0], nil
}

// checkExpand refuses expansions the entity does not have.
func checkExpand(expand []string, allowed ...string) error {
	for _, e := range expand {
		if !containsFold(allowed, e) {
			return keyward.Invalidf("expand: unknown value %q; allowed are %s", e, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// checkNoExpand refuses expand on lists whose entities have nothing to expand.
func checkNoExpand(q *keyward.Query) error {
	if q != nil && len(q.Expand) > 0 {
		return keyward.Invalidf("expand: unknown value %q; this list has nothing to expand", q.Expand[0])
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// expandLocks fills the expandable properties, with one query for all the locks' statistics;
// unexpanded properties stay null.
func (s *Service) expandLocks(ctx context.Context, locks []*keyward.BoundLock, expand []string) error {
	ids := make([]string, len(locks))
	for i, l := range locks {
		ids[i] = l.ID
	}
	var counts map[string][]keyward.StateCount
	if containsFold(expand, keyward.ExpandMembershipStatistics) {
		var err error
		if counts, err = s.data.LockMembershipStatistics(ctx, ids); err != nil {
			return err
		}
	}
	var health map[string][]keyward.HealthReading
	if containsFold(expand, keyward.ExpandHealthStatuses) {
		var err error
		if health, err = s.data.LockHealth(ctx, ids); err != nil {
			return err
		}
	}
	now := s.timestamp()
	for _, l := range locks {
		if containsFold(expand, keyward.ExpandSupportedFeatures) {
			l.SupportedFeatures = features(l.TimeRestrictionSupport)
		}
		if counts != nil {
			l.MembershipStatistics = &keyward.Statistics{ByState: counts[l.ID]}
		}
		if health != nil {
			l.HealthStatuses = healthStatuses(l, health[l.ID], now)
		}
	}
	return nil
}

func features(timeRestrictions bool) *keyward.SupportedFeatures {
	f := &keyward.SupportedFeatures{TimeRestrictionIcalSupport: keyward.FeatureNotSupported}
	if timeRestrictions {
		f.TimeRestrictionIcalSupport = keyward.FeatureSupported
	}
	return f
}

// BindLock binds a registered physical lock with its binding code. The code is permanent (it is
// printed on the lock), so it binds the lock again after an unbind; only an active binding, in
// any account, stops it (403). A wrong code is 400 and is checked before anything else, so that
// a caller without the code learns nothing about the lock.
func (s *Service) BindLock(ctx context.Context, ownerID string, r keyward.BindLockRequest) (*keyward.BoundLock, error) {
	if err := s.authorize(ctx, ownerID, useCase{"bind a lock", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := firstError(checkRequiredText("physicalLockId", r.PhysicalLockID), checkRequiredText("bindingCode", r.BindingCode),
		checkText("title", r.Title), checkText("description", r.Description)); err != nil {
		return nil, err
	}
	physID, err := lockproto.ParseLockID(r.PhysicalLockID)
	if err != nil {
		return nil, keyward.Invalidf("field %q: %v", "physicalLockId", err)
	}
	var l *keyward.BoundLock
	err = s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		phys, err := tx.FindPhysicalLockByID(ctx, physID)
		if errors.Is(err, keyward.ErrNotFound) {
			return keyward.ErrWrongBindingCode.WithDetails("no lock with physicalLockId %q and this binding code is registered", physID)
		}
		if err != nil {
			return err
		}
		if !lockproto.BindingCodeMatches(r.BindingCode, phys.BindingCodeHash) {
			return keyward.ErrWrongBindingCode.WithDetails("no lock with physicalLockId %q and this binding code is registered", physID)
		}
		serial, err := nextBindingSerial(ctx, tx.Tx, physID)
		if err != nil {
			return err
		}
		now := s.timestamp()
		l = &keyward.BoundLock{ID: s.newID(), OwnerAccountID: ownerID, PhysicalLockID: physID, Title: deref(r.Title),
			Description: deref(r.Description), BindDate: now, Active: true, RclSerialNo: serial, CreatedAt: now}
		if l.Title == "" {
			l.Title = defaultLockTitle(phys)
		}
		if err := tx.CreateBoundLock(ctx, l); err != nil {
			return err
		}
		l, err = s.findBoundLock(ctx, tx.Tx, ownerID, l.ID)
		return err
	})
	return l, err
}

// nextBindingSerial is the revocation-list serial a new binding of the lock starts at: above
// its previous binding's, because a lock takes only lists with a serial at least as high as the
// one it holds, and the new binding's list must reach it.
func nextBindingSerial(ctx context.Context, tx keyward.Tx, physID string) (int64, error) {
	prev, err := tx.FindLatestBoundLock(ctx, physID)
	if errors.Is(err, keyward.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return prev.RclSerialNo + 1, nil
}

// defaultLockTitle names a lock bound without a title after its model and id.
func defaultLockTitle(p *keyward.PhysicalLock) string {
	name := p.LockTypeID
	if lt, ok := lockproto.LookupLockType(p.LockTypeID); ok {
		name = lt.ModelName
	}
	return name + " " + p.ID
}

// UpdateBoundLock changes title and description.
func (s *Service) UpdateBoundLock(ctx context.Context, ownerID, id string, u keyward.BoundLockUpdate) (*keyward.BoundLock, error) {
	if err := s.authorize(ctx, ownerID, useCase{"change a bound lock", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := firstError(checkText("title", u.Title), checkText("description", u.Description)); err != nil {
		return nil, err
	}
	var l *keyward.BoundLock
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if err := tx.UpdateBoundLock(ctx, id, u); err != nil {
			return err
		}
		var err error
		l, err = s.findBoundLock(ctx, tx.Tx, ownerID, id)
		return err
	})
	return l, err
}

// UnbindLock ends the binding: the bound lock stays visible with active false and its unbind
// date, leaves its lock groups, and its grants are revoked (at once: the binding they were
// issued for has ended).
func (s *Service) UnbindLock(ctx context.Context, ownerID, id string) error {
	if err := s.authorize(ctx, ownerID, useCase{"unbind a lock", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return err
	}
	return s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if _, err := s.findBoundLock(ctx, tx.Tx, ownerID, id); err != nil {
			return err
		}
		if _, err := s.revokeAll(ctx, tx, keyward.GrantFilter{OwnerID: ownerID, BoundLockID: &id}, false); err != nil {
			return err
		}
		return tx.UnbindBoundLock(ctx, id, s.timestamp())
	})
}

// FindLockPropagation answers how far a bound lock has caught up: the revocations it has not
// confirmed (with how long a key of each can still open it) and the card writes waiting for it.
func (s *Service) FindLockPropagation(ctx context.Context, ownerID, id string) (*keyward.LockPropagation, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read a bound lock's propagation", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	l, err := s.findBoundLock(ctx, s.data, ownerID, id)
	if err != nil {
		return nil, err
	}
	pending, err := s.data.FindPendingRevocations(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	p := &keyward.LockPropagation{BoundLockID: l.ID, PhysicalLockID: l.PhysicalLockID, RclSerialNo: l.RclSerialNo,
		LastSeenRclSerialNo: l.LastSeenRclSerialNo, LastSeenRclUpdateDate: l.LastSeenRclUpdateDate, LastSyncDate: l.LastSyncAt,
		PendingRevocations: pending, PendingCardWrites: []keyward.PendingCardWrite{}}
	if l.Active {
		writes, err := s.data.FindCardWrites(ctx, l.ID, keyward.NewTime(s.now().Add(-revocationRetention)))
		if err != nil {
			return nil, err
		}
		for _, w := range writes {
			ids := make([]string, len(w.Grants))
			for i, g := range w.Grants {
				ids[i] = g.ID
			}
			p.PendingCardWrites = append(p.PendingCardWrites, keyward.PendingCardWrite{BoundCardID: w.BoundCardID, GrantIDs: ids, Since: w.ChangedAt})
		}
	}
	for i := range pending {
		pending[i].ExposureEndsAt = exposureEnd(&pending[i])
	}
	p.UpToDate = len(p.PendingRevocations) == 0 && len(p.PendingCardWrites) == 0
	s.setOldestPending(p)
	return p, nil
}

// PropagationBacklog counts what the locks of every account have yet to learn (pending
// revocations, card writes waiting) and the oldest pending change, for the server's metrics on
// every node. It takes no principal: it runs for the server itself, reveals only totals, and is
// on no interface an adapter is handed.
func (s *Service) PropagationBacklog(ctx context.Context) (keyward.PropagationBacklog, error) {
	return s.data.FindPropagationBacklog(ctx, keyward.NewTime(s.now().Add(-revocationRetention)))
}

// exposureEnd is how long a revoked grant's key can open a lock that never syncs again: a
// mobile key ends at most MaxKeyValidity after its issue, which came before the revocation; a
// card holds its grant until the grant's own end (nil: until the lock learns of it).
func exposureEnd(p *keyward.PendingRevocation) *keyward.Time {
	if p.BoundCardID != nil {
		return p.ValidBefore
	}
	end := keyward.NewTime(p.RevokedAt.Add(lockproto.MaxKeyValidity))
	if p.ValidBefore != nil && p.ValidBefore.Before(end.Time) {
		return p.ValidBefore
	}
	return &end
}

// setOldestPending fills the oldest pending change and its age at the service's clock.
func (s *Service) setOldestPending(p *keyward.LockPropagation) {
	var oldest *keyward.Time
	for _, r := range p.PendingRevocations {
		if oldest == nil || r.RevokedAt.Before(oldest.Time) {
			oldest = &r.RevokedAt
		}
	}
	for _, w := range p.PendingCardWrites {
		if oldest == nil || w.Since.Before(oldest.Time) {
			oldest = &w.Since
		}
	}
	if oldest != nil {
		age := int64(s.now().Sub(oldest.Time) / time.Second)
		p.OldestPendingSince, p.OldestPendingAge = oldest, &age
	}
}
