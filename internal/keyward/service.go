package keyward

import "context"

// The use cases, one interface per resource. The caller is the Principal in ctx, and each
// method says which kinds of principal it is open to:
//
//   - A management use case (an owner account's data) is open to a user's token or session.
//     It checks a token's scope first (ErrInsufficientScope, 401; a session has no scopes), then
//     the user's permission on the owner account (ErrForbidden, 403). Entities of other owner
//     accounts are ErrNotFound (404). Every list takes an OData query (nil for none).
//   - An operator use case is open to the operator only.
//   - The device API (DeviceService) takes no principal: each request carries the signature of
//     the lock's device key, which authenticates it whoever relays it.
//
// Every other principal is refused with ErrForbidden naming the caller and the use case; no
// principal at all is ErrNoToken (401).

// UserAccountService holds the operator's use cases on user accounts.
type UserAccountService interface {
	// CreateUser registers a person (operator). ErrEmailAddressInUse when the address is taken.
	CreateUser(ctx context.Context, c UserCreate) (*User, error)
	// FindUserByEmail returns the user with the address (operator), or ErrNotFound.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
}

// OwnerService holds the use cases on owner accounts.
type OwnerService interface {
	// FindOwners lists the accounts the user administers (a user's token or session).
	FindOwners(ctx context.Context, q *Query) ([]*Owner, error)
	FindOwner(ctx context.Context, id string) (*Owner, error)
	// CreateOwner creates an account whose Owner is the calling user (a person's token or session).
	CreateOwner(ctx context.Context, c OwnerCreate) (*Owner, error)
	UpdateOwner(ctx context.Context, id string, u OwnerUpdate) (*Owner, error)

	// RegisterOwner creates an account for the user r names (operator).
	RegisterOwner(ctx context.Context, r OwnerRegistration) (*Owner, error)
	// SetOwnerPlan moves an account to another plan of the catalog (operator).
	SetOwnerPlan(ctx context.Context, ownerID, plan string) error
}

// PermissionService holds the management use cases on an account's administrators.
type PermissionService interface {
	FindPermissions(ctx context.Context, ownerID string, q *Query) ([]*Permission, error)
	FindPermission(ctx context.Context, ownerID, id string) (*Permission, error)
	// FindAdministrators lists every permission of the account with its contact, in two reads
	// however many there are (Keyward's portal).
	FindAdministrators(ctx context.Context, ownerID string) ([]Administrator, error)
	CreatePermission(ctx context.Context, ownerID string, c PermissionCreate) (*Permission, error)
	DeletePermission(ctx context.Context, ownerID, id string) error
}

// LockService holds the use cases on locks: the bound locks of an account (management) and the
// device registry (operator).
type LockService interface {
	FindBoundLocks(ctx context.Context, ownerID string, q *Query) ([]*BoundLock, error)
	FindBoundLock(ctx context.Context, ownerID, id string, expand []string) (*BoundLock, error)
	BindLock(ctx context.Context, ownerID string, r BindLockRequest) (*BoundLock, error)
	UpdateBoundLock(ctx context.Context, ownerID, id string, u BoundLockUpdate) (*BoundLock, error)
	UnbindLock(ctx context.Context, ownerID, id string) error
	// FindLockPropagation answers what the lock has not caught up with yet (Keyward extension).
	FindLockPropagation(ctx context.Context, ownerID, id string) (*LockPropagation, error)

	// RegisterLock adds a lock to the device registry and returns it with its binding code,
	// which is stored hashed and so shown only now (operator).
	RegisterLock(ctx context.Context, c PhysicalLockCreate) (*PhysicalLock, string, error)
	// RotateKeySigningKey adds a key-signing key, which signs from now on, and returns its id
	// (operator).
	RotateKeySigningKey(ctx context.Context) (string, error)
}

// DeviceService holds the device API: what a lock does over the wire, through a phone or a
// gateway that relays it. A lock is authenticated by its device key's signature on each
// request, not by a principal, so whoever relays a request can neither forge nor alter it.
type DeviceService interface {
	// SyncLock takes a lock's signed sync request (the JSON of a lockproto envelope) and returns
	// the signed response (JSON). ErrDeviceUnauthenticated when no registered lock signed it,
	// ErrReplay when its counter was taken already.
	SyncLock(ctx context.Context, request []byte) ([]byte, error)
}

