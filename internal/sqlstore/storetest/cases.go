package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

func testUserEmailUnique(t *testing.T, s flat) {
	u := mkUser(t, s, 1, "Ada@Example.com")
	err := s.CreateUser(ctx, &keyward.User{ID: "other", Email: "ada@example.COM", Kind: keyward.UserPerson, CreatedAt: at(2)})
	wantErr(t, err, keyward.ErrEmailAddressInUse)
	got, err := s.FindUserByEmail(ctx, "ADA@example.com")
	must(t, err)
	if diff := cmp.Diff(u, got); diff != "" {
		t.Fatalf("FindUserByEmail (-want +got):\n%s", diff)
	}
	_, err = s.FindUserByID(ctx, "nobody")
	wantErr(t, err, keyward.ErrNotFound)
}

func testOwnerRoles(t *testing.T, s flat) {
	o1, o2 := mkOwner(t, s, 1), mkOwner(t, s, 2)
	u := mkUser(t, s, 3, "ada@example.com")
	c1 := mkContact(t, s, o1.ID, 4, "ADA@example.com") // identifiers match users ignoring case
	c2 := mkContact(t, s, o2.ID, 5, "ada@example.com")
	must(t, s.CreatePermission(ctx, &keyward.Permission{ID: "p1", OwnerAccountID: o1.ID, ContactID: c1.ID, Role: keyward.RoleAdmin, CreatedAt: at(6)}))
	role, err := s.FindRole(ctx, o1.ID, u.ID)
	must(t, err)
	if role != keyward.RoleAdmin {
		t.Fatalf("role on o1 = %q, want Admin", role)
	}
	if role, _ := s.FindRole(ctx, o2.ID, u.ID); role != "" {
		t.Fatalf("role on o2 = %q, want none", role)
	}
	must(t, s.CreatePermission(ctx, &keyward.Permission{ID: "p2", OwnerAccountID: o2.ID, ContactID: c2.ID, Role: keyward.RoleOwner, CreatedAt: at(7)}))
	owners, err := s.FindOwners(ctx, keyward.OwnerFilter{AdminUserID: &u.ID})
	must(t, err)
	if len(owners) != 2 || owners[0].ID != o1.ID || owners[1].ID != o2.ID {
		t.Fatalf("FindOwners(admin) = %v, want [o1 o2] in creation order", owners)
	}
	must(t, s.UpdateOwner(ctx, o1.ID, keyward.OwnerUpdate{Name: apitest.Ptr("Renamed")}))
	got, err := s.FindOwners(ctx, keyward.OwnerFilter{ID: &o1.ID})
	must(t, err)
	if len(got) != 1 || got[0].Name != "Renamed" {
		t.Fatalf("after rename: %+v", got)
	}
	wantErr(t, s.UpdateOwner(ctx, "missing", keyward.OwnerUpdate{Name: apitest.Ptr("x")}), keyward.ErrNotFound)
	noop := func(keyward.OwnerTx) error { return nil }
	wantErr(t, s.InOwnerTx(ctx, "missing", noop), keyward.ErrNotFound)
	must(t, s.InOwnerTx(ctx, o1.ID, noop))
}

