package service

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

var lockGroupExpands = []string{keyward.ExpandSupportedFeatures, keyward.ExpandStatistics}

// FindLockGroups lists the lock groups of an owner account.
func (s *Service) FindLockGroups(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.LockGroup, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the lock groups", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	var expand []string
	if q != nil {
		expand = q.Expand
	}
	if err := checkExpand(expand, lockGroupExpands...); err != nil {
		return nil, err
	}
	list, err := s.data.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: ownerID, Query: q})
	if err != nil {
		return nil, err
	}
	return list, s.expandGroups(ctx, list, expand)
}

// FindLockGroup returns one lock group.
func (s *Service) FindLockGroup(ctx context.Context, ownerID, id string, expand []string) (*keyward.LockGroup, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read a lock group", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := checkExpand(expand, lockGroupExpands...); err != nil {
		return nil, err
	}
	g, err := s.findLockGroup(ctx, s.data, ownerID, id)
	if err != nil {
		return nil, err
	}
	return g, s.expandGroups(ctx, []*keyward.LockGroup{g}, expand)
}

func (s *Service) findLockGroup(ctx context.Context, tx keyward.Tx, ownerID, id string) (*keyward.LockGroup, error) {
	list, err := tx.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("lock group %q does not exist", id)
	}
	return list[0], nil
}

// expandGroups fills supportedFeatures (supported only when every member supports the feature)
// and the membership statistics, each with one query for all the groups.
func (s *Service) expandGroups(ctx context.Context, groups []*keyward.LockGroup, expand []string) error {
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	var counts map[string][]keyward.StateCount
	var support map[string]bool
	var err error
	if containsFold(expand, keyward.ExpandStatistics) {
		if counts, err = s.data.LockGroupStatistics(ctx, ids); err != nil {
			return err
		}
	}
	if containsFold(expand, keyward.ExpandSupportedFeatures) {
		if support, err = s.data.LockGroupTimeRestrictionSupport(ctx, ids); err != nil {
			return err
		}
	}
	for _, g := range groups {
		if counts != nil {
			g.Statistics = &keyward.Statistics{ByState: counts[g.ID]}
		}
		if support != nil {
			g.SupportedFeatures = features(support[g.ID])
		}
	}
	return nil
}

// CreateLockGroup creates an empty lock group.
func (s *Service) CreateLockGroup(ctx context.Context, ownerID string, c keyward.LockGroupCreate) (*keyward.LockGroup, error) {
	if err := s.authorize(ctx, ownerID, useCase{"create a lock group", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := firstError(checkRequiredText("title", c.Title), checkText("description", c.Description)); err != nil {
		return nil, err
	}
	now := s.timestamp()
	g := &keyward.LockGroup{ID: s.newID(), OwnerAccountID: ownerID, Title: c.Title, Description: deref(c.Description),
		Active: true, TargetType: "Group", CreatedAt: now}
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if err := s.requireFeature(ctx, tx.Tx, ownerID, keyward.FeatureLockGroups); err != nil {
			return err
		}
		return tx.CreateLockGroup(ctx, g)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// UpdateLockGroup changes title and description.
func (s *Service) UpdateLockGroup(ctx context.Context, ownerID, id string, u keyward.LockGroupUpdate) (*keyward.LockGroup, error) {
	if err := s.authorize(ctx, ownerID, useCase{"change a lock group", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return nil, err
	}
	if u.Title != nil {
		if err := checkRequiredText("title", *u.Title); err != nil {
			return nil, err
		}
	}
	if err := checkText("description", u.Description); err != nil {
		return nil, err
	}
	var g *keyward.LockGroup
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if err := tx.UpdateLockGroup(ctx, id, u); err != nil {
			return err
		}
		var err error
		g, err = s.findLockGroup(ctx, tx.Tx, ownerID, id)
		return err
	})
	return g, err
}

// DeleteLockGroup ends a lock group and revokes its grants; its member locks stay bound and,
// where they hold a key of such a grant, get it on their revocation lists. The group stays
// readable with active false.
func (s *Service) DeleteLockGroup(ctx context.Context, ownerID, id string) error {
	if err := s.authorize(ctx, ownerID, useCase{"delete a lock group", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return err
	}
	return s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if _, err := s.findLockGroup(ctx, tx.Tx, ownerID, id); err != nil {
			return err
		}
		if _, err := s.revokeAll(ctx, tx, keyward.GrantFilter{OwnerID: ownerID, BoundLockID: &id}, false); err != nil {
			return err
		}
		return tx.DeleteLockGroup(ctx, id)
	})
}

// FindLockGroupMembers lists the bound locks of a group.
func (s *Service) FindLockGroupMembers(ctx context.Context, ownerID, groupID string, q *keyward.Query) ([]*keyward.BoundLock, error) {
	return s.groupLocks(ctx, "list a lock group's members", ownerID, groupID, keyward.BoundLockFilter{LockGroupID: &groupID, Query: q})
}

// FindLockGroupCandidates lists the account's active bound locks that are no members of the
// group, in one statement however many members it has: what the group's page offers to add.
func (s *Service) FindLockGroupCandidates(ctx context.Context, ownerID, groupID string, q *keyward.Query) ([]*keyward.BoundLock, error) {
	active := true
	return s.groupLocks(ctx, "list the locks a lock group may take", ownerID, groupID,
		keyward.BoundLockFilter{NotInGroupID: &groupID, Active: &active, Query: q})
}

// FindLockGroupsOfLock lists the account's lock groups the bound lock belongs to, in one
// statement however many groups the account has.
func (s *Service) FindLockGroupsOfLock(ctx context.Context, ownerID, boundLockID string, q *keyward.Query) ([]*keyward.LockGroup, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list a lock's lock groups", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := checkNoExpand(q); err != nil {
		return nil, err
	}
	if _, err := s.findBoundLock(ctx, s.data, ownerID, boundLockID); err != nil {
		return nil, err
	}
	return s.data.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: ownerID, MemberLockID: &boundLockID, Query: q})
}

