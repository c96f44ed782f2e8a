package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

// createGrant makes a grant through the API and stores its id under name.
func (f *fixture) createGrant(t *testing.T, name string, req keyward.GrantCreate) {
	t.Helper()
	g, err := f.admin.CreateGrant(context.Background(), req)
	if err != nil {
		t.Fatalf("create grant %s: %v", name, err)
	}
	f.ids[name] = g.ID
}

// syncLock is a lock of the fixture in the field: phones fetched the keys of its active grants,
// then the lock syncs over the device API.
func (f *fixture) syncLock(t *testing.T, lock string) {
	t.Helper()
	ctx := context.Background()
	l, err := f.admin.BoundLock(ctx, f.ids[lock])
	f.must(err)
	f.deliverKeys(t, l)
	if _, err := f.locks[l.PhysicalLockID].Sync(ctx, client.New(f.base, nil), nil, nil); err != nil {
		t.Fatal(err)
	}
}

// deliverKeys records that the keys of the lock's active grants, and of its groups', left the
// server.
func (f *fixture) deliverKeys(t *testing.T, l *keyward.BoundLock) {
	t.Helper()
	ctx := context.Background()
	grants, err := f.admin.Grants(ctx, nil)
	f.must(err)
	groups, err := f.admin.LockGroups(ctx, nil)
	f.must(err)
	targets := map[string]bool{l.ID: true}
	for _, g := range groups {
		members, err := f.admin.LockGroupMembers(ctx, g.ID, nil)
		f.must(err)
		for _, m := range members {
			targets[g.ID] = targets[g.ID] || m.ID == l.ID
		}
	}
	var ids []string
	for _, g := range grants {
		if g.Active && targets[g.BoundLockID] {
			ids = append(ids, g.ID)
		}
	}
	f.must(f.m.Store.InOwnerTx(ctx, l.OwnerAccountID, func(tx keyward.OwnerTx) error { return tx.MarkGrantsDelivered(ctx, ids) }))
}