func testContactDuplicate(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	mkContact(t, s, o.ID, 2, "bob@example.com")
	dup := &keyward.Contact{ID: "c-dup", OwnerID: o.ID, IPID: keyward.IPTapkey, Identifier: apitest.Ptr("BOB@example.com"), CreatedAt: at(3)}
	wantErr(t, s.CreateContact(ctx, dup), keyward.ErrDuplicateContact)
	other := mkOwner(t, s, 4) // the same person may be a contact of another account
	mkContact(t, s, other.ID, 5, "bob@example.com")
	ext := &keyward.Contact{ID: "c-ext", OwnerID: o.ID, IPID: "idp1", IPUserID: apitest.Ptr("u-1"), Title: apitest.Ptr("T"), CreatedAt: at(6)}
	must(t, s.CreateContact(ctx, ext))
	extDup := *ext
	extDup.ID = "c-ext2"
	wantErr(t, s.CreateContact(ctx, &extDup), keyward.ErrDuplicateContact)
	must(t, s.UpdateContact(ctx, o.ID, ext.ID, keyward.ContactUpdate{Comment: apitest.Ptr("note")}))
	list, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID})
	must(t, err)
	want := []*keyward.Contact{
		{ID: "contact-0002", OwnerID: o.ID, IPID: "tapkey", Identifier: apitest.Ptr("bob@example.com"), Email: apitest.Ptr("bob@example.com"), CreatedAt: at(2)},
		{ID: "c-ext", OwnerID: o.ID, IPID: "idp1", IPUserID: apitest.Ptr("u-1"), Title: apitest.Ptr("T"), Comment: apitest.Ptr("note"), CreatedAt: at(6)},
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Fatalf("FindContacts (-want +got):\n%s", diff)
	}
	wantErr(t, s.DeleteContact(ctx, other.ID, ext.ID), keyward.ErrNotFound) // not across accounts
	must(t, s.DeleteContact(ctx, o.ID, ext.ID))
}

// testEnsureContact stores a contact the account lacks and answers, for the same identity in
// another spelling, the contact stored, without a second row; another account's contact of the
// same identity is its own.
func testEnsureContact(t *testing.T, s flat) {
	o, other := mkOwner(t, s, 1), mkOwner(t, s, 2)
	bob := &keyward.Contact{ID: "c-bob", OwnerID: o.ID, IPID: keyward.IPTapkey, Identifier: apitest.Ptr("bob@example.com"),
		Email: apitest.Ptr("bob@example.com"), Title: apitest.Ptr("Bob"), CreatedAt: at(3)}
	got, err := s.EnsureContact(ctx, bob)
	must(t, err)
	if diff := cmp.Diff(bob, got); diff != "" {
		t.Fatalf("EnsureContact of a new contact (-want +got):\n%s", diff)
	}
	again := &keyward.Contact{ID: "c-bob2", OwnerID: o.ID, IPID: keyward.IPTapkey, Identifier: apitest.Ptr("BOB@example.com"), CreatedAt: at(4)}
	got, err = s.EnsureContact(ctx, again)
	must(t, err)
	if diff := cmp.Diff(bob, got); diff != "" {
		t.Fatalf("EnsureContact of a held identity (-want +got):\n%s", diff)
	}
	elsewhere := &keyward.Contact{ID: "c-bob3", OwnerID: other.ID, IPID: keyward.IPTapkey, Identifier: apitest.Ptr("bob@example.com"), CreatedAt: at(5)}
	got, err = s.EnsureContact(ctx, elsewhere)
	must(t, err)
	if got.ID != "c-bob3" {
		t.Fatalf("EnsureContact in another account = %s, want its own c-bob3", got.ID)
	}
	ext := &keyward.Contact{ID: "c-ext", OwnerID: o.ID, IPID: "idp1", IPUserID: apitest.Ptr("u-1"), CreatedAt: at(6)}
	must(t, s.CreateContact(ctx, ext))
	got, err = s.EnsureContact(ctx, &keyward.Contact{ID: "c-ext2", OwnerID: o.ID, IPID: "idp1", IPUserID: apitest.Ptr("u-1"), CreatedAt: at(7)})
	must(t, err)
	if diff := cmp.Diff(ext, got); diff != "" {
		t.Fatalf("EnsureContact of a held identity-provider user (-want +got):\n%s", diff)
	}
	list, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID})
	must(t, err)
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	if want := []string{"c-bob", "c-ext"}; !slices.Equal(ids, want) {
		t.Fatalf("the account holds the contacts %v, want %v", ids, want)
	}
}

