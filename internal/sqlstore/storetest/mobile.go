package storetest

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

func mkMobile(userID string, i int, key byte) *keyward.Mobile {
	return &keyward.Mobile{ID: id("mobile", i), UserID: userID, Name: "Phone", Platform: keyward.PlatformAndroid,
		PublicKey: bytes.Repeat([]byte{key}, 32), CreatedAt: at(i)}
}

// testMobiles: a public key is registered once, whoever asks; a user sees, finds and removes
// only their own mobiles; a removed mobile's key may be registered again.
func testMobiles(t *testing.T, s flat) {
	ada, bob := mkUser(t, s, 1, "ada@example.com"), mkUser(t, s, 2, "bob@example.com")
	create := func(m *keyward.Mobile) *keyward.Mobile {
		t.Helper()
		got, err := s.CreateMobile(ctx, m)
		must(t, err)
		return got
	}
	m1, m2 := mkMobile(ada.ID, 3, 1), mkMobile(ada.ID, 4, 2)
	if got := create(m1); !cmp.Equal(got, m1) {
		t.Fatalf("CreateMobile = %+v, want %+v", got, m1)
	}
	create(m2)
	if got := create(mkMobile(bob.ID, 5, 1)); !cmp.Equal(got, m1) {
		t.Fatalf("CreateMobile of a registered key = %+v, want the first mobile %+v", got, m1)
	}
	list, err := s.FindMobiles(ctx, ada.ID)
	must(t, err)
	if diff := cmp.Diff([]*keyward.Mobile{m1, m2}, list); diff != "" {
		t.Fatalf("FindMobiles (-want +got):\n%s", diff)
	}
	if list, err := s.FindMobiles(ctx, bob.ID); err != nil || len(list) != 0 {
		t.Fatalf("FindMobiles of bob = %v, %v; want none", list, err)
	}
	_, err = s.FindMobile(ctx, bob.ID, m1.ID)
	wantErr(t, err, keyward.ErrNotFound)
	wantErr(t, s.DeleteMobile(ctx, bob.ID, m1.ID), keyward.ErrNotFound)
	must(t, s.DeleteMobile(ctx, ada.ID, m1.ID))
	_, err = s.FindMobile(ctx, ada.ID, m1.ID)
	wantErr(t, err, keyward.ErrNotFound)
	again := mkMobile(bob.ID, 6, 1)
	if got := create(again); !cmp.Equal(got, again) {
		t.Fatalf("CreateMobile of a removed mobile's key = %+v, want %+v", got, again)
	}
}

// testKeyGrants: a user's key grants come from every account that names the user's identity
// (the address case-folded), with the locks of each target: the bound lock, or the group's
// members with an active binding, each with its serial and key ids. Inactive grants, other
// contacts' grants and targets without a bound lock are left out.
func testKeyGrants(t *testing.T, s flat) {
	o1, o2 := mkOwner(t, s, 1), mkOwner(t, s, 2)
	p1, p2, p3 := mkPhysicalLock(t, s, 3), mkPhysicalLock(t, s, 4), mkPhysicalLock(t, s, 5)
	l1 := mkBoundLock(t, s, o1.ID, p1.ID, 6, "A")
	l2 := mkBoundLock(t, s, o2.ID, p2.ID, 7, "B")
	l3 := mkBoundLock(t, s, o2.ID, p3.ID, 8, "C")
	must(t, s.AcceptLockSync(ctx, p2.ID, 1, []string{"ksk-1", "ksk-2"}))
	group := &keyward.LockGroup{ID: "group-1", OwnerAccountID: o2.ID, Title: "Both", Active: true, CreatedAt: at(9)}
	empty := &keyward.LockGroup{ID: "group-2", OwnerAccountID: o2.ID, Title: "None", Active: true, CreatedAt: at(9)}
	must(t, s.CreateLockGroup(ctx, group))
	must(t, s.CreateLockGroup(ctx, empty))
	must(t, s.AddLockGroupMember(ctx, o2.ID, group.ID, l2.ID, at(9)))
	must(t, s.AddLockGroupMember(ctx, o2.ID, group.ID, l3.ID, at(9)))
	must(t, s.UnbindBoundLock(ctx, o2.ID, l3.ID, at(10)))
	ada1 := mkContact(t, s, o1.ID, 11, "Ada@Example.com")
	ada2 := mkContact(t, s, o2.ID, 12, "ada@example.com")
	other := mkContact(t, s, o2.ID, 13, "bob@example.com")
	from, before, ical := at(100), at(200), "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
	grant := func(i int, o *keyward.Owner, c *keyward.Contact, target, typ string, period bool) *keyward.Grant {
		g := &keyward.Grant{ID: id("grant", i), OwnerAccountID: o.ID, BoundLockID: target, TargetType: typ, ContactID: &c.ID,
			State: keyward.GrantOk, Active: true, CreatedAt: at(i)}
		if period {
			g.ValidFrom, g.ValidBefore, g.TimeRestrictionIcal = &from, &before, &ical
		}
		must(t, s.CreateGrant(ctx, g))
		return g
	}
	revoked := grant(20, o1, ada1, l1.ID, "Lock", false)
	must(t, s.RevokeGrant(ctx, o1.ID, revoked.ID, keyward.GrantRevoked, at(21)))
	onLock := grant(22, o1, ada1, l1.ID, "Lock", false)
	onGroup := grant(23, o2, ada2, group.ID, "Group", true)
	grant(24, o2, ada2, empty.ID, "Group", false)
	bobs := grant(25, o2, other, l2.ID, "Lock", false)
	must(t, s.on(ctx, o2.ID, func(tx keyward.OwnerTx) error { return tx.MarkGrantsDelivered(ctx, []string{onGroup.ID, bobs.ID}) }))
	_, err := s.RevokeGrants(ctx, keyward.GrantFilter{OwnerID: o2.ID, ID: &bobs.ID}, true, at(26)) // l2's list grows
	must(t, err)

	got, err := s.FindKeyGrants(ctx, ada2.NaturalKey())
	must(t, err)
	want := []*keyward.KeyGrant{
		{ID: onLock.ID, OwnerAccountID: o1.ID, ContactID: ada1.ID, TargetID: l1.ID, TargetType: "Lock",
			Locks: []keyward.KeyLock{{PhysicalLockID: p1.ID, KIDs: []string{}}}},
		{ID: onGroup.ID, OwnerAccountID: o2.ID, ContactID: ada2.ID, TargetID: group.ID, TargetType: "Group", Delivered: true,
			ValidFrom: &from, ValidBefore: &before, TimeRestrictionIcal: &ical,
			Locks: []keyward.KeyLock{{PhysicalLockID: p2.ID, RclSerialNo: 1, KIDs: []string{"ksk-1", "ksk-2"}}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("FindKeyGrants (-want +got):\n%s", diff)
	}
	ext := keyward.Contact{IPID: "idp", IPUserID: &ada1.ID}
	if got, err := s.FindKeyGrants(ctx, ext.NaturalKey()); err != nil || len(got) != 0 {
		t.Fatalf("FindKeyGrants of an identity nobody has = %v, %v; want none", got, err)
	}
}
