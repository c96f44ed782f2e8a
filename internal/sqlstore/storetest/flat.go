package storetest

import (
	"context"
	"errors"

	"github.com/keyward/keyward/internal/keyward"
)

// flat is the store under test seen as one set of methods, as the cases are written: reads and
// writes of no account run directly, and each write on an owner account runs in its own
// InOwnerTx, the only way the store offers to make one.
type flat struct {
	keyward.Tx
	keyward.Store
}

func newFlat(s keyward.Store) flat { return flat{Tx: s.Direct(), Store: s} }

// on runs one write in a transaction that holds the account's lock.
func (f flat) on(ctx context.Context, ownerID string, fn func(tx keyward.OwnerTx) error) error {
	return f.InOwnerTx(ctx, ownerID, fn)
}

func (f flat) CreateOwner(ctx context.Context, o *keyward.Owner) error {
	return f.InNewOwnerTx(ctx, o, func(keyward.OwnerTx) error { return nil })
}

func (f flat) UpdateOwner(ctx context.Context, id string, u keyward.OwnerUpdate) error {
	return f.on(ctx, id, func(tx keyward.OwnerTx) error { return tx.UpdateOwner(ctx, u) })
}

func (f flat) SetOwnerPlan(ctx context.Context, id, plan string) error {
	return f.on(ctx, id, func(tx keyward.OwnerTx) error { return tx.SetOwnerPlan(ctx, plan) })
}

func (f flat) CreatePermission(ctx context.Context, p *keyward.Permission) error {
	return f.on(ctx, p.OwnerAccountID, func(tx keyward.OwnerTx) error { return tx.CreatePermission(ctx, p) })
}

func (f flat) DeletePermission(ctx context.Context, ownerID, id string) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.DeletePermission(ctx, id) })
}

func (f flat) CreateContact(ctx context.Context, c *keyward.Contact) error {
	return f.on(ctx, c.OwnerID, func(tx keyward.OwnerTx) error { return tx.CreateContact(ctx, c) })
}

func (f flat) EnsureContact(ctx context.Context, c *keyward.Contact) (got *keyward.Contact, err error) {
	err = f.on(ctx, c.OwnerID, func(tx keyward.OwnerTx) error { got, err = tx.EnsureContact(ctx, c); return err })
	return got, err
}

func (f flat) UpdateContact(ctx context.Context, ownerID, id string, u keyward.ContactUpdate) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.UpdateContact(ctx, id, u) })
}

func (f flat) DeleteContact(ctx context.Context, ownerID, id string) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.DeleteContact(ctx, id) })
}

func (f flat) CreateBoundLock(ctx context.Context, l *keyward.BoundLock) error {
	return f.on(ctx, l.OwnerAccountID, func(tx keyward.OwnerTx) error { return tx.CreateBoundLock(ctx, l) })
}

func (f flat) UpdateBoundLock(ctx context.Context, ownerID, id string, u keyward.BoundLockUpdate) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.UpdateBoundLock(ctx, id, u) })
}

func (f flat) UnbindBoundLock(ctx context.Context, ownerID, id string, at keyward.Time) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.UnbindBoundLock(ctx, id, at) })
}

func (f flat) CreateLockGroup(ctx context.Context, g *keyward.LockGroup) error {
	return f.on(ctx, g.OwnerAccountID, func(tx keyward.OwnerTx) error { return tx.CreateLockGroup(ctx, g) })
}

func (f flat) UpdateLockGroup(ctx context.Context, ownerID, id string, u keyward.LockGroupUpdate) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.UpdateLockGroup(ctx, id, u) })
}

func (f flat) DeleteLockGroup(ctx context.Context, ownerID, id string) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.DeleteLockGroup(ctx, id) })
}

func (f flat) AddLockGroupMember(ctx context.Context, ownerID, groupID, boundLockID string, at keyward.Time) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.AddLockGroupMember(ctx, groupID, boundLockID, at) })
}

func (f flat) RemoveLockGroupMember(ctx context.Context, ownerID, groupID, boundLockID string, at keyward.Time) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.RemoveLockGroupMember(ctx, groupID, boundLockID, at) })
}

func (f flat) SyncLock(ctx context.Context, ownerID, boundLockID string, at keyward.Time) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return deliverAndSync(tx, boundLockID, at) })
}

// deliverAndSync is a lock in the field as these tests need one: the keys of every active grant
// on the lock (or on a group it is in) have reached phones, and the lock syncs holding its newest
// revocation list.
func deliverAndSync(tx keyward.OwnerTx, boundLockID string, at keyward.Time) error {
	locks, err := tx.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: tx.OwnerID, ID: &boundLockID})
	if err != nil || len(locks) == 0 {
		return errors.Join(err, keyward.ErrNotFound.WithDetails("bound lock %q", boundLockID))
	}
	targets := []string{boundLockID}
	groups, err := tx.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: tx.OwnerID, MemberLockID: &boundLockID})
	if err != nil {
		return err
	}
	for _, g := range groups {
		targets = append(targets, g.ID)
	}
	active := true
	grants, err := tx.FindGrants(ctx, keyward.GrantFilter{OwnerID: tx.OwnerID, TargetIDs: targets, Active: &active})
	if err != nil {
		return err
	}
	ids := make([]string, len(grants))
	for i, g := range grants {
		ids[i] = g.ID
	}
	if err := tx.MarkGrantsDelivered(ctx, ids); err != nil {
		return err
	}
	return tx.SyncLock(ctx, boundLockID, locks[0].RclSerialNo, at)
}

func (f flat) CreateBoundCard(ctx context.Context, c *keyward.BoundCard) error {
	return f.on(ctx, c.OwnerAccountID, func(tx keyward.OwnerTx) error { return tx.CreateBoundCard(ctx, c) })
}

func (f flat) UpdateBoundCard(ctx context.Context, ownerID, id string, u keyward.BoundCardUpdate) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.UpdateBoundCard(ctx, id, u) })
}

func (f flat) CreateGrant(ctx context.Context, g *keyward.Grant) error {
	return f.on(ctx, g.OwnerAccountID, func(tx keyward.OwnerTx) error { return tx.CreateGrant(ctx, g) })
}

func (f flat) RevokeGrant(ctx context.Context, ownerID, id, state string, at keyward.Time) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.RevokeGrant(ctx, id, state, at) })
}

func (f flat) RevokeGrants(ctx context.Context, gf keyward.GrantFilter, pending bool, at keyward.Time) (ids []string, err error) {
	err = f.on(ctx, gf.OwnerID, func(tx keyward.OwnerTx) error {
		ids, err = tx.RevokeGrants(ctx, gf, pending, at)
		return err
	})
	return ids, err
}

func (f flat) CreateIdentityProvider(ctx context.Context, p *keyward.IdentityProvider) error {
	return f.on(ctx, p.OwnerAccountID, func(tx keyward.OwnerTx) error { return tx.CreateIdentityProvider(ctx, p) })
}

func (f flat) DeleteIdentityProvider(ctx context.Context, ownerID, ipID string) error {
	return f.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.DeleteIdentityProvider(ctx, ipID) })
}

func (f flat) CreateIPUser(ctx context.Context, u *keyward.IPUser) error {
	return f.on(ctx, u.OwnerAccountID, func(tx keyward.OwnerTx) error { return tx.CreateIPUser(ctx, u) })
}