func testPermissions(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	c := mkContact(t, s, o.ID, 2, "carol@example.com")
	p := &keyward.Permission{ID: "perm-1", OwnerAccountID: o.ID, ContactID: c.ID, Role: keyward.RoleOwner, CreatedAt: at(3)}
	must(t, s.CreatePermission(ctx, p))
	again := *p
	again.ID = "perm-2"
	wantErr(t, s.CreatePermission(ctx, &again), keyward.ErrInvalid)
	missing := keyward.Permission{ID: "perm-3", OwnerAccountID: o.ID, ContactID: "nope", Role: keyward.RoleAdmin, CreatedAt: at(4)}
	wantErr(t, s.CreatePermission(ctx, &missing), keyward.ErrNotFound)
	role := keyward.RoleOwner
	list, err := s.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: o.ID, Role: &role})
	must(t, err)
	if diff := cmp.Diff([]*keyward.Permission{p}, list); diff != "" {
		t.Fatalf("FindPermissions (-want +got):\n%s", diff)
	}
	must(t, s.DeleteContact(ctx, o.ID, c.ID)) // cascades to the permission
	list, err = s.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: o.ID})
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("permissions after contact delete = %v, want none", list)
	}
	wantErr(t, s.DeletePermission(ctx, o.ID, p.ID), keyward.ErrNotFound)
}

func testBoundLockOneActive(t *testing.T, s flat) {
	o1, o2 := mkOwner(t, s, 1), mkOwner(t, s, 2)
	phys := mkPhysicalLock(t, s, 3)
	l := mkBoundLock(t, s, o1.ID, phys.ID, 4, "Front door")
	second := &keyward.BoundLock{ID: "lock-x", OwnerAccountID: o2.ID, PhysicalLockID: phys.ID, BindDate: at(5), Active: true, CreatedAt: at(5)}
	wantErr(t, s.CreateBoundLock(ctx, second), keyward.ErrLockAlreadyBound)
	must(t, s.UnbindBoundLock(ctx, o1.ID, l.ID, at(6)))
	must(t, s.CreateBoundLock(ctx, second)) // free again after unbinding
	got, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o1.ID})
	must(t, err)
	td30, _ := lockproto.LookupLockType("TK.Td30")
	lt := keyward.LockType(td30)
	unbind := at(6)
	want := []*keyward.BoundLock{{ID: l.ID, OwnerAccountID: o1.ID, PhysicalLockID: phys.ID, Title: "Front door",
		LockTypeID: "TK.Td30", LockType: &lt, BindDate: at(4), UnbindDate: &unbind, Active: false, TargetType: "Lock",
		ProtocolVersion: 3, TimeZone: "Europe/Vienna", TimeRestrictionSupport: true, CreatedAt: at(4)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("FindBoundLocks (-want +got):\n%s", diff)
	}
	must(t, s.UpdateBoundLock(ctx, o2.ID, second.ID, keyward.BoundLockUpdate{Title: apitest.Ptr("Back"), Description: apitest.Ptr("d")}))
	wantErr(t, s.UpdateBoundLock(ctx, o1.ID, second.ID, keyward.BoundLockUpdate{Title: apitest.Ptr("x")}), keyward.ErrNotFound)
}

