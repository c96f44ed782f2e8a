package keyward

import "context"

// Tx is the storage of one use case. Every method runs inside the transaction it belongs to; the
// Store itself also implements Tx, running each call on its own.
//
// Find methods return ErrNotFound-based errors only where they look up one row by id; list methods
// return an empty slice when nothing matches. Query errors (unknown property, wrong literal type)
// are 400 errors with the position in ErrorDetails.
type Tx interface {
	// LockOwner serialises per-owner invariants (last Owner, plan limits) across transactions and
	// nodes: it is a row lock on PostgreSQL and takes the write lock on SQLite.
	LockOwner(ctx context.Context, id string) error

	CreateUser(ctx context.Context, u *User) error // ErrEmailAddressInUse
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)

	CreateOwner(ctx context.Context, o *Owner) error
	SetOwnerPlan(ctx context.Context, id, plan string) error
	FindOwners(ctx context.Context, f OwnerFilter) ([]*Owner, error)
	UpdateOwner(ctx context.Context, id string, u OwnerUpdate) error
	// FindRole returns the strongest role the user holds on the owner account, or "" for none.
	FindRole(ctx context.Context, ownerID, userID string) (Role, error)

	CreatePermission(ctx context.Context, p *Permission) error
	FindPermissions(ctx context.Context, f PermissionFilter) ([]*Permission, error)
	DeletePermission(ctx context.Context, ownerID, id string) error

	CreateContact(ctx context.Context, c *Contact) error // ErrDuplicateContact
	FindContacts(ctx context.Context, f ContactFilter) ([]*Contact, error)
	UpdateContact(ctx context.Context, ownerID, id string, u ContactUpdate) error
	DeleteContact(ctx context.Context, ownerID, id string) error

	CreatePhysicalLock(ctx context.Context, l *PhysicalLock) error
	FindPhysicalLockByID(ctx context.Context, id string) (*PhysicalLock, error)

	CreateBoundLock(ctx context.Context, l *BoundLock) error // ErrLockAlreadyBound
	FindBoundLocks(ctx context.Context, f BoundLockFilter) ([]*BoundLock, error)
	UpdateBoundLock(ctx context.Context, ownerID, id string, u BoundLockUpdate) error
	UnbindBoundLock(ctx context.Context, ownerID, id string, at Time) error
	// FindActiveBoundLock returns the active binding of a physical lock, in whatever account.
	FindActiveBoundLock(ctx context.Context, physicalLockID string) (*BoundLock, error)

	CreateLockGroup(ctx context.Context, g *LockGroup) error
	FindLockGroups(ctx context.Context, f LockGroupFilter) ([]*LockGroup, error)
	UpdateLockGroup(ctx context.Context, ownerID, id string, u LockGroupUpdate) error
	DeleteLockGroup(ctx context.Context, ownerID, id string) error
	AddLockGroupMember(ctx context.Context, groupID, boundLockID string, at Time) error
	RemoveLockGroupMember(ctx context.Context, groupID, boundLockID string) error
	// LockGroupStatistics counts the group's members by membership state.
	LockGroupStatistics(ctx context.Context, groupID string) ([]StateCount, error)
	// LockMembershipStatistics counts the lock's group memberships by state.
	LockMembershipStatistics(ctx context.Context, boundLockID string) ([]StateCount, error)

	CreatePhysicalCard(ctx context.Context, c *PhysicalCard) error
	FindPhysicalCard(ctx context.Context, id, uid string) (*PhysicalCard, error)

	CreateBoundCard(ctx context.Context, c *BoundCard) error // ErrCardAlreadyBound
	FindBoundCards(ctx context.Context, f BoundCardFilter) ([]*BoundCard, error)
	UpdateBoundCard(ctx context.Context, ownerID, id string, u BoundCardUpdate) error

	CreateGrant(ctx context.Context, g *Grant) error // ErrDuplicate
	FindGrants(ctx context.Context, f GrantFilter) ([]*Grant, error)
	CountGrants(ctx context.Context, f GrantFilter) (int, error)
	// CountSmartphoneUsers counts the account's contacts with at least one active grant.
	CountSmartphoneUsers(ctx context.Context, ownerID string) (int, error)
	// RevokeGrant makes an active grant inactive with the given state; ErrNotFound when it is not active.
	RevokeGrant(ctx context.Context, ownerID, id, state string, at Time) error
	// BumpRevocationList records a change of a lock's revocation list.
	BumpRevocationList(ctx context.Context, boundLockID string, at Time) error
	// SyncLock records a lock's sync: keys delivered, revocations and memberships confirmed.
	SyncLock(ctx context.Context, boundLockID string, at Time) error

	CreateClient(ctx context.Context, c *Client) error
	FindClientByID(ctx context.Context, id string) (*Client, error)

	CreateSigningKey(ctx context.Context, k *SigningKey) error
	FindSigningKeys(ctx context.Context) ([]*SigningKey, error)
}

// Store is Keyward's storage. InTx runs fn in one transaction, committed when fn returns nil.
type Store interface {
	Tx
	InTx(ctx context.Context, fn func(tx Tx) error) error
	Close() error
}
