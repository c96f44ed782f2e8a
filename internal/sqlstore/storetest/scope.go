package storetest

import (
	"reflect"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// account is one owner account with one entity of every kind, for the scope test.
type account struct {
	owner   *keyward.Owner
	contact *keyward.Contact
	lock    *keyward.BoundLock
	group   *keyward.LockGroup
	card    *keyward.BoundCard
	grant   *keyward.Grant
	perm    *keyward.Permission
	idp     *keyward.IdentityProvider
}

func mkAccount(t *testing.T, s flat, i int) account {
	o := mkOwner(t, s, i)
	a := account{owner: o, contact: mkContact(t, s, o.ID, i+1, id("guest", i)+"@example.com"),
		lock: mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, i+2).ID, i+3, "Door")}
	a.group = &keyward.LockGroup{ID: id("group", i), OwnerAccountID: o.ID, Title: "All", Active: true, CreatedAt: at(i + 4)}
	must(t, s.CreateLockGroup(ctx, a.group))
	must(t, s.AddLockGroupMember(ctx, o.ID, a.group.ID, a.lock.ID, at(i+5)))
	pc := &keyward.PhysicalCard{ID: id("pc", i), UID: id("uid", i), Capacity: 4, CreatedAt: at(i + 6)}
	must(t, s.CreatePhysicalCard(ctx, pc))
	a.card = &keyward.BoundCard{ID: id("card", i), OwnerAccountID: o.ID, PhysicalCardID: pc.ID, BindDate: at(i + 6), IsActive: true, CreatedAt: at(i + 6)}
	must(t, s.CreateBoundCard(ctx, a.card))
	a.grant = &keyward.Grant{ID: id("grant", i), OwnerAccountID: o.ID, BoundLockID: a.lock.ID, TargetType: "Lock",
		ContactID: &a.contact.ID, State: keyward.GrantOk, Active: true, CreatedAt: at(i + 7)}
	must(t, s.CreateGrant(ctx, a.grant))
	// a card grant, so that the card has an image waiting to be written
	must(t, s.CreateGrant(ctx, &keyward.Grant{ID: id("cardgrant", i), OwnerAccountID: o.ID, BoundLockID: a.lock.ID, TargetType: "Lock",
		BoundCardID: &a.card.ID, State: keyward.GrantOk, Active: true, CreatedAt: at(i + 7)}))
	a.perm = &keyward.Permission{ID: id("perm", i), OwnerAccountID: o.ID, ContactID: a.contact.ID, Role: keyward.RoleAdmin, CreatedAt: at(i + 8)}
	must(t, s.CreatePermission(ctx, a.perm))
	a.idp = &keyward.IdentityProvider{ID: id("idp", i), OwnerAccountID: o.ID, Issuer: "https://id", Audience: "kw", PublicKeyPEM: "pem", CreatedAt: at(i + 9)}
	must(t, s.CreateIdentityProvider(ctx, a.idp))
	addLog(t, s, o.ID, a.lock.ID, logEntries(id("log", i), 1, 2, keyward.LogTypeCommand, keyward.CommandTriggerLock))
	must(t, reportHealth(s, o.ID, a.lock.ID, reading(keyward.HealthTemperature, 20, i+10)))
	return a
}

// snapshot reads everything of an account that a write could change.
func snapshot(t *testing.T, s flat, a account) []any {
	t.Helper()
	o := a.owner.ID
	owners, err1 := s.FindOwners(ctx, keyward.OwnerFilter{ID: &o})
	perms, err2 := s.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: o})
	contacts, err3 := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o})
	locks, err4 := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o})
	groups, err5 := s.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: o})
	members, err6 := s.LockGroupStatistics(ctx, []string{a.group.ID})
	cards, err7 := s.FindBoundCards(ctx, keyward.BoundCardFilter{OwnerID: o})
	grants, err8 := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o})
	idps, err9 := s.FindIdentityProviders(ctx, o)
	ipUsers, err10 := s.FindIPUsers(ctx, keyward.IPUserFilter{IPID: a.idp.ID})
	logs, err11 := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o})
	health, err12 := s.LockHealth(ctx, []string{a.lock.ID})
	for _, err := range []error{err1, err2, err3, err4, err5, err6, err7, err8, err9, err10, err11, err12} {
		must(t, err)
	}
	return []any{owners, perms, contacts, locks, groups, members, cards, grants, idps, ipUsers, logs, health}
}

