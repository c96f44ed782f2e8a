package client_test

import (
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// td30 is the lock type of the locks the tests register, as bound locks embed it.
func td30() *keyward.LockType {
	lt, _ := lockproto.LookupLockType("TK.Td30")
	return (*keyward.LockType)(&lt)
}

func TestClient_BoundLocks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		phys, code := e.registerLock()
		l, err := e.acct.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: phys, BindingCode: code, Title: apitest.Ptr("Door")})
		e.must(err)
		if len(l.ID) != 36 || l.BindDate.IsZero() {
			t.Fatalf("bound lock %+v has no id or bind date", l)
		}
		want := &keyward.BoundLock{ID: l.ID, OwnerAccountID: e.acct.ID, PhysicalLockID: phys, Title: "Door", LockTypeID: "TK.Td30", LockType: td30(),
			BindDate: l.BindDate, Active: true, TargetType: "Lock"}
		check(t, "BindLock", l, want, nil)
		got, err := e.acct.BoundLock(ctx, l.ID)
		check(t, "BoundLock", got, want, err)
		expanded := *want
		expanded.SupportedFeatures = &keyward.SupportedFeatures{TimeRestrictionIcalSupport: keyward.FeatureSupported}
		expanded.MembershipStatistics = &keyward.Statistics{ByState: []keyward.StateCount{}}
		expanded.HealthStatuses = []keyward.HealthStatus{}
		got, err = e.acct.BoundLock(ctx, l.ID, keyward.ExpandSupportedFeatures, keyward.ExpandMembershipStatistics, keyward.ExpandHealthStatuses)
		check(t, "BoundLock expanded", got, &expanded, err)
		want.Title, want.Description = "Main", "ground floor"
		got, err = e.acct.UpdateBoundLock(ctx, l.ID, keyward.BoundLockUpdate{Title: apitest.Ptr("Main"), Description: apitest.Ptr("ground floor")})
		check(t, "UpdateBoundLock", got, want, err)
		locks, err := e.acct.BoundLocks(ctx, &client.Query{Filter: "physicalLockId eq '" + phys + "'"})
		check(t, "BoundLocks by physicalLockId", locks, []*keyward.BoundLock{want}, err)

		phys2, code2 := e.registerLock()
		back, err := e.acct.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: phys2, BindingCode: code2, Title: apitest.Ptr("Back")})
		e.must(err)
		locks, err = e.acct.BoundLocks(ctx, &client.Query{OrderBy: "title desc", Top: 1, Skip: 1, Select: []string{"id", "title"}})
		check(t, "BoundLocks paged", locks, []*keyward.BoundLock{{ID: back.ID, Title: "Back"}}, err)
		e.must(e.acct.UnbindLock(ctx, back.ID))
		locks, err = e.acct.BoundLocks(ctx, &client.Query{Filter: "active eq false", Select: []string{"id", "active"}})
		check(t, "BoundLocks unbound", locks, []*keyward.BoundLock{{ID: back.ID}}, err)
		checkError(t, "UnbindLock unknown", e.acct.UnbindLock(ctx, "nope"), notFound(`bound lock "nope" does not exist`))
	})
}

func TestClient_LockGroups(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		phys, code := e.registerLock()
		l, err := e.acct.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: phys, BindingCode: code})
		e.must(err)
		g, err := e.acct.CreateLockGroup(ctx, keyward.LockGroupCreate{Title: "Building A", Description: apitest.Ptr("all doors")})
		e.must(err)
		want := &keyward.LockGroup{ID: g.ID, OwnerAccountID: e.acct.ID, Title: "Building A", Description: "all doors", Active: true, TargetType: "Group"}
		check(t, "CreateLockGroup", g, want, nil)
		got, err := e.acct.AddLockGroupMember(ctx, g.ID, l.ID)
		check(t, "AddLockGroupMember", got, want, err)
		members, err := e.acct.LockGroupMembers(ctx, g.ID, nil)
		check(t, "LockGroupMembers", members, []*keyward.BoundLock{l}, err)
		expanded := *want
		expanded.SupportedFeatures = &keyward.SupportedFeatures{TimeRestrictionIcalSupport: keyward.FeatureSupported}
		expanded.Statistics = &keyward.Statistics{ByState: []keyward.StateCount{{State: keyward.MembershipJoinPending, Count: 1}}}
		got, err = e.acct.LockGroup(ctx, g.ID, keyward.ExpandSupportedFeatures, keyward.ExpandStatistics)
		check(t, "LockGroup expanded", got, &expanded, err)
		want.Title = "Building B"
		got, err = e.acct.UpdateLockGroup(ctx, g.ID, keyward.LockGroupUpdate{Title: apitest.Ptr("Building B")})
		check(t, "UpdateLockGroup", got, want, err)
		groups, err := e.acct.LockGroups(ctx, &client.Query{Select: []string{"id", "active"}})
		check(t, "LockGroups", groups, []*keyward.LockGroup{{ID: g.ID, Active: true}}, err)
		e.must(e.acct.RemoveLockGroupMember(ctx, g.ID, l.ID))
		members, err = e.acct.LockGroupMembers(ctx, g.ID, nil)
		check(t, "LockGroupMembers after removal", members, []*keyward.BoundLock{}, err)
		checkError(t, "RemoveLockGroupMember again", e.acct.RemoveLockGroupMember(ctx, g.ID, l.ID),
			notFound(`bound lock "`+l.ID+`" is not a member of lock group "`+g.ID+`"`))
		e.must(e.acct.DeleteLockGroup(ctx, g.ID))
		want.Active = false
		got, err = e.acct.LockGroup(ctx, g.ID)
		check(t, "LockGroup deleted", got, want, err)
	})
}
