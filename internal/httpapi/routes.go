package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// Pattern prefixes, so that the table below reads as the API does.
const (
	v1    = "/api/v1"
	owner = v1 + "/Owners/{ownerId}"
)

// routeTable is every Management API route. Literal segments are written in Tapkey's casing and
// matched case-insensitively; {name} segments are IDs, read with r.PathValue(name).
func (s *Server) routeTable() []route {
	return []route{
		public(http.MethodGet, v1+"/openapi.yaml", s.handleOpenAPI),

		list(v1+"/Owners", "Owner", s.handleOwnerList),
		api(http.MethodPut, v1+"/Owners", s.handleOwnerCreate),
		cached(api(http.MethodGet, owner, s.handleOwnerGet), nil),
		api(http.MethodPatch, owner, s.handleOwnerUpdate),

		cached(list(owner+"/Permissions", "Permission", s.handlePermissionList), nil),
		api(http.MethodPut, owner+"/Permissions", s.handlePermissionCreate),
		cached(api(http.MethodGet, owner+"/Permissions/{permissionId}", s.handlePermissionGet), nil),
		api(http.MethodDelete, owner+"/Permissions/{permissionId}", s.handlePermissionDelete),

		cached(list(owner+"/BoundLocks", "BoundLock", s.handleBoundLockList), withoutHealth),
		api(http.MethodPut, owner+"/BoundLocks", s.handleBoundLockBind),
		cached(api(http.MethodGet, owner+"/BoundLocks/{boundLockId}", s.handleBoundLockGet), withoutHealth),
		api(http.MethodPatch, owner+"/BoundLocks/{boundLockId}", s.handleBoundLockUpdate),
		api(http.MethodDelete, owner+"/BoundLocks/{boundLockId}", s.handleBoundLockUnbind),

		cached(list(owner+"/LockGroups", "LockGroup", s.handleLockGroupList), nil),
		api(http.MethodPut, owner+"/LockGroups", s.handleLockGroupCreate),
		cached(api(http.MethodGet, owner+"/LockGroups/{lockGroupId}", s.handleLockGroupGet), nil),
		api(http.MethodPatch, owner+"/LockGroups/{lockGroupId}", s.handleLockGroupUpdate),
		api(http.MethodDelete, owner+"/LockGroups/{lockGroupId}", s.handleLockGroupDelete),
		cached(list(owner+"/LockGroups/{lockGroupId}/BoundLocks", "BoundLock", s.handleLockGroupMemberList), nil),
		api(http.MethodPut, owner+"/LockGroups/{lockGroupId}/BoundLocks", s.handleLockGroupMemberAdd),
		api(http.MethodDelete, owner+"/LockGroups/{lockGroupId}/BoundLocks/{boundLockId}", s.handleLockGroupMemberRemove),

		cached(list(owner+"/Contacts", "Contact", s.handleContactList), nil),
		api(http.MethodPut, owner+"/Contacts", s.handleContactCreate),
		cached(api(http.MethodGet, owner+"/Contacts/{contactId}", s.handleContactGet), nil),
		api(http.MethodPatch, owner+"/Contacts/{contactId}", s.handleContactUpdate),
		api(http.MethodDelete, owner+"/Contacts/{contactId}", s.handleContactDelete),

		cached(list(owner+"/BoundCards", "BoundCard", s.handleBoundCardList), nil),
		api(http.MethodPut, owner+"/BoundCards", s.handleBoundCardBind),
		cached(api(http.MethodGet, owner+"/BoundCards/{boundCardId}", s.handleBoundCardGet), nil),
		api(http.MethodPatch, owner+"/BoundCards/{boundCardId}", s.handleBoundCardUpdate),

		api(http.MethodGet, owner+"/BoundLocks/{boundLockId}/AccessCheck", s.handleAccessCheck),
		api(http.MethodGet, owner+"/BoundLocks/{boundLockId}/Propagation", s.handleBoundLockPropagation),

		list(owner+"/LogEntries", "LogEntry", s.handleLogEntryList),
		list(owner+"/BoundLocks/{boundLockId}/LogEntries", "LogEntry", s.handleBoundLockLogEntryList),

		cached(list(owner+"/Grants", "Grant", s.handleGrantList), nil),
		api(http.MethodPut, owner+"/Grants", s.handleGrantCreate),
		cached(api(http.MethodGet, owner+"/Grants/{grantId}", s.handleGrantGet), nil),
		api(http.MethodPost, owner+"/Grants/{grantId}/Revoke", s.handleGrantRevoke),
		api(http.MethodPut, owner+"/Grants/{grantId}/Revoke", s.handleGrantRevoke),
		api(http.MethodPost, owner+"/Grants/{grantId}/DeleteFromCard", s.handleGrantDeleteFromCard),
		api(http.MethodGet, owner+"/Grants/{grantId}/Windows", s.handleGrantWindows),
		api(http.MethodPost, owner+"/Contacts/{contactId}/RevokeGrants", s.handleContactRevokeGrants),
		api(http.MethodPost, owner+"/BoundCards/{boundCardId}/RevokeGrants", s.handleBoundCardRevokeGrants),
		cached(list(owner+"/BoundCards/{boundCardId}/Grants", "Grant", s.handleBoundCardGrantList), nil),

		cached(api(http.MethodGet, owner+"/IdentityProviders", s.handleIdentityProviderList), nil),
		api(http.MethodPut, owner+"/IdentityProviders", s.handleIdentityProviderCreate),
		cached(api(http.MethodGet, owner+"/IdentityProviders/{ipId}", s.handleIdentityProviderGet), nil),
		api(http.MethodDelete, owner+"/IdentityProviders/{ipId}", s.handleIdentityProviderDelete),
		cached(list(owner+"/IdentityProviders/{ipId}/Users", "IPUser", s.handleIPUserList), nil),
		api(http.MethodPut, owner+"/IdentityProviders/{ipId}/Users", s.handleIPUserCreate),
		cached(api(http.MethodGet, owner+"/IdentityProviders/{ipId}/Users/{userId}", s.handleIPUserGet), nil),
		api(http.MethodPatch, owner+"/IdentityProviders/{ipId}/Users/{userId}", s.handleIPUserUpdate),

		api(http.MethodGet, v1+"/Me", s.handleMe),
		api(http.MethodGet, v1+"/Me/Mobiles", s.handleMobileList),
		api(http.MethodPut, v1+"/Me/Mobiles", s.handleMobileRegister),
		api(http.MethodDelete, v1+"/Me/Mobiles/{mobileId}", s.handleMobileRemove),
		api(http.MethodGet, v1+"/Me/Mobiles/{mobileId}/Keys", s.handleMobileKeys),

		device(http.MethodPost, v1+"/Devices/Locks/Sync", s.handleLockSync),
	}
}

