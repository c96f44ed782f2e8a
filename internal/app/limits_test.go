package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

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
		admin := f.token("admin")
		ok := func(name, method, path, body string) string {
			t.Helper()
			res := f.do(method, path, admin, body, nil)
			if res.status != 200 {
				t.Fatalf("%s: %s %s answered %d %s, want 200", name, method, path, res.status, res.body)
			}
			return res.body
		}
		cardGrant := jsonField(t, ok("CardGrant", "PUT", "/api/v1/Owners/{o1}/Grants", `{"boundLockId":"{lock1}","boundCardId":"{card}"}`), "id")
		contact := jsonField(t, ok("NewContact", "PUT", "/api/v1/Owners/{o1}/Contacts", `{"identifier":"above@example.com"}`), "id")
		ok("ContactGrant", "PUT", "/api/v1/Owners/{o1}/Grants", `{"boundLockId":"{lock1}","contactId":"`+contact+`"}`)
		ok("InlineContactGrant", "PUT", "/api/v1/Owners/{o1}/Grants", `{"boundLockId":"{lock1}","contact":{"identifier":"inline@example.com"}}`)
		ok("GroupGrant", "PUT", "/api/v1/Owners/{o1}/Grants", `{"boundLockId":"{bigGroup}","contactId":"`+contact+`"}`)
		ok("GrantPage", "GET", "/api/v1/Owners/{o1}/Grants?$top=1000", "")
		ok("OneGrant", "GET", "/api/v1/Owners/{o1}/Grants/"+cardGrant, "")
		ok("CardGrants", "GET", "/api/v1/Owners/{o1}/BoundCards/{card}/Grants", "")
		ok("GroupFeatures", "GET", "/api/v1/Owners/{o1}/LockGroups/{bigGroup}?expand=supportedFeatures,statistics", "")
		ok("GroupPage", "GET", "/api/v1/Owners/{o1}/LockGroups?$top=1000&expand=supportedFeatures", "")
		var d struct {
			Allowed bool `json:"allowed"`
		}
		f.must(json.Unmarshal([]byte(ok("AccessCheck", "GET", "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}", "")), &d))
		if !d.Allowed {
			t.Fatalf("AccessCheck denies the guest on lock1, whose grant is the guest's %d-th", bulkSize)
		}
		ok("RevokeCardGrant", "POST", "/api/v1/Owners/{o1}/Grants/"+cardGrant+"/Revoke", "")
		ok("RevokeGuestGrants", "POST", "/api/v1/Owners/{o1}/Contacts/{guest}/RevokeGrants", "")
		if r := f.do("DELETE", "/api/v1/Owners/{o1}/LockGroups/{bigGroup}", admin, "", nil); r.status != 204 {
			t.Fatalf("delete the big group: %d %s", r.status, r.body)
		}
	})
}
