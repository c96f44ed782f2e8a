package app_test

import (
	"context"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// TestGrants_LockGroup grants a contact a group of two locks: access is decided through the
// group, and a revocation after a sync stays pending until both members have synced.
func TestGrants_LockGroup(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		ctx := context.Background()
		g, err := f.admin.CreateLockGroup(ctx, keyward.LockGroupCreate{Title: "Both"})
		f.must(err)
		f.ids["group"] = g.ID
		for _, l := range []string{"lock1", "lockOld"} {
			if _, err := f.admin.AddLockGroupMember(ctx, g.ID, f.ids[l]); err != nil {
				t.Fatalf("add %s: %v", l, err)
			}
		}
		f.createGrant(t, "gg", f.contactGrant("group", "guest"))
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
		_, err = f.admin.RevokeGrant(ctx, f.ids["gg"], false)
		state := func() string {
			g, err := f.admin.Grant(ctx, f.ids["gg"])
			f.must(err)
			return g.State
		}
		if err != nil || state() != "RevocationPending" {
			t.Fatalf("revoke: %v; state %s", err, state())
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
		f.createGrant(t, "gg2", f.contactGrant("group", "guest"))
		if err := f.admin.DeleteLockGroup(ctx, g.ID); err != nil {
			t.Fatalf("delete group: %v", err)
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
