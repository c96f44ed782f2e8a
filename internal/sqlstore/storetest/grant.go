package storetest

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

// testGrants covers the Duplicate index (only active grants count), the smartphone-user count,
// revocation, and what a lock sync changes.
func testGrants(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	lock := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "Door")
	c1 := mkContact(t, s, o.ID, 4, "a@example.com")
	c2 := mkContact(t, s, o.ID, 5, "b@example.com")
	grant := func(id string, contact *keyward.Contact, i int) *keyward.Grant {
		return &keyward.Grant{ID: id, OwnerAccountID: o.ID, BoundLockID: lock.ID, TargetType: "Lock", ContactID: &contact.ID,
			State: keyward.GrantOk, Active: true, CreatedAt: at(i)}
	}
	g1 := grant("g1", c1, 6)
	must(t, s.CreateGrant(ctx, g1))
	wantErr(t, s.CreateGrant(ctx, grant("g1b", c1, 7)), keyward.ErrDuplicate)
	must(t, s.CreateGrant(ctx, grant("g2", c2, 8)))
	if n, err := s.CountSmartphoneUsers(ctx, o.ID); err != nil || n != 2 {
		t.Fatalf("CountSmartphoneUsers = %d, %v; want 2", n, err)
	}
	must(t, s.SyncLock(ctx, o.ID, lock.ID, at(9)))
	g1ID := "g1"
	revoked, err := s.RevokeGrants(ctx, keyward.GrantFilter{OwnerID: o.ID, ID: &g1ID}, true, at(10))
	must(t, err)
	if len(revoked) != 1 || revoked[0] != "g1" {
		t.Fatalf("RevokeGrants = %v, want [g1]", revoked)
	}
	wantErr(t, s.RevokeGrant(ctx, o.ID, "g1", keyward.GrantRevoked, at(11)), keyward.ErrNotFound)
	must(t, s.CreateGrant(ctx, grant("g1c", c1, 12))) // a revoked grant no longer blocks a new one
	active := true
	if n, err := s.CountGrants(ctx, keyward.GrantFilter{OwnerID: o.ID, ContactID: &c1.ID, Active: &active}); err != nil || n != 1 {
		t.Fatalf("active grants of c1 = %d, %v; want 1", n, err)
	}
	must(t, s.SyncLock(ctx, o.ID, lock.ID, at(13)))
	id := "g1"
	list, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o.ID, ID: &id})
	must(t, err)
	if len(list) != 1 || list[0].State != keyward.GrantRevoked || list[0].Active || !list[0].Delivered || list[0].RevokedAt == nil || *list[0].RevokedAt != at(10) {
		t.Fatalf("g1 after the sync = %+v, want Revoked, inactive, delivered, revoked at %v", list[0], at(10))
	}
	locks, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o.ID, ID: &lock.ID})
	must(t, err)
	if l := locks[0]; l.RclSerialNo != 1 || l.LastSeenRclSerialNo == nil || *l.LastSeenRclSerialNo != 1 || l.RclDate == nil || *l.RclDate != at(10) {
		t.Fatalf("lock after bump and sync = %+v", l)
	}
}

// testGroupRevocationOrder revokes a group grant and syncs its members all within one
// millisecond: a member counts as having learned of the revocation only when its sync ran after
// the revocation, which the account's write order decides, not the clock.
func testGroupRevocationOrder(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	l1 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "A")
	l2 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 4).ID, 5, "B")
	c := mkContact(t, s, o.ID, 6, "a@example.com")
	must(t, s.CreateLockGroup(ctx, &keyward.LockGroup{ID: "group-1", OwnerAccountID: o.ID, Title: "Both", Active: true, CreatedAt: at(7)}))
	must(t, s.AddLockGroupMember(ctx, o.ID, "group-1", l1.ID, at(7)))
	must(t, s.AddLockGroupMember(ctx, o.ID, "group-1", l2.ID, at(7)))
	must(t, s.CreateGrant(ctx, &keyward.Grant{ID: "gg", OwnerAccountID: o.ID, BoundLockID: "group-1", TargetType: "Group",
		ContactID: &c.ID, State: keyward.GrantOk, Active: true, CreatedAt: at(8)}))
	now := at(9) // every step below happens in the same millisecond
	inOwnerTx := func(fn func(tx keyward.OwnerTx) error) { must(t, s.InOwnerTx(ctx, o.ID, fn)) }
	sync := func(l *keyward.BoundLock) {
		inOwnerTx(func(tx keyward.OwnerTx) error { return deliverAndSync(tx, l.ID, now) })
	}
	state := func() string {
		id := "gg"
		list, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o.ID, ID: &id})
		must(t, err)
		return list[0].State
	}
	sync(l1)
	sync(l2)
	inOwnerTx(func(tx keyward.OwnerTx) error { return tx.RevokeGrant(ctx, "gg", keyward.GrantRevocationPending, now) })
	sync(l1)
	if got := state(); got != keyward.GrantRevocationPending {
		t.Fatalf("after only A synced since the revocation: %s, want %s", got, keyward.GrantRevocationPending)
	}
	sync(l2)
	if got := state(); got != keyward.GrantRevoked {
		t.Fatalf("after both members synced since the revocation: %s, want %s", got, keyward.GrantRevoked)
	}
}

