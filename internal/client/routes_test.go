package client_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/httpapi"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// routeCalls are the client's calls by the route they send, each with ids that name nothing.
func routeCalls(e *env) map[string]func() error {
	a, x := e.acct, "x"
	const owner = "/api/v1/Owners/{ownerId}"
	return map[string]func() error{
		"GET /api/v1/Owners":            func() error { _, err := e.api.Owners(ctx, nil); return err },
		"PUT /api/v1/Owners":            func() error { _, err := e.api.CreateOwner(ctx, keyward.OwnerCreate{Name: x}); return err },
		"GET " + owner:                  func() error { _, err := a.Owner(ctx); return err },
		"PATCH " + owner:                func() error { _, err := a.UpdateOwner(ctx, keyward.OwnerUpdate{}); return err },
		"GET " + owner + "/Permissions": func() error { _, err := a.Permissions(ctx, nil); return err },
		"PUT " + owner + "/Permissions": func() error {
			_, err := a.CreatePermission(ctx, keyward.PermissionCreate{ContactID: x, Role: keyward.RoleAdmin})
			return err
		},
		"GET " + owner + "/Permissions/{permissionId}":    func() error { _, err := a.Permission(ctx, x); return err },
		"DELETE " + owner + "/Permissions/{permissionId}": func() error { return a.DeletePermission(ctx, x) },
		"GET " + owner + "/BoundLocks":                    func() error { _, err := a.BoundLocks(ctx, nil); return err },
		"PUT " + owner + "/BoundLocks": func() error {
			_, err := a.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: lockproto.EncodeLockID([]byte(x)), BindingCode: x})
			return err
		},
		"GET " + owner + "/BoundLocks/{boundLockId}":    func() error { _, err := a.BoundLock(ctx, x); return err },
		"PATCH " + owner + "/BoundLocks/{boundLockId}":  func() error { _, err := a.UpdateBoundLock(ctx, x, keyward.BoundLockUpdate{}); return err },
		"DELETE " + owner + "/BoundLocks/{boundLockId}": func() error { return a.UnbindLock(ctx, x) },
		"GET " + owner + "/LockGroups":                  func() error { _, err := a.LockGroups(ctx, nil); return err },
		"PUT " + owner + "/LockGroups":                  func() error { _, err := a.CreateLockGroup(ctx, keyward.LockGroupCreate{}); return err },
		"GET " + owner + "/LockGroups/{lockGroupId}":    func() error { _, err := a.LockGroup(ctx, x); return err },
		"PATCH " + owner + "/LockGroups/{lockGroupId}":  func() error { _, err := a.UpdateLockGroup(ctx, x, keyward.LockGroupUpdate{}); return err },
		"DELETE " + owner + "/LockGroups/{lockGroupId}": func() error { return a.DeleteLockGroup(ctx, x) },
		"GET " + owner + "/LockGroups/{lockGroupId}/BoundLocks": func() error {
			_, err := a.LockGroupMembers(ctx, x, nil)
			return err
		},
		"PUT " + owner + "/LockGroups/{lockGroupId}/BoundLocks": func() error {
			_, err := a.AddLockGroupMember(ctx, x, x)
			return err
		},
		"DELETE " + owner + "/LockGroups/{lockGroupId}/BoundLocks/{boundLockId}": func() error {
			return a.RemoveLockGroupMember(ctx, x, x)
		},
		"GET " + owner + "/Contacts":                   func() error { _, err := a.Contacts(ctx, nil); return err },
		"PUT " + owner + "/Contacts":                   func() error { _, err := a.CreateContact(ctx, keyward.ContactCreate{}); return err },
		"GET " + owner + "/Contacts/{contactId}":       func() error { _, err := a.Contact(ctx, x); return err },
		"PATCH " + owner + "/Contacts/{contactId}":     func() error { _, err := a.UpdateContact(ctx, x, keyward.ContactUpdate{}); return err },
		"DELETE " + owner + "/Contacts/{contactId}":    func() error { return a.DeleteContact(ctx, x) },
		"GET " + owner + "/BoundCards":                 func() error { _, err := a.BoundCards(ctx, nil); return err },
		"PUT " + owner + "/BoundCards":                 func() error { _, err := a.BindCard(ctx, keyward.BindCardRequest{UID: &x}); return err },
		"GET " + owner + "/BoundCards/{boundCardId}":   func() error { _, err := a.BoundCard(ctx, x); return err },
		"PATCH " + owner + "/BoundCards/{boundCardId}": func() error { return a.UpdateBoundCard(ctx, x, keyward.BoundCardUpdate{}) },
		"GET " + owner + "/BoundLocks/{boundLockId}/AccessCheck": func() error {
			_, err := a.AccessCheck(ctx, x, client.AccessQuery{ContactID: x, At: time.Now()})
			return err
		},
		"GET " + owner + "/BoundLocks/{boundLockId}/Propagation": func() error { _, err := a.LockPropagation(ctx, x); return err },
		"GET " + owner + "/LogEntries":                           func() error { _, err := a.LogEntries(ctx, nil); return err },
		"GET " + owner + "/BoundLocks/{boundLockId}/LogEntries": func() error {
			_, err := a.BoundLockLogEntries(ctx, x, nil)
			return err
		},
		"GET " + owner + "/Grants": func() error { _, err := a.Grants(ctx, nil); return err },
		"PUT " + owner + "/Grants": func() error {
			_, err := a.CreateGrant(ctx, keyward.GrantCreate{BoundLockID: x, ContactID: &x})
			return err
		},
		"GET " + owner + "/Grants/{grantId}":                 func() error { _, err := a.Grant(ctx, x); return err },
		"POST " + owner + "/Grants/{grantId}/Revoke":         func() error { _, err := a.RevokeGrant(ctx, x, false); return err },
		"POST " + owner + "/Grants/{grantId}/DeleteFromCard": func() error { _, err := a.DeleteGrantFromCard(ctx, x); return err },
		"GET " + owner + "/Grants/{grantId}/Windows":         func() error { _, err := a.GrantWindows(ctx, x, time.Time{}, time.Time{}); return err },
		"POST " + owner + "/Contacts/{contactId}/RevokeGrants": func() error {
			_, err := a.RevokeContactGrants(ctx, x)
			return err
		},
		"POST " + owner + "/BoundCards/{boundCardId}/RevokeGrants": func() error {
			_, err := a.RevokeBoundCardGrants(ctx, x)
			return err
		},
		"GET " + owner + "/BoundCards/{boundCardId}/Grants": func() error { _, err := a.BoundCardGrants(ctx, x, nil); return err },
		"GET " + owner + "/IdentityProviders":               func() error { _, err := a.IdentityProviders(ctx); return err },
		"PUT " + owner + "/IdentityProviders": func() error {
			_, err := a.CreateIdentityProvider(ctx, keyward.IdentityProviderCreate{IPID: x})
			return err
		},
		"GET " + owner + "/IdentityProviders/{ipId}":    func() error { _, err := a.IdentityProvider(ctx, x); return err },
		"DELETE " + owner + "/IdentityProviders/{ipId}": func() error { return a.DeleteIdentityProvider(ctx, x) },
		"GET " + owner + "/IdentityProviders/{ipId}/Users": func() error {
			if _, err := a.IPUsers(ctx, x, nil); !reachedHandler(err) {
				return err
			}
			_, err := a.IPUserByIPUserID(ctx, x, x)
			return err
		},
		"PUT " + owner + "/IdentityProviders/{ipId}/Users": func() error {
			_, err := a.CreateIPUser(ctx, x, keyward.IPUserCreate{IPUserID: x})
			return err
		},
		"GET " + owner + "/IdentityProviders/{ipId}/Users/{userId}": func() error {
			_, err := a.IPUser(ctx, x, x)
			return err
		},
		"GET /api/v1/Me":                       func() error { _, err := e.api.Me(ctx); return err },
		"GET /api/v1/Me/Mobiles":               func() error { _, err := e.api.FindMobiles(ctx); return err },
		"PUT /api/v1/Me/Mobiles":               func() error { _, err := e.api.RegisterMobile(ctx, keyward.MobileCreate{}); return err },
		"DELETE /api/v1/Me/Mobiles/{mobileId}": func() error { return e.api.RemoveMobile(ctx, x) },
		"GET /api/v1/Me/Mobiles/{mobileId}/Keys": func() error {
			_, _, _, err := e.api.FetchKeys(ctx, x, `"tag"`)
			return err
		},
		"POST /api/v1/Devices/Locks/Sync": func() error {
			_, err := e.api.SyncLock(ctx, &lockproto.Envelope{V: lockproto.FormatVersion, Typ: lockproto.TypeSyncRequest, KID: x})
			return err
		},
		"PATCH " + owner + "/IdentityProviders/{ipId}/Users/{userId}": func() error {
			_, err := a.UpdateIPUser(ctx, x, x, keyward.IPUserUpdate{})
			return err
		},
	}
}

