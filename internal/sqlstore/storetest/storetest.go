// Package storetest is the conformance suite of keyward.Store: every engine runs the same tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// Run runs the suite; open returns a fresh, migrated, empty store.
func Run(t *testing.T, open func(t *testing.T) keyward.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s flat)
	}{
		{"UserEmailUniqueIgnoringCase", testUserEmailUnique},
		{"OwnerRoles", testOwnerRoles},
		{"ContactDuplicate", testContactDuplicate},
		{"EnsureContact", testEnsureContact},
		{"PermissionCascadeAndFilter", testPermissions},
		{"BoundLockOneActive", testBoundLockOneActive},
		{"LockGroupMembers", testLockGroupMembers},
		{"LockGroupTimeRestrictionSupport", testLockGroupTimeRestrictionSupport},
		{"BoundCardOneActive", testBoundCards},
		{"ClientsAndKeys", testClientsAndKeys},
		{"ListQuery", testListQuery},
		{"ListCap", testListCap},
		{"TextGuard", testTextGuard},
		{"TransactionRollback", testRollback},
		{"ConcurrentBindOneWins", testConcurrentBind},
		{"RaceRevokeSync", testRaceRevokeSync},
		{"TokenFamilyLock", testTokenFamilyLock},
		{"ConcurrentRotation", testConcurrentRotation},
		{"UserLock", testUserLock},
		{"OwnerTxScope", testOwnerTxScope},
		{"UseCasePairs", testUseCasePairs},
		{"Grants", testGrants},
		{"GroupRevocationOrder", testGroupRevocationOrder},
		{"GroupLeave", testGroupLeave},
		{"RevokeGrants", testRevokeGrants},
		{"AuthStorage", testAuthStorage},
		{"Consents", testConsents},
		{"CheckAccessToken", testCheckAccessToken},
		{"LogEntries", testLogEntries},
		{"ConcurrentLogUploads", testConcurrentLogUploads},
		{"LockHealth", testLockHealth},
		{"Mobiles", testMobiles},
		{"KeyGrants", testKeyGrants},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newFlat(open(t)))
		})
	}
}

var (
	ctx   = context.Background()
	epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// at returns distinct, increasing creation times so that default order is predictable.
func at(i int) keyward.Time { return keyward.NewTime(epoch.Add(time.Duration(i) * time.Second)) }

func id(prefix string, i int) string { return fmt.Sprintf("%s-%04d", prefix, i) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err is the domain error want (same kind, code and message).
func wantErr(t *testing.T, err error, want *keyward.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %q (%v)", err, want.Message, want.Code)
	}
}

func mkOwner(t *testing.T, s flat, i int) *keyward.Owner {
	t.Helper()
	o := &keyward.Owner{ID: id("owner", i), Name: fmt.Sprintf("Owner %d", i), Active: true, CreatedAt: at(i)}
	must(t, s.CreateOwner(ctx, o))
	return o
}

func mkUser(t *testing.T, s flat, i int, email string) *keyward.User {
	t.Helper()
	u := &keyward.User{ID: id("user", i), Email: email, Kind: keyward.UserPerson, Verified: true, CreatedAt: at(i)}
	must(t, s.CreateUser(ctx, u))
	return u
}

func mkContact(t *testing.T, s flat, ownerID string, i int, identifier string) *keyward.Contact {
	t.Helper()
	c := &keyward.Contact{ID: id("contact", i), OwnerID: ownerID, IPID: keyward.IPTapkey, Identifier: &identifier, CreatedAt: at(i)}
	must(t, s.CreateContact(ctx, c))
	return c
}

func mkPhysicalLock(t *testing.T, s flat, i int) *keyward.PhysicalLock {
	t.Helper()
	l := &keyward.PhysicalLock{ID: lockproto.EncodeLockID([]byte{byte(i), 0xbf, 0xfb}), LockTypeID: "TK.Td30",
		ProtocolVersion: 3, BindingCodeHash: "h", TimeZone: "Europe/Vienna", TimeRestrictionSupport: true, CreatedAt: at(i)}
	must(t, s.CreatePhysicalLock(ctx, l))
	return l
}

func mkBoundLock(t *testing.T, s flat, ownerID, physID string, i int, title string) *keyward.BoundLock {
	t.Helper()
	l := &keyward.BoundLock{ID: id("lock", i), OwnerAccountID: ownerID, PhysicalLockID: physID, Title: title,
		BindDate: at(i), Active: true, CreatedAt: at(i)}
	must(t, s.CreateBoundLock(ctx, l))
	return l
}
