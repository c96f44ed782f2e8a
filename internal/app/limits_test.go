package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// bulkSize is one more than a client list may hold without $top.
const bulkSize = keyward.MaxTop + 1

// fillAccount stores, in one transaction, bulkSize contacts, bound cards, bound locks and lock
// groups in account o1, a group "bigGroup" whose members are all those locks, and bulkSize
// grants of the guest, one on each lock, the last one on lock1: every kind a grant embeds, and
// every list Keyward reads for itself, is then longer than a client list may be.
func fillAccount(t *testing.T, f *fixture) {
	t.Helper()
	ctx, o := context.Background(), f.ids["o1"]
	start := time.Now().Add(-time.Hour)
	n := 0
	next := func() (string, keyward.Time) {
		n++
		at := start.Add(time.Duration(n) * time.Millisecond)
		return keyward.NewID(at), keyward.NewTime(at)
	}
	f.must(f.m.Store.InOwnerTx(ctx, o, func(tx keyward.OwnerTx) error {
		group, at := next()
		f.ids["bigGroup"] = group
		if err := tx.CreateLockGroup(ctx, &keyward.LockGroup{ID: group, OwnerAccountID: o, Title: "All", Active: true, CreatedAt: at}); err != nil {
			return err
		}
		for i := range bulkSize {
			lock, err := fillOne(ctx, tx, o, group, i, next)
			if err != nil {
				return err
			}
			if i < bulkSize-1 {
				if err := grantGuest(ctx, tx, f, lock, next); err != nil {
					return err
				}
			}
		}
		return grantGuest(ctx, tx, f, f.ids["lock1"], next)
	}))
}

// fillOne stores the i-th contact, card, lock (a member of group) and group of fillAccount and
// returns the lock's id.
func fillOne(ctx context.Context, tx keyward.OwnerTx, o, group string, i int, next func() (string, keyward.Time)) (string, error) {
	id, at := next()
	identifier := fmt.Sprintf("bulk%04d@example.com", i)
	if err := tx.CreateContact(ctx, &keyward.Contact{ID: id, OwnerID: o, IPID: keyward.IPTapkey, Identifier: &identifier, CreatedAt: at}); err != nil {
		return "", err
	}
	pc := &keyward.PhysicalCard{ID: fmt.Sprintf("bulk-card-%04d", i), UID: fmt.Sprintf("QlVMSy%04d==", i), Capacity: 4, CreatedAt: at}
	if err := tx.CreatePhysicalCard(ctx, pc); err != nil {
		return "", err
	}
	id, at = next()
	if err := tx.CreateBoundCard(ctx, &keyward.BoundCard{ID: id, OwnerAccountID: o, PhysicalCardID: pc.ID, UID: pc.UID, IsActive: true,
		BindDate: at, NofGrantsCapacity: pc.Capacity, CreatedAt: at}); err != nil {
		return "", err
	}
	pl := &keyward.PhysicalLock{ID: lockproto.EncodeLockID([]byte(fmt.Sprintf("bulk%04d", i))), LockTypeID: "TK.Td30", ProtocolVersion: 3,
		BindingCodeHash: "-", TimeZone: "Europe/Vienna", TimeRestrictionSupport: true, CreatedAt: at}
	if err := tx.CreatePhysicalLock(ctx, pl); err != nil {
		return "", err
	}
	id, at = next()
	if err := tx.CreateBoundLock(ctx, &keyward.BoundLock{ID: id, OwnerAccountID: o, PhysicalLockID: pl.ID, Title: "Bulk", BindDate: at, Active: true, CreatedAt: at}); err != nil {
		return "", err
	}
	lock := id
	if err := tx.AddLockGroupMember(ctx, group, lock, at); err != nil {
		return "", err
	}
	id, at = next()
	return lock, tx.CreateLockGroup(ctx, &keyward.LockGroup{ID: id, OwnerAccountID: o, Title: "Bulk", Active: true, CreatedAt: at})
}

// grantGuest stores an active grant of the guest on a lock.
func grantGuest(ctx context.Context, tx keyward.OwnerTx, f *fixture, lock string, next func() (string, keyward.Time)) error {
	id, at := next()
	guest := f.ids["guest"]
	return tx.CreateGrant(ctx, &keyward.Grant{ID: id, OwnerAccountID: f.ids["o1"], BoundLockID: lock, TargetType: "Lock",
		ContactID: &guest, State: keyward.GrantOk, Active: true, CreatedAt: at})
}

// TestLists_AboveTheLimit runs every response that embeds entities, and every rule that reads a
// list for itself, in an account that holds more contacts, cards, locks, groups, group members
// and grants of one contact than a client list may hold: they read only what they refer to.
func TestLists_AboveTheLimit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		fillAccount(t, f)
		ctx, a := context.Background(), f.admin
		ok := func(name string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v, want 200", name, err)
			}
		}
		cardGrant, err := a.CreateGrant(ctx, f.cardGrant("lock1", "card"))
		ok("CardGrant", err)
		contact, err := a.CreateContact(ctx, keyward.ContactCreate{Identifier: apitest.Ptr("above@example.com")})
		ok("NewContact", err)
		_, err = a.CreateGrant(ctx, keyward.GrantCreate{BoundLockID: f.ids["lock1"], ContactID: &contact.ID})
		ok("ContactGrant", err)
		_, err = a.CreateGrant(ctx, f.inlineGrant("lock1", "inline@example.com"))
		ok("InlineContactGrant", err)
		_, err = a.CreateGrant(ctx, keyward.GrantCreate{BoundLockID: f.ids["bigGroup"], ContactID: &contact.ID})
		ok("GroupGrant", err)
		_, err = a.Grants(ctx, &client.Query{Top: 1000})
		ok("GrantPage", err)
		_, err = a.Grant(ctx, cardGrant.ID)
		ok("OneGrant", err)
		_, err = a.BoundCardGrants(ctx, f.ids["card"], nil)
		ok("CardGrants", err)
		_, err = a.LockGroup(ctx, f.ids["bigGroup"], keyward.ExpandSupportedFeatures, keyward.ExpandStatistics)
		ok("GroupFeatures", err)
		_, err = a.LockGroups(ctx, &client.Query{Top: 1000, Expand: []string{keyward.ExpandSupportedFeatures}})
		ok("GroupPage", err)
		d, err := a.AccessCheck(ctx, f.ids["lock1"], client.AccessQuery{ContactID: f.ids["guest"]})
		ok("AccessCheck", err)
		if !d.Allowed {
			t.Fatalf("AccessCheck denies the guest on lock1, whose grant is the guest's %d-th", bulkSize)
		}
		_, err = a.RevokeGrant(ctx, cardGrant.ID, false)
		ok("RevokeCardGrant", err)
		_, err = a.RevokeContactGrants(ctx, f.ids["guest"])
		ok("RevokeGuestGrants", err)
		if err := a.DeleteLockGroup(ctx, f.ids["bigGroup"]); err != nil {
			t.Fatalf("delete the big group: %v", err)
		}
	})
}