// api is a route that needs a bearer token: every Management API operation.
func api(method, pattern string, h handlerFunc) route {
	return route{Route: Route{Method: method, Pattern: pattern}, handler: h}
}

// list is a GET route that answers an OData list of entity (a keyward type name: "Contact").
func list(pattern, entity string, h handlerFunc) route {
	rt := api(http.MethodGet, pattern, h)
	rt.List = entity
	return rt
}

// cached marks a read of an owner account's data whose 200 answers the read cache keeps, under
// the account's version (readcache.go). Such a read's answer must be a function of the
// account's data (which only an OwnerTx writes, raising the version), of the URL, and of the
// caller's right to read it; keep, when not nil, refuses the requests whose answer also
// depends on the clock.
func cached(rt route, keep func(*http.Request) bool) route {
	rt.Cached = true
	rt.keep = keep
	if keep == nil {
		rt.keep = func(*http.Request) bool { return true }
	}
	return rt
}

// withoutHealth keeps a bound-lock read unless it may expand healthStatuses, which tell how long
// ago a lock last reported (keyward.ExpandHealthStatuses). It looks for the word anywhere in the
// decoded query, so that no spelling of the option escapes it; a query that does not decode is
// refused by the handler and kept by nobody.
func withoutHealth(r *http.Request) bool {
	q, err := url.QueryUnescape(r.URL.RawQuery)
	return err == nil && !strings.Contains(strings.ToLower(q), strings.ToLower(keyward.ExpandHealthStatuses))
}

// device is a route of the device API: it takes no token, because each request carries the
// signature of the lock that made it, which the service checks.
func device(method, pattern string, h handlerFunc) route {
	return public(method, pattern, h)
}

// public is a route served without a token, for documents that describe the API.
func public(method, pattern string, h handlerFunc) route {
	return route{Route: Route{Method: method, Pattern: pattern, Public: true}, handler: h}
}
