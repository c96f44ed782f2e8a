package httpapi

import (
	"context"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
)

// fakeService is a keyward.Service whose methods call the function field of the same name. An
// unset field answers an internal error, so a test that reaches an unexpected method sees a 500.
type fakeService struct {
	FindOwnersFunc             func(context.Context, *keyward.Query) ([]*keyward.Owner, error)
	FindOwnerFunc              func(context.Context, string) (*keyward.Owner, error)
	CreateOwnerFunc            func(context.Context, keyward.OwnerCreate) (*keyward.Owner, error)
	UpdateOwnerFunc            func(context.Context, string, keyward.OwnerUpdate) (*keyward.Owner, error)
	FindPermissionsFunc        func(context.Context, string, *keyward.Query) ([]*keyward.Permission, error)
	FindPermissionFunc         func(context.Context, string, string) (*keyward.Permission, error)
	CreatePermissionFunc       func(context.Context, string, keyward.PermissionCreate) (*keyward.Permission, error)
	DeletePermissionFunc       func(context.Context, string, string) error
	FindBoundLocksFunc         func(context.Context, string, *keyward.Query) ([]*keyward.BoundLock, error)
	FindBoundLockFunc          func(context.Context, string, string, []string) (*keyward.BoundLock, error)
	BindLockFunc               func(context.Context, string, keyward.BindLockRequest) (*keyward.BoundLock, error)
	UpdateBoundLockFunc        func(context.Context, string, string, keyward.BoundLockUpdate) (*keyward.BoundLock, error)
	UnbindLockFunc             func(context.Context, string, string) error
	FindLockGroupsFunc         func(context.Context, string, *keyward.Query) ([]*keyward.LockGroup, error)
	FindLockGroupFunc          func(context.Context, string, string, []string) (*keyward.LockGroup, error)
	CreateLockGroupFunc        func(context.Context, string, keyward.LockGroupCreate) (*keyward.LockGroup, error)
	UpdateLockGroupFunc        func(context.Context, string, string, keyward.LockGroupUpdate) (*keyward.LockGroup, error)
	DeleteLockGroupFunc        func(context.Context, string, string) error
	FindLockGroupMembersFunc   func(context.Context, string, string, *keyward.Query) ([]*keyward.BoundLock, error)
	AddLockGroupMemberFunc     func(context.Context, string, string, keyward.LockGroupMemberRequest) (*keyward.LockGroup, error)
	RemoveLockGroupMemberFunc  func(context.Context, string, string, string) error
	FindContactsFunc           func(context.Context, string, *keyward.Query) ([]*keyward.Contact, error)
	FindContactFunc            func(context.Context, string, string) (*keyward.Contact, error)
	CreateContactFunc          func(context.Context, string, keyward.ContactCreate) (*keyward.Contact, error)
	UpdateContactFunc          func(context.Context, string, string, keyward.ContactUpdate) (*keyward.Contact, error)
	DeleteContactFunc          func(context.Context, string, string) error
	FindBoundCardsFunc         func(context.Context, string, *keyward.Query) ([]*keyward.BoundCard, error)
	FindBoundCardFunc          func(context.Context, string, string) (*keyward.BoundCard, error)
	BindCardFunc               func(context.Context, string, keyward.BindCardRequest) (*keyward.BoundCard, error)
	UpdateBoundCardFunc        func(context.Context, string, string, keyward.BoundCardUpdate) error
	CreateGrantFunc            func(context.Context, string, keyward.GrantCreate) (*keyward.Grant, error)
	FindGrantsFunc             func(context.Context, string, *keyward.Query) ([]*keyward.Grant, error)
	FindGrantFunc              func(context.Context, string, string) (*keyward.Grant, error)
	FindBoundCardGrantsFunc    func(context.Context, string, string, *keyward.Query) ([]*keyward.Grant, error)
	RevokeGrantFunc            func(context.Context, string, string, bool) (*keyward.Grant, error)
	DeleteGrantFromCardFunc    func(context.Context, string, string) (*keyward.Grant, error)
	RevokeContactGrantsFunc    func(context.Context, string, string) ([]*keyward.Grant, error)
	RevokeBoundCardGrantsFunc  func(context.Context, string, string) ([]*keyward.Grant, error)
	GrantWindowsFunc           func(context.Context, string, string, *keyward.Time, *keyward.Time) (*keyward.GrantWindows, error)
	AccessCheckFunc            func(context.Context, string, string, *string, *string, *keyward.Time) (*keyward.AccessDecision, error)
	FindIdentityProvidersFunc  func(context.Context, string) ([]*keyward.IdentityProvider, error)
	FindIdentityProviderFunc   func(context.Context, string, string) (*keyward.IdentityProvider, error)
	CreateIdentityProviderFunc func(context.Context, string, keyward.IdentityProviderCreate) (*keyward.IdentityProvider, error)
	FindIPUsersFunc            func(context.Context, string, string, *keyward.Query) ([]*keyward.IPUser, error)
	FindIPUserFunc             func(context.Context, string, string, string, string) (*keyward.IPUser, error)
	CreateIPUserFunc           func(context.Context, string, string, keyward.IPUserCreate) (*keyward.IPUser, error)
	UpdateIPUserFunc           func(context.Context, string, string, string, keyward.IPUserUpdate) (*keyward.IPUser, error)
	DeleteIdentityProviderFunc func(context.Context, string, string) error
}

