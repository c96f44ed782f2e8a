package httpapi

import "net/http"

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
		api(http.MethodGet, owner, s.handleOwnerGet),
		api(http.MethodPatch, owner, s.handleOwnerUpdate),

		list(owner+"/Permissions", "Permission", s.handlePermissionList),
		api(http.MethodPut, owner+"/Permissions", s.handlePermissionCreate),
		api(http.MethodGet, owner+"/Permissions/{permissionId}", s.handlePermissionGet),
		api(http.MethodDelete, owner+"/Permissions/{permissionId}", s.handlePermissionDelete),

		list(owner+"/BoundLocks", "BoundLock", s.handleBoundLockList),
		api(http.MethodPut, owner+"/BoundLocks", s.handleBoundLockBind),
		api(http.MethodGet, owner+"/BoundLocks/{boundLockId}", s.handleBoundLockGet),
		api(http.MethodPatch, owner+"/BoundLocks/{boundLockId}", s.handleBoundLockUpdate),
		api(http.MethodDelete, owner+"/BoundLocks/{boundLockId}", s.handleBoundLockUnbind),

		list(owner+"/LockGroups", "LockGroup", s.handleLockGroupList),
		api(http.MethodPut, owner+"/LockGroups", s.handleLockGroupCreate),
		api(http.MethodGet, owner+"/LockGroups/{lockGroupId}", s.handleLockGroupGet),
		api(http.MethodPatch, owner+"/LockGroups/{lockGroupId}", s.handleLockGroupUpdate),
		api(http.MethodDelete, owner+"/LockGroups/{lockGroupId}", s.handleLockGroupDelete),
		list(owner+"/LockGroups/{lockGroupId}/BoundLocks", "BoundLock", s.handleLockGroupMemberList),
		api(http.MethodPut, owner+"/LockGroups/{lockGroupId}/BoundLocks", s.handleLockGroupMemberAdd),
		api(http.MethodDelete, owner+"/LockGroups/{lockGroupId}/BoundLocks/{boundLockId}", s.handleLockGroupMemberRemove),

		list(owner+"/Contacts", "Contact", s.handleContactList),
		api(http.MethodPut, owner+"/Contacts", s.handleContactCreate),
		api(http.MethodGet, owner+"/Contacts/{contactId}", s.handleContactGet),
		api(http.MethodPatch, owner+"/Contacts/{contactId}", s.handleContactUpdate),
		api(http.MethodDelete, owner+"/Contacts/{contactId}", s.handleContactDelete),

		list(owner+"/BoundCards", "BoundCard", s.handleBoundCardList),
		api(http.MethodPut, owner+"/BoundCards", s.handleBoundCardBind),
		api(http.MethodGet, owner+"/BoundCards/{boundCardId}", s.handleBoundCardGet),
		api(http.MethodPatch, owner+"/BoundCards/{boundCardId}", s.handleBoundCardUpdate),

		api(http.MethodGet, owner+"/BoundLocks/{boundLockId}/AccessCheck", s.handleAccessCheck),
		api(http.MethodGet, owner+"/BoundLocks/{boundLockId}/Propagation", s.handleBoundLockPropagation),

		list(owner+"/LogEntries", "LogEntry", s.handleLogEntryList),
		list(owner+"/BoundLocks/{boundLockId}/LogEntries", "LogEntry", s.handleBoundLockLogEntryList),

		list(owner+"/Grants", "Grant", s.handleGrantList),
		api(http.MethodPut, owner+"/Grants", s.handleGrantCreate),
		api(http.MethodGet, owner+"/Grants/{grantId}", s.handleGrantGet),
		api(http.MethodPost, owner+"/Grants/{grantId}/Revoke", s.handleGrantRevoke),
		api(http.MethodPut, owner+"/Grants/{grantId}/Revoke", s.handleGrantRevoke),
		api(http.MethodPost, owner+"/Grants/{grantId}/DeleteFromCard", s.handleGrantDeleteFromCard),
		api(http.MethodGet, owner+"/Grants/{grantId}/Windows", s.handleGrantWindows),
		api(http.MethodPost, owner+"/Contacts/{contactId}/RevokeGrants", s.handleContactRevokeGrants),
		api(http.MethodPost, owner+"/BoundCards/{boundCardId}/RevokeGrants", s.handleBoundCardRevokeGrants),
		list(owner+"/BoundCards/{boundCardId}/Grants", "Grant", s.handleBoundCardGrantList),

		api(http.MethodGet, owner+"/IdentityProviders", s.handleIdentityProviderList),
		api(http.MethodPut, owner+"/IdentityProviders", s.handleIdentityProviderCreate),
		api(http.MethodGet, owner+"/IdentityProviders/{ipId}", s.handleIdentityProviderGet),
		api(http.MethodDelete, owner+"/IdentityProviders/{ipId}", s.handleIdentityProviderDelete),
		list(owner+"/IdentityProviders/{ipId}/Users", "IPUser", s.handleIPUserList),
		api(http.MethodPut, owner+"/IdentityProviders/{ipId}/Users", s.handleIPUserCreate),
		api(http.MethodGet, owner+"/IdentityProviders/{ipId}/Users/{userId}", s.handleIPUserGet),
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

// device is a route of the device API: it takes no token, because each request carries the
// signature of the lock that made it, which the service checks.
func device(method, pattern string, h handlerFunc) route {
	return public(method, pattern, h)
}

// public is a route served without a token, for documents that describe the API.
func public(method, pattern string, h handlerFunc) route {
	return route{Route: Route{Method: method, Pattern: pattern, Public: true}, handler: h}
}