// testRevokeGrants revokes grants in one call: their states are decided from whether a lock holds
// their keys, each lock that holds one gets exactly one revocation-list change, and grants no
// lock received change no list.
func testRevokeGrants(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	l1 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "A")
	l2 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 4).ID, 5, "B")
	l3 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 6).ID, 7, "C")
	c := mkContact(t, s, o.ID, 8, "a@example.com")
	d := mkContact(t, s, o.ID, 9, "b@example.com")
	must(t, s.CreateLockGroup(ctx, &keyward.LockGroup{ID: "group-1", OwnerAccountID: o.ID, Title: "AB", Active: true, CreatedAt: at(10)}))
	must(t, s.AddLockGroupMember(ctx, o.ID, "group-1", l1.ID, at(10)))
	must(t, s.AddLockGroupMember(ctx, o.ID, "group-1", l2.ID, at(10)))
	grant := func(id, target, typ string, contact *keyward.Contact, i int) {
		must(t, s.CreateGrant(ctx, &keyward.Grant{ID: id, OwnerAccountID: o.ID, BoundLockID: target, TargetType: typ,
			ContactID: &contact.ID, State: keyward.GrantOk, Active: true, CreatedAt: at(i)}))
	}
	grant("on-group", "group-1", "Group", c, 11)
	grant("on-l1", l1.ID, "Lock", c, 12)
	grant("on-l1-d", l1.ID, "Lock", d, 13)
	for _, l := range []*keyward.BoundLock{l1, l2} {
		must(t, s.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) error { return deliverAndSync(tx, l.ID, at(14)) }))
	}
	grant("on-l3", l3.ID, "Lock", c, 15) // never delivered
	var ids []string
	must(t, s.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) error {
		var err error
		ids, err = tx.RevokeGrants(ctx, keyward.GrantFilter{OwnerID: o.ID, ContactID: &c.ID}, true, at(16))
		return err
	}))
	if diff := cmp.Diff([]string{"on-group", "on-l1", "on-l3"}, sorted(ids)); diff != "" {
		t.Fatalf("revoked (-want +got):\n%s", diff)
	}
	states := map[string]string{}
	grants, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o.ID})
	must(t, err)
	for _, g := range grants {
		states[g.ID] = g.State
	}
	want := map[string]string{"on-group": keyward.GrantRevocationPending, "on-l1": keyward.GrantRevocationPending,
		"on-l1-d": keyward.GrantOk, "on-l3": keyward.GrantRevoked}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Fatalf("states (-want +got):\n%s", diff)
	}
	locks, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o.ID})
	must(t, err)
	serials := map[string]int64{}
	for _, l := range locks {
		serials[l.Title] = l.RclSerialNo
	}
	if diff := cmp.Diff(map[string]int64{"A": 1, "B": 1, "C": 0}, serials); diff != "" {
		t.Fatalf("revocation-list serials (-want +got):\n%s", diff)
	}
}

func sorted(list []string) []string {
	out := append([]string(nil), list...)
	slices.Sort(out)
	return out
}

// testGroupLeave: a lock that leaves a group gets the group's delivered grants on its
// revocation list (keys issued while it was a member name it), with one list change; a grant
// whose key never left the server is not listed; rejoining takes them off again. Unbinding a
// member leaves its groups the same way.
func testGroupLeave(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	l1 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "Door")
	l2 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 4).ID, 5, "Gate")
	c := mkContact(t, s, o.ID, 6, "a@example.com")
	d := mkContact(t, s, o.ID, 7, "b@example.com")
	must(t, s.CreateLockGroup(ctx, &keyward.LockGroup{ID: "group-1", OwnerAccountID: o.ID, Title: "Both", Active: true, CreatedAt: at(8)}))
	must(t, s.AddLockGroupMember(ctx, o.ID, "group-1", l1.ID, at(8)))
	must(t, s.AddLockGroupMember(ctx, o.ID, "group-1", l2.ID, at(8)))
	for i, contact := range []*keyward.Contact{c, d} {
		must(t, s.CreateGrant(ctx, &keyward.Grant{ID: id("gg", i), OwnerAccountID: o.ID, BoundLockID: "group-1", TargetType: "Group",
			ContactID: &contact.ID, State: keyward.GrantOk, Active: true, CreatedAt: at(9)}))
	}
	must(t, s.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) error { return tx.MarkGrantsDelivered(ctx, []string{id("gg", 0)}) }))
	list := func(l *keyward.BoundLock) ([]string, int64) {
		keys, _, err := s.FindLockRevocations(ctx, l.PhysicalLockID, at(0))
		must(t, err)
		locks, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o.ID, ID: &l.ID})
		must(t, err)
		return keys, locks[0].RclSerialNo
	}
	must(t, s.RemoveLockGroupMember(ctx, o.ID, "group-1", l1.ID, at(10)))
	if keys, serial := list(l1); !slices.Equal(keys, []string{id("gg", 0)}) || serial != 1 {
		t.Fatalf("after leaving: list %v, serial %d; want [%s], 1", keys, serial, id("gg", 0))
	}
	if keys, serial := list(l2); len(keys) != 0 || serial != 0 {
		t.Fatalf("the member that stayed: list %v, serial %d; want none, 0", keys, serial)
	}
	must(t, s.AddLockGroupMember(ctx, o.ID, "group-1", l1.ID, at(11)))
	if keys, serial := list(l1); len(keys) != 0 || serial != 2 {
		t.Fatalf("after rejoining: list %v, serial %d; want none, 2", keys, serial)
	}
	must(t, s.UnbindBoundLock(ctx, o.ID, l2.ID, at(12)))
	if keys, serial := list(l2); !slices.Equal(keys, []string{id("gg", 0)}) || serial != 1 {
		t.Fatalf("after unbinding a member: list %v, serial %d; want [%s], 1", keys, serial, id("gg", 0))
	}
}