var _ keyward.Service = (*fakeService)(nil)

// errUnset is the error of a fake method the test did not set.
func errUnset(method string) error { return fmt.Errorf("fake service: %s not set", method) }

// FindOwners calls FindOwnersFunc.
func (f *fakeService) FindOwners(ctx context.Context, q *keyward.Query) ([]*keyward.Owner, error) {
	if f.FindOwnersFunc == nil {
		return nil, errUnset("FindOwners")
	}
	return f.FindOwnersFunc(ctx, q)
}

// FindOwner calls FindOwnerFunc.
func (f *fakeService) FindOwner(ctx context.Context, id string) (*keyward.Owner, error) {
	if f.FindOwnerFunc == nil {
		return nil, errUnset("FindOwner")
	}
	return f.FindOwnerFunc(ctx, id)
}

// CreateOwner calls CreateOwnerFunc.
func (f *fakeService) CreateOwner(ctx context.Context, c keyward.OwnerCreate) (*keyward.Owner, error) {
	if f.CreateOwnerFunc == nil {
		return nil, errUnset("CreateOwner")
	}
	return f.CreateOwnerFunc(ctx, c)
}

// UpdateOwner calls UpdateOwnerFunc.
func (f *fakeService) UpdateOwner(ctx context.Context, id string, u keyward.OwnerUpdate) (*keyward.Owner, error) {
	if f.UpdateOwnerFunc == nil {
		return nil, errUnset("UpdateOwner")
	}
	return f.UpdateOwnerFunc(ctx, id, u)
}

// FindPermissions calls FindPermissionsFunc.
func (f *fakeService) FindPermissions(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.Permission, error) {
	if f.FindPermissionsFunc == nil {
		return nil, errUnset("FindPermissions")
	}
	return f.FindPermissionsFunc(ctx, ownerID, q)
}

// FindPermission calls FindPermissionFunc.
func (f *fakeService) FindPermission(ctx context.Context, ownerID string, id string) (*keyward.Permission, error) {
	if f.FindPermissionFunc == nil {
		return nil, errUnset("FindPermission")
	}
	return f.FindPermissionFunc(ctx, ownerID, id)
}

// CreatePermission calls CreatePermissionFunc.
func (f *fakeService) CreatePermission(ctx context.Context, ownerID string, c keyward.PermissionCreate) (*keyward.Permission, error) {
	if f.CreatePermissionFunc == nil {
		return nil, errUnset("CreatePermission")
	}
	return f.CreatePermissionFunc(ctx, ownerID, c)
}

