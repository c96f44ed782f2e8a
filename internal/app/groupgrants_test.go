package app_test

import (
	"encoding/json"
	"testing"
)

// TestGrants_LockGroup grants a contact a group of two locks: access is decided through the
// group, and a revocation after a sync stays pending until both members have synced.
func TestGrants_LockGroup(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		res := f.do("PUT", "/api/v1/Owners/{o1}/LockGroups", f.token("admin"), `{"title":"Both"}`, nil)
		var g struct{ ID string }
		f.must(json.Unmarshal([]byte(res.body), &g))
		f.ids["group"] = g.ID
		for _, l := range []string{"lock1", "lockOld"} {
			if r := f.do("PUT", "/api/v1/Owners/{o1}/LockGroups/{group}/BoundLocks", f.token("admin"), `{"boundLockId":"{`+l+`}"}`, nil); r.status != 200 {
				t.Fatalf("add %s: %d %s", l, r.status, r.body)
			}
		}
		f.createGrant(t, "gg", `{"boundLockId":"{group}","contactId":"{guest}"}`)
		f.run(t, []scenario{
			{name: "EmbedsTheGroup", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{gg}", as: "admin", wantStatus: 200,
				wantBody: `{"id":"{gg}","ownerAccountId":"{o1}","boundLockId":"{group}","contactId":"{guest}","boundCardId":null,"contact":{guestJSON},"boundCard":null,` +
					`"boundLock":{"id":"{group}","ownerAccountId":"{o1}","title":"Both","description":"","active":true,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,"supportedFeatures":null,"statistics":null},` +
					`"owner":{ownerJSON},"validFrom":null,"validBefore":null,"timeRestrictionIcal":null,"state":"Ok","active":true}`},
			{name: "AccessViaGroup", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lockOld}/AccessCheck?contactId={guest}&at=2026-06-01T12:00:00Z", as: "admin", wantStatus: 200,
				wantBody: `{"boundLockId":"{lockOld}","contactId":"{guest}","boundCardId":null,"at":"2026-06-01T12:00:00.000Z","allowed":true,"lockMayStillAllow":false,"grants":[{"grantId":"{gg}","viaLockGroupId":"{group}","state":"Ok","reason":"Allowed","lockMayStillAllow":false,"detail":"the grant allows access","nextWindow":null}]}`},
			{name: "NotOnNonMember", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lockNoTR}/AccessCheck?contactId={guest}&at=2026-06-01T12:00:00Z", as: "admin", wantStatus: 200,
				wantBody: `{"boundLockId":"{lockNoTR}","contactId":"{guest}","boundCardId":null,"at":"2026-06-01T12:00:00.000Z","allowed":false,"lockMayStillAllow":false,"grants":[]}`},
			{name: "GroupDuplicate", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", body: `{"boundLockId":"{group}","contactId":"{guest}"}`, wantStatus: 400,
				wantBody: `{` + seedDuplicate + `,"ErrorDetails":"contact \"{guest}\" already has an active grant for Group \"{group}\"","UserErrorMessage":"This person or card already has an active access permission for this lock."}`},
			{name: "ICalOnGroupWithUnsupportingMember", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin",
				body: grantBody("group", ics(event(viennaStart, viennaEnd, `RRULE:FREQ=YEARLY`))), wantStatus: 400,
				wantBody: `{"ErrorCode":"ProtocolVersionTooOld","ErrorMessage":"The lock's protocol version does not support this grant.","ErrorDetails":"bound lock \"{lockOld}\" speaks protocol version 2; MONTHLY and YEARLY rules need version 3","UserErrorMessage":"This lock does not support all the features used by this access permission. Updating the lock's firmware may help."}`},
		})
		f.syncLock(t, "lock1")
		f.syncLock(t, "lockOld")
		f.run(t, []scenario{
			{name: "MembersJoined", method: "GET", path: "/api/v1/Owners/{o1}/LockGroups/{group}?expand=statistics", as: "admin", wantStatus: 200,
				wantBody: `{"id":"{group}","ownerAccountId":"{o1}","title":"Both","description":"","active":true,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,"supportedFeatures":null,"statistics":{"ByState":[{"State":"Joined","Count":2}]}}`},
		})
		res = f.do("POST", "/api/v1/Owners/{o1}/Grants/{gg}/Revoke", f.token("admin"), "", nil)
		state := func() string {
			r := f.do("GET", "/api/v1/Owners/{o1}/Grants?$filter=id%20eq%20'{gg}'&$select=state", f.token("admin"), "", nil)
			var s []struct{ State string }
			f.must(json.Unmarshal([]byte(r.body), &s))
			return s[0].State
		}
		if res.status != 200 || state() != "RevocationPending" {
			t.Fatalf("revoke: %d %s; state %s", res.status, res.body, state())
		}
		f.syncLock(t, "lock1")
		if s := state(); s != "RevocationPending" {
			t.Fatalf("after one member synced: %s, want RevocationPending", s)
		}
		pending := func(lock, mayAllow, detail string) string {
			return `{"boundLockId":"{` + lock + `}","contactId":"{guest}","boundCardId":null,"at":"2026-06-01T12:00:00.000Z","allowed":false,"lockMayStillAllow":` + mayAllow + `,"grants":[` +
				`{"grantId":"{gg}","viaLockGroupId":"{group}","state":"RevocationPending","reason":"RevocationPending","lockMayStillAllow":` + mayAllow + `,"detail":"` + detail + `","nextWindow":null}]}`
		}
		f.run(t, []scenario{
			{name: "SyncedMemberConfirmed", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}&at=2026-06-01T12:00:00Z", as: "admin", wantStatus: 200,
				wantBody: pending("lock1", "false", "the grant was revoked; this lock confirmed it at its last sync, other members of the group have not yet")},
			{name: "OtherMemberMayStillAllow", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lockOld}/AccessCheck?contactId={guest}&at=2026-06-01T12:00:00Z", as: "admin", wantStatus: 200,
				wantBody: pending("lockOld", "true", "the grant was revoked; until its next sync the lock may still accept the key")},
		})
		f.syncLock(t, "lockOld")
		if s := state(); s != "Revoked" {
			t.Fatalf("after both members synced: %s, want Revoked", s)
		}
		// A deleted group revokes its grants and stays embedded in them.
		f.createGrant(t, "gg2", `{"boundLockId":"{group}","contactId":"{guest}"}`)
		if r := f.do("DELETE", "/api/v1/Owners/{o1}/LockGroups/{group}", f.token("admin"), "", nil); r.status != 204 {
			t.Fatalf("delete group: %d %s", r.status, r.body)
		}
		f.run(t, []scenario{
			{name: "GrantOfDeletedGroup", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{gg2}", as: "admin", wantStatus: 200,
				wantBody: `{"id":"{gg2}","ownerAccountId":"{o1}","boundLockId":"{group}","contactId":"{guest}","boundCardId":null,"contact":{guestJSON},"boundCard":null,` +
					`"boundLock":{"id":"{group}","ownerAccountId":"{o1}","title":"Both","description":"","active":false,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,"supportedFeatures":null,"statistics":null},` +
					`"owner":{ownerJSON},"validFrom":null,"validBefore":null,"timeRestrictionIcal":null,"state":"Revoked","active":false}`},
			{name: "NoGrantOnDeletedGroup", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", body: `{"boundLockId":"{group}","contactId":"{guest}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"Generic","ErrorMessage":"The grant request is invalid.","ErrorDetails":"lock group \"{group}\" is deleted","UserErrorMessage":"The access permission could not be created. Please check your entries and try again."}`},
		})
	})
}