func testLockGroupMembers(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	l1 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "A")
	l2 := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 4).ID, 5, "B")
	g := &keyward.LockGroup{ID: "group-1", OwnerAccountID: o.ID, Title: "All", Active: true, CreatedAt: at(6)}
	must(t, s.CreateLockGroup(ctx, g))
	must(t, s.AddLockGroupMember(ctx, o.ID, g.ID, l1.ID, at(7)))
	must(t, s.AddLockGroupMember(ctx, o.ID, g.ID, l2.ID, at(8)))
	must(t, s.AddLockGroupMember(ctx, o.ID, g.ID, l2.ID, at(9))) // adding twice keeps one membership
	stats, err := s.LockGroupStatistics(ctx, []string{g.ID, "no-such-group"})
	must(t, err)
	want := map[string][]keyward.StateCount{g.ID: {{State: keyward.MembershipJoinPending, Count: 2}}, "no-such-group": {}}
	if diff := cmp.Diff(want, stats); diff != "" {
		t.Fatalf("LockGroupStatistics (-want +got):\n%s", diff)
	}
	members, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o.ID, LockGroupID: &g.ID})
	must(t, err)
	if len(members) != 2 || members[0].ID != l1.ID || members[1].ID != l2.ID {
		t.Fatalf("members = %v", members)
	}
	must(t, s.UnbindBoundLock(ctx, o.ID, l1.ID, at(10))) // unbinding leaves the group
	must(t, s.RemoveLockGroupMember(ctx, o.ID, g.ID, l2.ID, at(20)))
	wantErr(t, s.RemoveLockGroupMember(ctx, o.ID, g.ID, l2.ID, at(21)), keyward.ErrNotFound)
	stats, err = s.LockMembershipStatistics(ctx, []string{l2.ID})
	must(t, err)
	if len(stats[l2.ID]) != 0 {
		t.Fatalf("membership statistics after removal = %v, want none", stats)
	}
	must(t, s.AddLockGroupMember(ctx, o.ID, g.ID, l2.ID, at(11)))
	must(t, s.DeleteLockGroup(ctx, o.ID, g.ID))
	groups, err := s.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: o.ID})
	must(t, err)
	if len(groups) != 1 || groups[0].Active {
		t.Fatalf("after delete: %+v, want the group inactive", groups)
	}
	if stats, _ := s.LockGroupStatistics(ctx, []string{g.ID}); len(stats[g.ID]) != 0 {
		t.Fatalf("a deleted group keeps members: %v", stats)
	}
	wantErr(t, s.DeleteLockGroup(ctx, "other-owner", g.ID), keyward.ErrNotFound)
}

// testLockGroupTimeRestrictionSupport checks that a group supports time restrictions when every
// member does, which a group without members does too; then the zones of groups' members, and
// the locks outside a group.
func testLockGroupTimeRestrictionSupport(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	with := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "With")
	plain := &keyward.PhysicalLock{ID: lockproto.EncodeLockID([]byte("plain")), LockTypeID: "TK.Td20",
		ProtocolVersion: lockproto.ProtocolBasic, BindingCodeHash: "h", TimeZone: "Europe/Vienna", CreatedAt: at(4)}
	must(t, s.CreatePhysicalLock(ctx, plain))
	without := mkBoundLock(t, s, o.ID, plain.ID, 5, "Without")
	members := map[string][]string{"group-all": {with.ID}, "group-mixed": {with.ID, without.ID}, "group-none": {without.ID}, "group-empty": nil}
	for i, gid := range []string{"group-all", "group-mixed", "group-none", "group-empty"} {
		must(t, s.CreateLockGroup(ctx, &keyward.LockGroup{ID: gid, OwnerAccountID: o.ID, Title: gid, Active: true, CreatedAt: at(6 + i)}))
		for _, l := range members[gid] {
			must(t, s.AddLockGroupMember(ctx, o.ID, gid, l, at(10)))
		}
	}
	got, err := s.LockGroupTimeRestrictionSupport(ctx, []string{"group-all", "group-mixed", "group-none", "group-empty", "no-such-group"})
	must(t, err)
	want := map[string]bool{"group-all": true, "group-mixed": false, "group-none": false, "group-empty": true, "no-such-group": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("LockGroupTimeRestrictionSupport (-want +got):\n%s", diff)
	}
	if got, err := s.LockGroupTimeRestrictionSupport(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("LockGroupTimeRestrictionSupport(nil) = %v, %v; want an empty map", got, err)
	}

	// the zones of the members, distinct and in order; a group without members has none
	far := &keyward.PhysicalLock{ID: lockproto.EncodeLockID([]byte("far")), LockTypeID: "TK.Td30", ProtocolVersion: 3,
		BindingCodeHash: "h", TimeZone: "America/New_York", TimeRestrictionSupport: true, CreatedAt: at(20)}
	must(t, s.CreatePhysicalLock(ctx, far))
	ny := mkBoundLock(t, s, o.ID, far.ID, 21, "New York")
	must(t, s.AddLockGroupMember(ctx, o.ID, "group-mixed", ny.ID, at(22)))
	zones, err := s.LockGroupZones(ctx, o.ID, []string{"group-all", "group-mixed", "group-none", "group-empty", "no-such-group"})
	must(t, err)
	wantZones := map[string][]string{"group-all": {"Europe/Vienna"}, "group-mixed": {"America/New_York", "Europe/Vienna"}, "group-none": {"Europe/Vienna"}}
	if diff := cmp.Diff(wantZones, zones); diff != "" {
		t.Fatalf("LockGroupZones (-want +got):\n%s", diff)
	}
	// another account's groups are not read, though named
	other := mkOwner(t, s, 30)
	if zones, err := s.LockGroupZones(ctx, other.ID, []string{"group-all", "group-mixed"}); err != nil || len(zones) != 0 {
		t.Fatalf("LockGroupZones of another account = %v, %v; want none", zones, err)
	}
	// the active locks that are no members of a group
	active := true
	others, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o.ID, NotInGroupID: apitest.Ptr("group-all"), Active: &active})
	must(t, err)
	var titles []string
	for _, l := range others {
		titles = append(titles, l.Title)
	}
	if want := []string{"Without", "New York"}; !slices.Equal(titles, want) {
		t.Fatalf("the active locks outside group-all: %q, want %q", titles, want)
	}
}