// DeletePermission calls DeletePermissionFunc.
func (f *fakeService) DeletePermission(ctx context.Context, ownerID string, id string) error {
	if f.DeletePermissionFunc == nil {
		return errUnset("DeletePermission")
	}
	return f.DeletePermissionFunc(ctx, ownerID, id)
}

// FindBoundLocks calls FindBoundLocksFunc.
func (f *fakeService) FindBoundLocks(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.BoundLock, error) {
	if f.FindBoundLocksFunc == nil {
		return nil, errUnset("FindBoundLocks")
	}
	return f.FindBoundLocksFunc(ctx, ownerID, q)
}

// FindBoundLock calls FindBoundLockFunc.
func (f *fakeService) FindBoundLock(ctx context.Context, ownerID string, id string, expand []string) (*keyward.BoundLock, error) {
	if f.FindBoundLockFunc == nil {
		return nil, errUnset("FindBoundLock")
	}
	return f.FindBoundLockFunc(ctx, ownerID, id, expand)
}

// BindLock calls BindLockFunc.
func (f *fakeService) BindLock(ctx context.Context, ownerID string, r keyward.BindLockRequest) (*keyward.BoundLock, error) {
	if f.BindLockFunc == nil {
		return nil, errUnset("BindLock")
	}
	return f.BindLockFunc(ctx, ownerID, r)
}

// UpdateBoundLock calls UpdateBoundLockFunc.
func (f *fakeService) UpdateBoundLock(ctx context.Context, ownerID string, id string, u keyward.BoundLockUpdate) (*keyward.BoundLock, error) {
	if f.UpdateBoundLockFunc == nil {
		return nil, errUnset("UpdateBoundLock")
	}
	return f.UpdateBoundLockFunc(ctx, ownerID, id, u)
}

// UnbindLock calls UnbindLockFunc.
func (f *fakeService) UnbindLock(ctx context.Context, ownerID string, id string) error {
	if f.UnbindLockFunc == nil {
		return errUnset("UnbindLock")
	}
	return f.UnbindLockFunc(ctx, ownerID, id)
}

// FindLockGroups calls FindLockGroupsFunc.
func (f *fakeService) FindLockGroups(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.LockGroup, error) {
	if f.FindLockGroupsFunc == nil {
		return nil, errUnset("FindLockGroups")
	}
	return f.FindLockGroupsFunc(ctx, ownerID, q)
}

// FindLockGroup calls FindLockGroupFunc.
func (f *fakeService) FindLockGroup(ctx context.Context, ownerID string, id string, expand []string) (*keyward.LockGroup, error) {
	if f.FindLockGroupFunc == nil {
		return nil, errUnset("FindLockGroup")
	}
	return f.FindLockGroupFunc(ctx, ownerID, id, expand)
}

// CreateLockGroup calls CreateLockGroupFunc.
func (f *fakeService) CreateLockGroup(ctx context.Context, ownerID string, c keyward.LockGroupCreate) (*keyward.LockGroup, error) {
	if f.CreateLockGroupFunc == nil {
		return nil, errUnset("CreateLockGroup")
	}
	return f.CreateLockGroupFunc(ctx, ownerID, c)
}

// UpdateLockGroup calls UpdateLockGroupFunc.
func (f *fakeService) UpdateLockGroup(ctx context.Context, ownerID string, id string, u keyward.LockGroupUpdate) (*keyward.LockGroup, error) {
	if f.UpdateLockGroupFunc == nil {
		return nil, errUnset("UpdateLockGroup")
	}
	return f.UpdateLockGroupFunc(ctx, ownerID, id, u)
}