// notByTheClient are routes the client does not call: the contract, served without a token,
// and the PUT that some clients send for Revoke, which does what the client's POST does.
var notByTheClient = map[string]bool{
	"GET /api/v1/openapi.yaml":                             true,
	"PUT /api/v1/Owners/{ownerId}/Grants/{grantId}/Revoke": true,
}

// reachedHandler reports whether a call was answered by a route's handler: a success, or any
// *client.Error but the router's own 404 for a path no route has.
func reachedHandler(err error) bool {
	var e *client.Error
	if err == nil {
		return true
	}
	return errors.As(err, &e) && !strings.HasPrefix(e.ErrorDetails, "no route for ")
}

// TestClient_EveryRoute: the client has a method for every route of the Management API, and each
// method reaches its route's handler.
func TestClient_EveryRoute(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		calls := routeCalls(e)
		for _, rt := range httpapi.New(httpapi.Config{Services: e.m.Services, Verifier: e.m.OAuth}).Routes() {
			key := rt.Method + " " + rt.Pattern
			if notByTheClient[key] {
				continue
			}
			call, ok := calls[key]
			if !ok {
				t.Errorf("the client has no method for %s", key)
				continue
			}
			delete(calls, key)
			if err := call(); !reachedHandler(err) {
				t.Errorf("%s: %v", key, err)
			}
		}
		for key := range calls {
			t.Errorf("the test calls %s, which is not a route", key)
		}
	})
}