func TestGrants_Revoke(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		f.createGrant(t, "fresh", f.contactGrant("lock1", "guest"))
		f.run(t, []scenario{
			{name: "DryRunChangesNothing", method: "POST", path: "/api/v1/Owners/{o1}/Grants/{fresh}/Revoke?dryRun=true", as: "admin", wantStatus: 200,
				wantBody: grantJSON("{fresh}", "contact", `null`, `null`, `null`, "Revoked", false)},
			{name: "StillActive", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{fresh}", as: "admin", wantStatus: 200,
				wantBody: grantJSON("{fresh}", "contact", `null`, `null`, `null`, "Ok", true)},
			// The lock never received the key: revoked at once, its revocation list untouched.
			{name: "RevokeUndelivered", method: "POST", path: "/api/v1/owners/{o1}/grants/{fresh}/revoke?dryRun=false", as: "admin", body: `{"dryRun":false}`, wantStatus: 200,
				wantBody: grantJSON("{fresh}", "contact", `null`, `null`, `null`, "Revoked", false)},
			{name: "RevokeAgainIsIdempotent", method: "PUT", path: "/api/v1/Owners/{o1}/Grants/{fresh}/Revoke", as: "admin", wantStatus: 200,
				wantBody: grantJSON("{fresh}", "contact", `null`, `null`, `null`, "Revoked", false)},
			{name: "RevokeUnknown", method: "POST", path: "/api/v1/Owners/{o1}/Grants/nope/Revoke", as: "admin", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"grant \"nope\" does not exist","UserErrorMessage":""}`},
		})

		// A delivered key needs the lock's confirmation: RevocationPending until its next sync.
		f.createGrant(t, "held", f.contactGrant("lock1", "guest"))
		f.syncLock(t, "lock1")
		f.run(t, []scenario{
			{name: "RevokeDelivered", method: "POST", path: "/api/v1/Owners/{o1}/Grants/{held}/Revoke", as: "admin", wantStatus: 200, dynamic: []string{"boundLock"},
				wantBody: strings.Replace(grantJSON("{held}", "contact", `null`, `null`, `null`, "RevocationPending", false), "{lock1JSON}", `"<boundLock>"`, 1)},
			{name: "AccessCheckPending", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}&at=2026-06-01T00:00:00Z", as: "admin", wantStatus: 200,
				wantBody: `{"boundLockId":"{lock1}","contactId":"{guest}","boundCardId":null,"at":"2026-06-01T00:00:00.000Z","allowed":false,"lockMayStillAllow":true,"grants":[` +
					`{"grantId":"{fresh}","viaLockGroupId":null,"state":"Revoked","reason":"Revoked","lockMayStillAllow":false,"detail":"the grant was revoked","nextWindow":null},` +
					`{"grantId":"{held}","viaLockGroupId":null,"state":"RevocationPending","reason":"RevocationPending","lockMayStillAllow":true,"detail":"the grant was revoked; until its next sync the lock may still accept the key","nextWindow":null}]}`},
			{name: "RevocationListGrew", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks?$filter=id%20eq%20'{lock1}'&$select=rclSerialNo,lastSeenRclSerialNo", as: "admin", wantStatus: 200,
				wantBody: `[{"rclSerialNo":1,"lastSeenRclSerialNo":0}]`},
		})
		f.syncLock(t, "lock1")
		f.run(t, []scenario{
			{name: "AccessCheckConfirmed", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}&at=2026-06-01T00:00:00Z", as: "admin", wantStatus: 200,
				wantBody: `{"boundLockId":"{lock1}","contactId":"{guest}","boundCardId":null,"at":"2026-06-01T00:00:00.000Z","allowed":false,"lockMayStillAllow":false,"grants":[` +
					`{"grantId":"{fresh}","viaLockGroupId":null,"state":"Revoked","reason":"Revoked","lockMayStillAllow":false,"detail":"the grant was revoked","nextWindow":null},` +
					`{"grantId":"{held}","viaLockGroupId":null,"state":"Revoked","reason":"Revoked","lockMayStillAllow":false,"detail":"the grant was revoked","nextWindow":null}]}`},
			{name: "ConfirmedBySync", method: "GET", path: "/api/v1/Owners/{o1}/Grants?$filter=id%20eq%20'{held}'&$select=state,active", as: "admin", wantStatus: 200,
				wantBody: `[{"state":"Revoked","active":false}]`},
			{name: "LockSawTheList", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks?$filter=id%20eq%20'{lock1}'&$select=rclSerialNo,lastSeenRclSerialNo", as: "admin", wantStatus: 200,
				wantBody: `[{"rclSerialNo":1,"lastSeenRclSerialNo":1}]`},
		})
	})
}

func TestGrants_RevokeInBulk(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		f.createGrant(t, "c1", f.cardGrant("lock1", "card"))
		f.syncLock(t, "lock1") // the lock now knows the card's key too
		f.ids["lock1JSON"] = f.entityJSON(t, "/BoundLocks/{lock1}")
		f.createGrant(t, "g1", f.contactGrant("lock1", "guest"))
		f.createGrant(t, "g2", f.contactGrant("lockOld", "guest"))
		f.run(t, []scenario{
			{name: "DeleteFromCardNeedsCardGrant", method: "POST", path: "/api/v1/Owners/{o1}/Grants/{g1}/DeleteFromCard", as: "admin", wantStatus: 400,
				wantBody: `{"ErrorCode":"Generic","ErrorMessage":"The grant request is invalid.","ErrorDetails":"grant \"{g1}\" is for a contact; only card grants can be deleted from a card","UserErrorMessage":"The access permission could not be created. Please check your entries and try again."}`},
			{name: "CardGrantsList", method: "GET", path: "/api/v1/Owners/{o1}/BoundCards/{card}/Grants?$select=id,active", as: "admin", wantStatus: 200,
				wantBody: `[{"id":"{c1}","active":true}]`},
			{name: "DeleteFromCard", method: "POST", path: "/api/v1/Owners/{o1}/Grants/{c1}/DeleteFromCard", as: "admin", wantStatus: 200,
				wantBody: grantJSON("{c1}", "card", `null`, `null`, `null`, "Revoked", false)},
			{name: "DeleteFromCardLeavesRevocationList", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks?$filter=id%20eq%20'{lock1}'&$select=rclSerialNo", as: "admin", wantStatus: 200,
				wantBody: `[{"rclSerialNo":0}]`},
			{name: "RevokeContactGrants", method: "POST", path: "/api/v1/Owners/{o1}/Contacts/{guest}/RevokeGrants", as: "admin", wantStatus: 200,
				wantBody: `[` + grantJSON("{g1}", "contact", `null`, `null`, `null`, "Revoked", false) + `,` +
					`{"id":"{g2}","ownerAccountId":"{o1}","boundLockId":"{lockOld}","contactId":"{guest}","boundCardId":null,"contact":{guestJSON},"boundCard":null,"boundLock":{lockOldJSON},"owner":{ownerJSON},"validFrom":null,"validBefore":null,"timeRestrictionIcal":null,"state":"Revoked","active":false}]`},
			{name: "RevokeCardGrantsNone", method: "POST", path: "/api/v1/Owners/{o1}/BoundCards/{card}/RevokeGrants", as: "admin", wantStatus: 200, wantBody: `[]`},
			{name: "NothingActive", method: "GET", path: "/api/v1/Owners/{o1}/Grants?$filter=active%20eq%20true", as: "admin", wantStatus: 200, wantBody: `[]`},
		})
	})
}

func TestGrants_UnbindRevokes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		f.createGrant(t, "g", f.contactGrant("lock1", "guest"))
		f.run(t, []scenario{
			{name: "Unbind", method: "DELETE", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}", as: "admin", wantStatus: 204},
			{name: "GrantRevoked", method: "GET", path: "/api/v1/Owners/{o1}/Grants?$filter=id%20eq%20'{g}'&$select=state,active", as: "admin", wantStatus: 200,
				wantBody: `[{"state":"Revoked","active":false}]`},
			{name: "NoGrantOnUnboundLock", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", body: `{"boundLockId":"{lock1}","contactId":"{guest}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"Generic","ErrorMessage":"The grant request is invalid.","ErrorDetails":"bound lock \"{lock1}\" is unbound","UserErrorMessage":"The access permission could not be created. Please check your entries and try again."}`},
		})
	})
}

// entityJSON returns the current JSON of an entity of o1, for embedding in expected grants.
func (f *fixture) entityJSON(t *testing.T, path string) string {
	t.Helper()
	res := f.do("GET", "/api/v1/Owners/{o1}"+path, f.token("admin"), "", nil)
	if res.status != 200 {
		t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	return strings.TrimSpace(res.body)
}

// TestGrants_AccessCheckWhileRevocationPending: until the lock confirms a revocation, it holds the
// key and applies the key's own schedule, so it may still open inside the schedule's windows
// and not outside them, while Keyward allows neither.
func TestGrants_AccessCheckWhileRevocationPending(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		sched := f.cardGrant("lock1", "card")
		sched.TimeRestrictionIcal = apitest.Ptr(crlf(weekdays))
		f.createGrant(t, "sched", sched)
		f.syncLock(t, "lock1")
		if _, err := f.admin.RevokeGrant(context.Background(), f.ids["sched"], false); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		check := func(at, mayAllow, detail string) string {
			return `{"boundLockId":"{lock1}","contactId":null,"boundCardId":"{card}","at":"` + at + `","allowed":false,"lockMayStillAllow":` + mayAllow + `,"grants":[` +
				`{"grantId":"{sched}","viaLockGroupId":null,"state":"RevocationPending","reason":"RevocationPending","lockMayStillAllow":` + mayAllow + `,"detail":"` + detail + `","nextWindow":null}]}`
		}
		f.run(t, []scenario{
			{name: "InsideTheSchedule", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?boundCardId={card}&at=2026-03-30T07:00:00Z", as: "admin", wantStatus: 200,
				wantBody: check("2026-03-30T07:00:00.000Z", "true", "the grant was revoked; until its next sync the lock may still accept the key")},
			{name: "OutsideTheSchedule", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?boundCardId={card}&at=2026-03-28T09:00:00Z", as: "admin", wantStatus: 200,
				wantBody: check("2026-03-28T09:00:00.000Z", "false", "the grant was revoked; until its next sync the lock holds the key, which does not open it at this instant: the instant is outside the grant's time restriction")},
		})
	})
}