// DeleteLockGroup calls DeleteLockGroupFunc.
func (f *fakeService) DeleteLockGroup(ctx context.Context, ownerID string, id string) error {
	if f.DeleteLockGroupFunc == nil {
		return errUnset("DeleteLockGroup")
	}
	return f.DeleteLockGroupFunc(ctx, ownerID, id)
}

// FindLockGroupMembers calls FindLockGroupMembersFunc.
func (f *fakeService) FindLockGroupMembers(ctx context.Context, ownerID string, groupID string, q *keyward.Query) ([]*keyward.BoundLock, error) {
	if f.FindLockGroupMembersFunc == nil {
		return nil, errUnset("FindLockGroupMembers")
	}
	return f.FindLockGroupMembersFunc(ctx, ownerID, groupID, q)
}

// AddLockGroupMember calls AddLockGroupMemberFunc.
func (f *fakeService) AddLockGroupMember(ctx context.Context, ownerID string, groupID string, r keyward.LockGroupMemberRequest) (*keyward.LockGroup, error) {
	if f.AddLockGroupMemberFunc == nil {
		return nil, errUnset("AddLockGroupMember")
	}
	return f.AddLockGroupMemberFunc(ctx, ownerID, groupID, r)
}

// RemoveLockGroupMember calls RemoveLockGroupMemberFunc.
func (f *fakeService) RemoveLockGroupMember(ctx context.Context, ownerID string, groupID string, boundLockID string) error {
	if f.RemoveLockGroupMemberFunc == nil {
		return errUnset("RemoveLockGroupMember")
	}
	return f.RemoveLockGroupMemberFunc(ctx, ownerID, groupID, boundLockID)
}

// FindContacts calls FindContactsFunc.
func (f *fakeService) FindContacts(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.Contact, error) {
	if f.FindContactsFunc == nil {
		return nil, errUnset("FindContacts")
	}
	return f.FindContactsFunc(ctx, ownerID, q)
}

// FindContact calls FindContactFunc.
func (f *fakeService) FindContact(ctx context.Context, ownerID string, id string) (*keyward.Contact, error) {
	if f.FindContactFunc == nil {
		return nil, errUnset("FindContact")
	}
	return f.FindContactFunc(ctx, ownerID, id)
}

// CreateContact calls CreateContactFunc.
func (f *fakeService) CreateContact(ctx context.Context, ownerID string, c keyward.ContactCreate) (*keyward.Contact, error) {
	if f.CreateContactFunc == nil {
		return nil, errUnset("CreateContact")
	}
	return f.CreateContactFunc(ctx, ownerID, c)
}

// UpdateContact calls UpdateContactFunc.
func (f *fakeService) UpdateContact(ctx context.Context, ownerID string, id string, u keyward.ContactUpdate) (*keyward.Contact, error) {
	if f.UpdateContactFunc == nil {
		return nil, errUnset("UpdateContact")
	}
	return f.UpdateContactFunc(ctx, ownerID, id, u)
}

// DeleteContact calls DeleteContactFunc.
func (f *fakeService) DeleteContact(ctx context.Context, ownerID string, id string) error {
	if f.DeleteContactFunc == nil {
		return errUnset("DeleteContact")
	}
	return f.DeleteContactFunc(ctx, ownerID, id)
}

// FindBoundCards calls FindBoundCardsFunc.
func (f *fakeService) FindBoundCards(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.BoundCard, error) {
	if f.FindBoundCardsFunc == nil {
		return nil, errUnset("FindBoundCards")
	}
	return f.FindBoundCardsFunc(ctx, ownerID, q)
}

// FindBoundCard calls FindBoundCardFunc.
func (f *fakeService) FindBoundCard(ctx context.Context, ownerID string, id string) (*keyward.BoundCard, error) {
	if f.FindBoundCardFunc == nil {
		return nil, errUnset("FindBoundCard")
	}
	return f.FindBoundCardFunc(ctx, ownerID, id)
}