// LockGroupService holds the management use cases on lock groups and their members.
type LockGroupService interface {
	FindLockGroups(ctx context.Context, ownerID string, q *Query) ([]*LockGroup, error)
	FindLockGroup(ctx context.Context, ownerID, id string, expand []string) (*LockGroup, error)
	CreateLockGroup(ctx context.Context, ownerID string, c LockGroupCreate) (*LockGroup, error)
	UpdateLockGroup(ctx context.Context, ownerID, id string, u LockGroupUpdate) (*LockGroup, error)
	DeleteLockGroup(ctx context.Context, ownerID, id string) error
	FindLockGroupMembers(ctx context.Context, ownerID, groupID string, q *Query) ([]*BoundLock, error)
	// FindLockGroupCandidates lists the account's active bound locks that are no members of the
	// group: the locks it may take.
	FindLockGroupCandidates(ctx context.Context, ownerID, groupID string, q *Query) ([]*BoundLock, error)
	// FindLockGroupsOfLock lists the account's lock groups that the bound lock is a member of.
	FindLockGroupsOfLock(ctx context.Context, ownerID, boundLockID string, q *Query) ([]*LockGroup, error)
	// LockGroupZones reads the distinct time zones of the member locks of each of the account's
	// groups named, in the order of their names; a group without members is left out.
	LockGroupZones(ctx context.Context, ownerID string, groupIDs []string) (map[string][]string, error)
	AddLockGroupMember(ctx context.Context, ownerID, groupID string, r LockGroupMemberRequest) (*LockGroup, error)
	RemoveLockGroupMember(ctx context.Context, ownerID, groupID, boundLockID string) error
}

// ContactService holds the management use cases on contacts.
type ContactService interface {
	FindContacts(ctx context.Context, ownerID string, q *Query) ([]*Contact, error)
	FindContact(ctx context.Context, ownerID, id string) (*Contact, error)
	CreateContact(ctx context.Context, ownerID string, c ContactCreate) (*Contact, error)
	UpdateContact(ctx context.Context, ownerID, id string, u ContactUpdate) (*Contact, error)
	DeleteContact(ctx context.Context, ownerID, id string) error
}

// CardService holds the use cases on cards: the bound cards of an account (management) and the
// device registry (operator).
type CardService interface {
	FindBoundCards(ctx context.Context, ownerID string, q *Query) ([]*BoundCard, error)
	FindBoundCard(ctx context.Context, ownerID, id string) (*BoundCard, error)
	BindCard(ctx context.Context, ownerID string, r BindCardRequest) (*BoundCard, error)
	UpdateBoundCard(ctx context.Context, ownerID, id string, u BoundCardUpdate) error

	// RegisterCard adds an NFC card holding capacity grants to the device registry (operator).
	RegisterCard(ctx context.Context, capacity int) (*PhysicalCard, error)
}

// GrantService holds the management use cases on grants, their windows and access decisions.
type GrantService interface {
	CreateGrant(ctx context.Context, ownerID string, c GrantCreate) (*Grant, error)
	FindGrants(ctx context.Context, ownerID string, q *Query) ([]*Grant, error)
	FindGrant(ctx context.Context, ownerID, id string) (*Grant, error)
	FindBoundCardGrants(ctx context.Context, ownerID, cardID string, q *Query) ([]*Grant, error)
	// FindGrantsOnTargets lists the grants on any of these locks and groups, however many.
	FindGrantsOnTargets(ctx context.Context, ownerID string, targetIDs []string, q *Query) ([]*Grant, error)
	RevokeGrant(ctx context.Context, ownerID, id string, dryRun bool) (*Grant, error)
	DeleteGrantFromCard(ctx context.Context, ownerID, id string) (*Grant, error)
	RevokeContactGrants(ctx context.Context, ownerID, contactID string) ([]*Grant, error)
	RevokeBoundCardGrants(ctx context.Context, ownerID, cardID string) ([]*Grant, error)
	GrantWindows(ctx context.Context, ownerID, id string, from, to *Time) (*GrantWindows, error)
	AccessCheck(ctx context.Context, ownerID, lockID string, contactID, cardID *string, at *Time) (*AccessDecision, error)
	// AccessChecks is AccessCheck for several grantees at once, from one read of their grants
	// (Keyward's portal: who can open a lock now); a grantee that does not exist has no grants.
	AccessChecks(ctx context.Context, ownerID, lockID string, grantees []Grantee, at *Time) ([]*AccessDecision, error)
}

