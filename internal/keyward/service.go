package keyward

import "context"

// Service is the Management API's use cases. The caller is the Principal in ctx; every method
// checks the scope it needs (ErrInsufficientScope, 401) and the caller's permission on the owner
// account (ErrForbidden, 403) before anything else. Entities of other owner accounts are
// ErrNotFound (404). Every list takes an OData query (nil for none).
type Service interface {
	FindOwners(ctx context.Context, q *Query) ([]*Owner, error)
	FindOwner(ctx context.Context, id string) (*Owner, error)
	CreateOwner(ctx context.Context, c OwnerCreate) (*Owner, error)
	UpdateOwner(ctx context.Context, id string, u OwnerUpdate) (*Owner, error)

	FindPermissions(ctx context.Context, ownerID string, q *Query) ([]*Permission, error)
	FindPermission(ctx context.Context, ownerID, id string) (*Permission, error)
	CreatePermission(ctx context.Context, ownerID string, c PermissionCreate) (*Permission, error)
	DeletePermission(ctx context.Context, ownerID, id string) error

	FindBoundLocks(ctx context.Context, ownerID string, q *Query) ([]*BoundLock, error)
	FindBoundLock(ctx context.Context, ownerID, id string, expand []string) (*BoundLock, error)
	BindLock(ctx context.Context, ownerID string, r BindLockRequest) (*BoundLock, error)
	UpdateBoundLock(ctx context.Context, ownerID, id string, u BoundLockUpdate) (*BoundLock, error)
	UnbindLock(ctx context.Context, ownerID, id string) error

	FindLockGroups(ctx context.Context, ownerID string, q *Query) ([]*LockGroup, error)
	FindLockGroup(ctx context.Context, ownerID, id string, expand []string) (*LockGroup, error)
	CreateLockGroup(ctx context.Context, ownerID string, c LockGroupCreate) (*LockGroup, error)
	UpdateLockGroup(ctx context.Context, ownerID, id string, u LockGroupUpdate) (*LockGroup, error)
	DeleteLockGroup(ctx context.Context, ownerID, id string) error
	FindLockGroupMembers(ctx context.Context, ownerID, groupID string, q *Query) ([]*BoundLock, error)
	AddLockGroupMember(ctx context.Context, ownerID, groupID string, r LockGroupMemberRequest) (*LockGroup, error)
	RemoveLockGroupMember(ctx context.Context, ownerID, groupID, boundLockID string) error

	FindContacts(ctx context.Context, ownerID string, q *Query) ([]*Contact, error)
	FindContact(ctx context.Context, ownerID, id string) (*Contact, error)
	CreateContact(ctx context.Context, ownerID string, c ContactCreate) (*Contact, error)
	UpdateContact(ctx context.Context, ownerID, id string, u ContactUpdate) (*Contact, error)
	DeleteContact(ctx context.Context, ownerID, id string) error

	CreateGrant(ctx context.Context, ownerID string, c GrantCreate) (*Grant, error)
	FindGrants(ctx context.Context, ownerID string, q *Query) ([]*Grant, error)
	FindGrant(ctx context.Context, ownerID, id string) (*Grant, error)
	FindBoundCardGrants(ctx context.Context, ownerID, cardID string, q *Query) ([]*Grant, error)
	RevokeGrant(ctx context.Context, ownerID, id string, dryRun bool) (*Grant, error)
	DeleteGrantFromCard(ctx context.Context, ownerID, id string) (*Grant, error)
	RevokeContactGrants(ctx context.Context, ownerID, contactID string) ([]*Grant, error)
	RevokeBoundCardGrants(ctx context.Context, ownerID, cardID string) ([]*Grant, error)
	GrantWindows(ctx context.Context, ownerID, id string, from, to *Time) (*GrantWindows, error)
	AccessCheck(ctx context.Context, ownerID, lockID string, contactID, cardID *string, at *Time) (*AccessDecision, error)

	FindIdentityProviders(ctx context.Context, ownerID string) ([]*IdentityProvider, error)
	FindIdentityProvider(ctx context.Context, ownerID, ipID string) (*IdentityProvider, error)
	CreateIdentityProvider(ctx context.Context, ownerID string, c IdentityProviderCreate) (*IdentityProvider, error)
	DeleteIdentityProvider(ctx context.Context, ownerID, ipID string) error
	FindIPUsers(ctx context.Context, ownerID, ipID string, q *Query) ([]*IPUser, error)
	// FindIPUser finds a user by Keyward id, or by the provider's ipUserId when id is "".
	FindIPUser(ctx context.Context, ownerID, ipID, id, ipUserID string) (*IPUser, error)
	CreateIPUser(ctx context.Context, ownerID, ipID string, c IPUserCreate) (*IPUser, error)
	UpdateIPUser(ctx context.Context, ownerID, ipID, id string, u IPUserUpdate) (*IPUser, error)

	FindBoundCards(ctx context.Context, ownerID string, q *Query) ([]*BoundCard, error)
	FindBoundCard(ctx context.Context, ownerID, id string) (*BoundCard, error)
	BindCard(ctx context.Context, ownerID string, r BindCardRequest) (*BoundCard, error)
	UpdateBoundCard(ctx context.Context, ownerID, id string, u BoundCardUpdate) error
}