// LockGroupZones reads the zones of the groups' member locks in one statement; the ids of
// groups of another account, or of none, are left out by the store.
func (s *Service) LockGroupZones(ctx context.Context, ownerID string, groupIDs []string) (map[string][]string, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read the time zones of lock groups", keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	return s.data.LockGroupZones(ctx, ownerID, groupIDs)
}

// groupLocks is a list of the account's bound locks that f selects by their relation to an
// existing group: the use case op, which reads core entities, without expansions.
func (s *Service) groupLocks(ctx context.Context, op, ownerID, groupID string, f keyward.BoundLockFilter) ([]*keyward.BoundLock, error) {
	if err := s.authorize(ctx, ownerID, useCase{op, keyward.ScopeReadCoreEntities, ""}); err != nil {
		return nil, err
	}
	if err := checkNoExpand(f.Query); err != nil {
		return nil, err
	}
	if _, err := s.findLockGroup(ctx, s.data, ownerID, groupID); err != nil {
		return nil, err
	}
	f.OwnerID = ownerID
	return s.data.FindBoundLocks(ctx, f)
}

// AddLockGroupMember adds an active bound lock of the same account to a group.
func (s *Service) AddLockGroupMember(ctx context.Context, ownerID, groupID string, r keyward.LockGroupMemberRequest) (*keyward.LockGroup, error) {
	if err := s.authorize(ctx, ownerID, useCase{"add a lock to a lock group", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return nil, err
	}
	if r.BoundLockID == "" {
		return nil, keyward.Invalidf("field %q is required", "boundLockId")
	}
	var g *keyward.LockGroup
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		var err error
		if g, err = s.findLockGroup(ctx, tx.Tx, ownerID, groupID); err != nil {
			return err
		}
		l, err := s.findBoundLock(ctx, tx.Tx, ownerID, r.BoundLockID)
		if err != nil {
			return err
		}
		if !l.Active {
			return keyward.Invalidf("bound lock %q is unbound and cannot join a group", l.ID)
		}
		if !g.Active {
			return keyward.Invalidf("lock group %q is deleted and cannot get members", g.ID)
		}
		return tx.AddLockGroupMember(ctx, groupID, l.ID, s.timestamp())
	})
	return g, err
}

// RemoveLockGroupMember takes a lock out of a group.
func (s *Service) RemoveLockGroupMember(ctx context.Context, ownerID, groupID, boundLockID string) error {
	if err := s.authorize(ctx, ownerID, useCase{"remove a lock from a lock group", keyward.ScopeWriteCoreEntities, ""}); err != nil {
		return err
	}
	return s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if _, err := s.findLockGroup(ctx, tx.Tx, ownerID, groupID); err != nil {
			return err
		}
		return tx.RemoveLockGroupMember(ctx, groupID, boundLockID, s.timestamp())
	})
}