func testBoundCards(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	pc := &keyward.PhysicalCard{ID: "pc-1", UID: "AHHCCh07gB==", Capacity: 12, CreatedAt: at(2)}
	must(t, s.CreatePhysicalCard(ctx, pc))
	wantErr(t, s.CreatePhysicalCard(ctx, &keyward.PhysicalCard{ID: "pc-2", UID: pc.UID, Capacity: 1, CreatedAt: at(3)}), keyward.ErrInvalid)
	byUID, err := s.FindPhysicalCard(ctx, "", pc.UID)
	must(t, err)
	if byUID.ID != pc.ID {
		t.Fatalf("FindPhysicalCard by uid = %v", byUID)
	}
	bc := &keyward.BoundCard{ID: "bc-1", OwnerAccountID: o.ID, PhysicalCardID: pc.ID, BindDate: at(4), IsActive: true, CreatedAt: at(4)}
	must(t, s.CreateBoundCard(ctx, bc))
	again := *bc
	again.ID = "bc-2"
	wantErr(t, s.CreateBoundCard(ctx, &again), keyward.ErrCardAlreadyBound)
	must(t, s.UpdateBoundCard(ctx, o.ID, bc.ID, keyward.BoundCardUpdate{Title: apitest.Ptr("Ada's card")}))
	got, err := s.FindBoundCards(ctx, keyward.BoundCardFilter{OwnerID: o.ID})
	must(t, err)
	want := []*keyward.BoundCard{{ID: "bc-1", UID: pc.UID, IsActive: true, PhysicalCardID: pc.ID, OwnerAccountID: o.ID,
		BindDate: at(4), Title: apitest.Ptr("Ada's card"), NofGrantsCapacity: 12, CreatedAt: at(4)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("FindBoundCards (-want +got):\n%s", diff)
	}
}

func testClientsAndKeys(t *testing.T, s flat) {
	u := &keyward.User{ID: "svc", Email: keyward.ServiceUserEmail("client-1"), Kind: keyward.UserService, Verified: true, CreatedAt: at(1)}
	must(t, s.CreateUser(ctx, u))
	c := &keyward.Client{ID: "client-1", Name: "Sync", SecretHash: "abc", GrantTypes: []string{keyward.GrantClientCredentials},
		Scopes: []string{"read:core:entities", "write:grants"}, RedirectURIs: []string{}, AllowedOrigins: []string{}, ServiceUserID: &u.ID, CreatedAt: at(2)}
	must(t, s.CreateClient(ctx, c))
	got, err := s.FindClientByID(ctx, c.ID)
	must(t, err)
	if diff := cmp.Diff(c, got); diff != "" {
		t.Fatalf("FindClientByID (-want +got):\n%s", diff)
	}
	_, err = s.FindClientByID(ctx, "CLIENT-1") // ids are case-sensitive
	wantErr(t, err, keyward.ErrNotFound)
	c2 := &keyward.Client{ID: "client-2", Name: "Web", GrantTypes: []string{keyward.GrantAuthorizationCode}, Scopes: []string{},
		RedirectURIs: []string{"https://app.example/cb"}, AllowedOrigins: []string{}, CreatedAt: at(5)}
	must(t, s.CreateClient(ctx, c2))
	list, err := s.FindClientsByID(ctx, []string{c2.ID, "missing", c.ID, c2.ID})
	must(t, err)
	if diff := cmp.Diff([]*keyward.Client{c, c2}, list); diff != "" {
		t.Fatalf("FindClientsByID, in creation order (-want +got):\n%s", diff)
	}
	if list, err := s.FindClientsByID(ctx, nil); err != nil || len(list) != 0 {
		t.Fatalf("FindClientsByID(nil) = %v, %v; want none", list, err)
	}
	k1 := &keyward.SigningKey{ID: "k1", Algorithm: "RS256", PrivateKeyPEM: "pem1", CreatedAt: at(3)}
	k2 := &keyward.SigningKey{ID: "k2", Algorithm: "RS256", PrivateKeyPEM: "pem2", CreatedAt: at(4)}
	must(t, s.CreateSigningKey(ctx, k1))
	must(t, s.CreateSigningKey(ctx, k2))
	keys, err := s.FindSigningKeys(ctx)
	must(t, err)
	if diff := cmp.Diff([]*keyward.SigningKey{k2, k1}, keys); diff != "" {
		t.Fatalf("FindSigningKeys, newest first (-want +got):\n%s", diff)
	}
}

func testListQuery(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	titles := []string{"beta", "Alpha", "gamma", "alphabet"}
	for i, title := range titles {
		mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 10+i).ID, 20+i, title)
	}
	mkContact(t, s, o.ID, 30, "x@example.com")
	noTitle := &keyward.Contact{ID: "c-untitled", OwnerID: o.ID, IPID: "tapkey", Identifier: apitest.Ptr("y@example.com"), CreatedAt: at(31)}
	must(t, s.CreateContact(ctx, noTitle))
	must(t, s.UpdateContact(ctx, o.ID, "contact-0030", keyward.ContactUpdate{Title: apitest.Ptr("Zed")}))
	tests := []struct {
		name  string
		query keyward.Query
		want  []string
	}{
		{"DefaultCreationOrder", keyward.Query{}, []string{"beta", "Alpha", "gamma", "alphabet"}},
		{"ContainsIgnoresCase", keyward.Query{Filter: call("contains", "title", "ALPH")}, []string{"Alpha", "alphabet"}},
		{"EqIsExact", keyward.Query{Filter: bin("eq", "title", "alpha")}, nil},
		{"OrderByBytewise", keyward.Query{OrderBy: []keyward.OrderTerm{{Property: "title"}}}, []string{"Alpha", "alphabet", "beta", "gamma"}},
		{"OrderByDescTopSkip", keyward.Query{OrderBy: []keyward.OrderTerm{{Property: "title", Desc: true}}, Top: apitest.Ptr(2), Skip: 1}, []string{"beta", "alphabet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o.ID, Query: &tt.query})
			must(t, err)
			var got []string
			for _, l := range list {
				got = append(got, l.Title)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("titles (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("NullsLastAscending", func(t *testing.T) {
		list, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID, Query: &keyward.Query{OrderBy: []keyward.OrderTerm{{Property: "title"}}}})
		must(t, err)
		if len(list) != 2 || list[0].ID != "contact-0030" || list[1].ID != "c-untitled" {
			t.Fatalf("order = %v, want titled contact first", list)
		}
	})
	t.Run("UnknownProperty", func(t *testing.T) {
		_, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o.ID, Query: &keyward.Query{Filter: bin("eq", "colour", "red")}})
		var e *keyward.Error
		if !errors.As(err, &e) || e.Kind != keyward.KindInvalid {
			t.Fatalf("got %v, want a 400", err)
		}
	})
}