// testOwnerTxScope runs every write an OwnerTx offers, in a transaction holding one account's
// lock, on the entities of another account: each is refused, and the other account is unchanged.
// The table must name every method of the owner-write interfaces, so a new write cannot skip it.
func testOwnerTxScope(t *testing.T, s flat) {
	mine, other := mkAccount(t, s, 100), mkAccount(t, s, 200)
	before := snapshot(t, s, other)
	o := other.owner.ID
	writes := map[string]func(tx keyward.OwnerTx) error{
		"SetOwnerPlan": nil, "UpdateOwner": nil, // they name no entity: they act on the locked account by construction
		"CreatePermission": func(tx keyward.OwnerTx) error {
			return tx.CreatePermission(ctx, &keyward.Permission{ID: "p-x", OwnerAccountID: o, ContactID: other.contact.ID, Role: keyward.RoleOwner, CreatedAt: at(1)})
		},
		"DeletePermission": func(tx keyward.OwnerTx) error { return tx.DeletePermission(ctx, other.perm.ID) },
		"CreateContact": func(tx keyward.OwnerTx) error {
			return tx.CreateContact(ctx, &keyward.Contact{ID: "c-x", OwnerID: o, IPID: keyward.IPTapkey, Identifier: apitest.Ptr("x@example.com"), CreatedAt: at(1)})
		},
		"EnsureContact": func(tx keyward.OwnerTx) error {
			_, err := tx.EnsureContact(ctx, &keyward.Contact{ID: "c-x", OwnerID: o, IPID: keyward.IPTapkey, Identifier: apitest.Ptr("x@example.com"), CreatedAt: at(1)})
			return err
		},
		"UpdateContact": func(tx keyward.OwnerTx) error {
			return tx.UpdateContact(ctx, other.contact.ID, keyward.ContactUpdate{Title: apitest.Ptr("x")})
		},
		"DeleteContact": func(tx keyward.OwnerTx) error { return tx.DeleteContact(ctx, other.contact.ID) },
		"CreateBoundLock": func(tx keyward.OwnerTx) error {
			return tx.CreateBoundLock(ctx, &keyward.BoundLock{ID: "l-x", OwnerAccountID: o, PhysicalLockID: mine.lock.PhysicalLockID, BindDate: at(1), Active: true, CreatedAt: at(1)})
		},
		"UpdateBoundLock": func(tx keyward.OwnerTx) error {
			return tx.UpdateBoundLock(ctx, other.lock.ID, keyward.BoundLockUpdate{Title: apitest.Ptr("x")})
		},
		"UnbindBoundLock": func(tx keyward.OwnerTx) error { return tx.UnbindBoundLock(ctx, other.lock.ID, at(1)) },
		"CreateLockGroup": func(tx keyward.OwnerTx) error {
			return tx.CreateLockGroup(ctx, &keyward.LockGroup{ID: "g-x", OwnerAccountID: o, Title: "x", Active: true, CreatedAt: at(1)})
		},
		"UpdateLockGroup": func(tx keyward.OwnerTx) error {
			return tx.UpdateLockGroup(ctx, other.group.ID, keyward.LockGroupUpdate{Title: apitest.Ptr("x")})
		},
		"DeleteLockGroup":    func(tx keyward.OwnerTx) error { return tx.DeleteLockGroup(ctx, other.group.ID) },
		"AddLockGroupMember": func(tx keyward.OwnerTx) error { return tx.AddLockGroupMember(ctx, other.group.ID, mine.lock.ID, at(1)) },
		"RemoveLockGroupMember": func(tx keyward.OwnerTx) error {
			return tx.RemoveLockGroupMember(ctx, other.group.ID, other.lock.ID, at(1))
		},
		"SyncLock": func(tx keyward.OwnerTx) error { return tx.SyncLock(ctx, other.lock.ID, 0, at(1)) },
		"AddLogEntries": func(tx keyward.OwnerTx) error {
			_, err := tx.AddLogEntries(ctx, other.lock.ID, logEntries("x", 3, 4, keyward.LogTypeCommand, keyward.CommandTriggerLock))
			return err
		},
		"ReportHealth": func(tx keyward.OwnerTx) error {
			return tx.ReportHealth(ctx, other.lock.ID, []keyward.HealthReading{reading(keyward.HealthTemperature, 30, 1000)})
		},
		"CreateBoundCard": func(tx keyward.OwnerTx) error {
			return tx.CreateBoundCard(ctx, &keyward.BoundCard{ID: "b-x", OwnerAccountID: o, PhysicalCardID: "none", BindDate: at(1), IsActive: true, CreatedAt: at(1)})
		},
		"UpdateBoundCard": func(tx keyward.OwnerTx) error {
			return tx.UpdateBoundCard(ctx, other.card.ID, keyward.BoundCardUpdate{Title: apitest.Ptr("x")})
		},
		"CreateIdentityProvider": func(tx keyward.OwnerTx) error {
			return tx.CreateIdentityProvider(ctx, &keyward.IdentityProvider{ID: "i-x", OwnerAccountID: o, Issuer: "i", Audience: "a", PublicKeyPEM: "p", CreatedAt: at(1)})
		},
		"DeleteIdentityProvider": func(tx keyward.OwnerTx) error { return tx.DeleteIdentityProvider(ctx, other.idp.ID) },
		"CreateIPUser": func(tx keyward.OwnerTx) error {
			return tx.CreateIPUser(ctx, &keyward.IPUser{ID: "u-x", IPID: other.idp.ID, IPUserID: "x", OwnerAccountID: o, Status: keyward.IPUserStatusNormal, CreatedAt: at(1)})
		},
		"CreateGrant": func(tx keyward.OwnerTx) error {
			return tx.CreateGrant(ctx, &keyward.Grant{ID: "gr-x", OwnerAccountID: o, BoundLockID: other.lock.ID, TargetType: "Lock",
				ContactID: &other.contact.ID, State: keyward.GrantOk, Active: true, CreatedAt: at(1)})
		},
		"RevokeGrant": func(tx keyward.OwnerTx) error {
			return tx.RevokeGrant(ctx, other.grant.ID, keyward.GrantRevoked, at(1))
		},
		"RevokeGrants": func(tx keyward.OwnerTx) error {
			ids, err := tx.RevokeGrants(ctx, keyward.GrantFilter{OwnerID: o, IDs: []string{other.grant.ID}}, true, at(1))
			if err == nil && len(ids) == 0 {
				return keyward.ErrNotFound // the expected outcome: nothing of the other account matched
			}
			return err
		},
		"ConfirmCardWrite": func(tx keyward.OwnerTx) error {
			if err := tx.ConfirmCardWrite(ctx, other.card.ID, 1); err != nil {
				return err
			}
			return keyward.ErrNotFound // ignoring another account's card is the expected outcome; the snapshot checks it
		},
		"MarkGrantsDelivered": func(tx keyward.OwnerTx) error {
			if err := tx.MarkGrantsDelivered(ctx, []string{other.grant.ID}); err != nil {
				return err
			}
			return keyward.ErrNotFound // ignoring another account's grant is the expected outcome; the snapshot checks it
		},
	}
	var want []string
	for _, iface := range []any{(*keyward.AccountWrites)(nil), (*keyward.LockWrites)(nil), (*keyward.ContactWrites)(nil), (*keyward.GrantWrites)(nil)} {
		typ := reflect.TypeOf(iface).Elem()
		for i := range typ.NumMethod() {
			want = append(want, typ.Method(i).Name)
		}
	}
	var got []string
	for name := range writes {
		got = append(got, name)
	}
	sort.Strings(want)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("the scope table must name every owner write (-writes +table):\n%s", diff)
	}
	for name, write := range writes {
		if write == nil {
			continue
		}
		err := s.InOwnerTx(ctx, mine.owner.ID, write)
		if err == nil {
			t.Errorf("%s on another account's data succeeded", name)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, s, other)); diff != "" {
		t.Fatalf("the other account changed (-before +after):\n%s", diff)
	}
}