// BindCard calls BindCardFunc.
func (f *fakeService) BindCard(ctx context.Context, ownerID string, r keyward.BindCardRequest) (*keyward.BoundCard, error) {
	if f.BindCardFunc == nil {
		return nil, errUnset("BindCard")
	}
	return f.BindCardFunc(ctx, ownerID, r)
}

// UpdateBoundCard calls UpdateBoundCardFunc.
func (f *fakeService) UpdateBoundCard(ctx context.Context, ownerID string, id string, u keyward.BoundCardUpdate) error {
	if f.UpdateBoundCardFunc == nil {
		return errUnset("UpdateBoundCard")
	}
	return f.UpdateBoundCardFunc(ctx, ownerID, id, u)
}

// CreateGrant calls CreateGrantFunc.
func (f *fakeService) CreateGrant(ctx context.Context, ownerID string, c keyward.GrantCreate) (*keyward.Grant, error) {
	if f.CreateGrantFunc == nil {
		return nil, errUnset("CreateGrant")
	}
	return f.CreateGrantFunc(ctx, ownerID, c)
}

// FindGrants calls FindGrantsFunc.
func (f *fakeService) FindGrants(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.Grant, error) {
	if f.FindGrantsFunc == nil {
		return nil, errUnset("FindGrants")
	}
	return f.FindGrantsFunc(ctx, ownerID, q)
}

// FindGrant calls FindGrantFunc.
func (f *fakeService) FindGrant(ctx context.Context, ownerID, id string) (*keyward.Grant, error) {
	if f.FindGrantFunc == nil {
		return nil, errUnset("FindGrant")
	}
	return f.FindGrantFunc(ctx, ownerID, id)
}

// FindBoundCardGrants calls FindBoundCardGrantsFunc.
func (f *fakeService) FindBoundCardGrants(ctx context.Context, ownerID, cardID string, q *keyward.Query) ([]*keyward.Grant, error) {
	if f.FindBoundCardGrantsFunc == nil {
		return nil, errUnset("FindBoundCardGrants")
	}
	return f.FindBoundCardGrantsFunc(ctx, ownerID, cardID, q)
}

// RevokeGrant calls RevokeGrantFunc.
func (f *fakeService) RevokeGrant(ctx context.Context, ownerID, id string, dryRun bool) (*keyward.Grant, error) {
	if f.RevokeGrantFunc == nil {
		return nil, errUnset("RevokeGrant")
	}
	return f.RevokeGrantFunc(ctx, ownerID, id, dryRun)
}

// DeleteGrantFromCard calls DeleteGrantFromCardFunc.
func (f *fakeService) DeleteGrantFromCard(ctx context.Context, ownerID, id string) (*keyward.Grant, error) {
	if f.DeleteGrantFromCardFunc == nil {
		return nil, errUnset("DeleteGrantFromCard")
	}
	return f.DeleteGrantFromCardFunc(ctx, ownerID, id)
}

// RevokeContactGrants calls RevokeContactGrantsFunc.
func (f *fakeService) RevokeContactGrants(ctx context.Context, ownerID, contactID string) ([]*keyward.Grant, error) {
	if f.RevokeContactGrantsFunc == nil {
		return nil, errUnset("RevokeContactGrants")
	}
	return f.RevokeContactGrantsFunc(ctx, ownerID, contactID)
}

// RevokeBoundCardGrants calls RevokeBoundCardGrantsFunc.
func (f *fakeService) RevokeBoundCardGrants(ctx context.Context, ownerID, cardID string) ([]*keyward.Grant, error) {
	if f.RevokeBoundCardGrantsFunc == nil {
		return nil, errUnset("RevokeBoundCardGrants")
	}
	return f.RevokeBoundCardGrantsFunc(ctx, ownerID, cardID)
}