func bin(op, prop string, v any) keyward.Expr {
	return &keyward.BinaryExpr{Op: op, Left: &keyward.PropertyExpr{Name: prop, Pos: 1}, Right: &keyward.LiteralExpr{Value: v, Pos: 10}, Pos: 5}
}

func call(fn, prop string, v any) keyward.Expr {
	return &keyward.CallExpr{Func: fn, Args: []keyward.Expr{&keyward.PropertyExpr{Name: prop, Pos: 10}, &keyward.LiteralExpr{Value: v, Pos: 20}}, Pos: 1}
}

func testListCap(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	must(t, s.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) error {
		for i := 0; i <= keyward.MaxTop; i++ {
			c := &keyward.Contact{ID: id("contact", 100+i), OwnerID: o.ID, IPID: keyward.IPTapkey,
				Identifier: apitest.Ptr(id("p", i) + "@example.com"), CreatedAt: at(100 + i)}
			if err := tx.CreateContact(ctx, c); err != nil {
				return err
			}
		}
		return nil
	}))
	_, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID, Query: &keyward.Query{}})
	wantErr(t, err, keyward.ErrInvalid)
	all, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID}) // an internal read is not capped
	must(t, err)
	if len(all) != keyward.MaxTop+1 {
		t.Fatalf("internal read has %d items, want %d", len(all), keyward.MaxTop+1)
	}
	list, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID, Query: &keyward.Query{Top: apitest.Ptr(keyward.MaxTop)}})
	must(t, err)
	if len(list) != keyward.MaxTop {
		t.Fatalf("page of $top=%d has %d items", keyward.MaxTop, len(list))
	}
	list, err = s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID, Query: &keyward.Query{Top: apitest.Ptr(keyward.MaxTop), Skip: keyward.MaxTop}})
	must(t, err)
	if len(list) != 1 {
		t.Fatalf("second page has %d items, want 1", len(list))
	}
}