// IdentityProviderService holds the use cases on identity providers and their users.
type IdentityProviderService interface {
	FindIdentityProviders(ctx context.Context, ownerID string) ([]*IdentityProvider, error)
	FindIdentityProvider(ctx context.Context, ownerID, ipID string) (*IdentityProvider, error)
	CreateIdentityProvider(ctx context.Context, ownerID string, c IdentityProviderCreate) (*IdentityProvider, error)
	DeleteIdentityProvider(ctx context.Context, ownerID, ipID string) error
	FindIPUsers(ctx context.Context, ownerID, ipID string, q *Query) ([]*IPUser, error)
	// FindIPUser finds a user by Keyward id, or by the provider's ipUserId when id is "".
	FindIPUser(ctx context.Context, ownerID, ipID, id, ipUserID string) (*IPUser, error)
	CreateIPUser(ctx context.Context, ownerID, ipID string, c IPUserCreate) (*IPUser, error)
	UpdateIPUser(ctx context.Context, ownerID, ipID, id string, u IPUserUpdate) (*IPUser, error)

	// RegisterIdentityProvider registers a provider for any owner account (operator).
	RegisterIdentityProvider(ctx context.Context, ownerID string, c IdentityProviderCreate) (*IdentityProvider, error)
}

// ClientService holds the use cases on OAuth clients, open to the operator, who manages every
// client, and to a user's session, which manages the clients that user manages (another's is
// ErrNotFound). Which clients a caller manages follows from the principal alone.
type ClientService interface {
	// CreateClient registers a client. A client-credentials client gets its service user, which
	// c.AdminOf makes an administrator of that account (operator only).
	CreateClient(ctx context.Context, c ClientCreate) (*Client, *User, error)
	// FindClients lists the clients the caller manages, oldest first.
	FindClients(ctx context.Context) ([]*Client, error)
	// UpdateClient changes a client; the change applies from the next token request on.
	UpdateClient(ctx context.Context, id string, u ClientUpdate) (*Client, error)
	// DeleteClient removes a client; its tokens stop working at once.
	DeleteClient(ctx context.Context, id string) error
}

// LogService holds the management use cases on the access log.
type LogService interface {
	// FindLogEntries lists the account's log entries.
	FindLogEntries(ctx context.Context, ownerID string, q *Query) ([]*LogEntry, error)
	// FindBoundLockLogEntries lists one bound lock's log entries; ErrNotFound for another
	// account's lock.
	FindBoundLockLogEntries(ctx context.Context, ownerID, boundLockID string, q *Query) ([]*LogEntry, error)
	// SeekLogEntries lists a page of the account's log, or of one bound lock's (boundLockID not
	// nil; ErrNotFound for another account's lock), by keyset (LogSeek) in the order of
	// receipt. q must set $top and may set $filter and $select; $orderby and $skip are refused.
	SeekLogEntries(ctx context.Context, ownerID string, boundLockID *string, seek LogSeek, q *Query) ([]*LogEntry, error)
}

// MobileService holds the mobile API: what a phone does for its user. It is open to a user's
// token (or session) of a person or an identity-provider user, with the scope each method names
// (ErrInsufficientScope otherwise); a client-credentials token's service user holds no keys and is
// refused with ErrForbidden. Another user's mobile is ErrNotFound.
type MobileService interface {
	// Me describes the calling user (read:user).
	Me(ctx context.Context) (*Me, error)
	// RegisterMobile registers a phone of the caller by its public key (register:mobiles).
	// Registering the same key again answers the mobile registered with it; a key another user
	// registered is ErrInvalid.
	RegisterMobile(ctx context.Context, c MobileCreate) (*Mobile, error)
	// FindMobiles lists the caller's mobiles, oldest first (register:mobiles).
	FindMobiles(ctx context.Context) ([]*Mobile, error)
	// RemoveMobile removes one of the caller's mobiles; it gets no keys from then on
	// (register:mobiles).
	RemoveMobile(ctx context.Context, id string) error
	// FetchKeys issues the mobile's keys (handle:keys): one for every active grant of every
	// contact that is the caller, in any owner account, that a key can be issued for now. It
	// returns the keys with their entity tag, which stays the same while the keys would be the
	// same; when the tag is among ifNoneMatch (or that holds "*"), keys is nil and nothing is
	// signed. ErrEmailNotVerified for a person whose address is not verified.
	FetchKeys(ctx context.Context, mobileID string, ifNoneMatch []string) (*MobileKeys, string, error)
}

// Services gathers the use cases, one interface per resource, for the adapters that drive
// them (the Management API, the portal, the CLI); each takes only the ones it needs.
type Services struct {
	Users             UserAccountService
	Owners            OwnerService
	Permissions       PermissionService
	Locks             LockService
	LockGroups        LockGroupService
	Contacts          ContactService
	Cards             CardService
	Grants            GrantService
	IdentityProviders IdentityProviderService
	Clients           ClientService
	Logs              LogService
	Devices           DeviceService
	Mobiles           MobileService
}