// GrantWindows calls GrantWindowsFunc.
func (f *fakeService) GrantWindows(ctx context.Context, ownerID, id string, from, to *keyward.Time) (*keyward.GrantWindows, error) {
	if f.GrantWindowsFunc == nil {
		return nil, errUnset("GrantWindows")
	}
	return f.GrantWindowsFunc(ctx, ownerID, id, from, to)
}

// AccessCheck calls AccessCheckFunc.
func (f *fakeService) AccessCheck(ctx context.Context, ownerID, lockID string, contactID, cardID *string, at *keyward.Time) (*keyward.AccessDecision, error) {
	if f.AccessCheckFunc == nil {
		return nil, errUnset("AccessCheck")
	}
	return f.AccessCheckFunc(ctx, ownerID, lockID, contactID, cardID, at)
}

// FindIdentityProviders calls FindIdentityProvidersFunc.
func (f *fakeService) FindIdentityProviders(ctx context.Context, ownerID string) ([]*keyward.IdentityProvider, error) {
	if f.FindIdentityProvidersFunc == nil {
		return nil, errUnset("FindIdentityProviders")
	}
	return f.FindIdentityProvidersFunc(ctx, ownerID)
}

// FindIdentityProvider calls FindIdentityProviderFunc.
func (f *fakeService) FindIdentityProvider(ctx context.Context, ownerID, ipID string) (*keyward.IdentityProvider, error) {
	if f.FindIdentityProviderFunc == nil {
		return nil, errUnset("FindIdentityProvider")
	}
	return f.FindIdentityProviderFunc(ctx, ownerID, ipID)
}

// CreateIdentityProvider calls CreateIdentityProviderFunc.
func (f *fakeService) CreateIdentityProvider(ctx context.Context, ownerID string, c keyward.IdentityProviderCreate) (*keyward.IdentityProvider, error) {
	if f.CreateIdentityProviderFunc == nil {
		return nil, errUnset("CreateIdentityProvider")
	}
	return f.CreateIdentityProviderFunc(ctx, ownerID, c)
}

// FindIPUsers calls FindIPUsersFunc.
func (f *fakeService) FindIPUsers(ctx context.Context, ownerID, ipID string, q *keyward.Query) ([]*keyward.IPUser, error) {
	if f.FindIPUsersFunc == nil {
		return nil, errUnset("FindIPUsers")
	}
	return f.FindIPUsersFunc(ctx, ownerID, ipID, q)
}

// FindIPUser calls FindIPUserFunc.
func (f *fakeService) FindIPUser(ctx context.Context, ownerID, ipID, id, ipUserID string) (*keyward.IPUser, error) {
	if f.FindIPUserFunc == nil {
		return nil, errUnset("FindIPUser")
	}
	return f.FindIPUserFunc(ctx, ownerID, ipID, id, ipUserID)
}

// CreateIPUser calls CreateIPUserFunc.
func (f *fakeService) CreateIPUser(ctx context.Context, ownerID, ipID string, c keyward.IPUserCreate) (*keyward.IPUser, error) {
	if f.CreateIPUserFunc == nil {
		return nil, errUnset("CreateIPUser")
	}
	return f.CreateIPUserFunc(ctx, ownerID, ipID, c)
}

// UpdateIPUser calls UpdateIPUserFunc.
func (f *fakeService) UpdateIPUser(ctx context.Context, ownerID, ipID, id string, u keyward.IPUserUpdate) (*keyward.IPUser, error) {
	if f.UpdateIPUserFunc == nil {
		return nil, errUnset("UpdateIPUser")
	}
	return f.UpdateIPUserFunc(ctx, ownerID, ipID, id, u)
}

// DeleteIdentityProvider calls DeleteIdentityProviderFunc.
func (f *fakeService) DeleteIdentityProvider(ctx context.Context, ownerID, ipID string) error {
	if f.DeleteIdentityProviderFunc == nil {
		return errUnset("DeleteIdentityProvider")
	}
	return f.DeleteIdentityProviderFunc(ctx, ownerID, ipID)
}