func testRollback(t *testing.T, s flat) {
	boom := errors.New("boom")
	err := s.InNewOwnerTx(ctx, &keyward.Owner{ID: "rolled-back", Name: "Gone", Active: true, CreatedAt: at(1)}, func(tx keyward.OwnerTx) error {
		must(t, tx.CreateContact(ctx, &keyward.Contact{ID: "c", OwnerID: "rolled-back", IPID: keyward.IPTapkey, Identifier: apitest.Ptr("x@example.com"), CreatedAt: at(2)}))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want boom", err)
	}
	list, err := s.FindOwners(ctx, keyward.OwnerFilter{})
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("owners after rollback = %v, want none", list)
	}
}

// testTextGuard stores and looks up text that is not valid UTF-8 or holds NUL on both engines:
// the store refuses it with a 400 before the database sees it (PostgreSQL would fail the
// statement, SQLite would store the bytes), and nothing is stored.
func testTextGuard(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	for i, bad := range []string{"nul\x00byte", "bad\xffbyte"} {
		title := bad
		c := &keyward.Contact{ID: id("contact", i), OwnerID: o.ID, IPID: keyward.IPTapkey, Identifier: apitest.Ptr("a@example.com"), Title: &title, CreatedAt: at(2)}
		wantErr(t, s.CreateContact(ctx, c), keyward.ErrInvalid)
		_, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID, ID: &bad})
		wantErr(t, err, keyward.ErrInvalid)
		_, err = s.FindLatestBoundLock(ctx, bad) // a single-row lookup
		wantErr(t, err, keyward.ErrInvalid)
	}
	list, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o.ID})
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("contacts stored: %+v", list)
	}
}
