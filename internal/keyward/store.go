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
	// LockGroupStatistics counts each group's members by membership state; a group without
	// members maps to an empty list.
	LockGroupStatistics(ctx context.Context, groupIDs []string) (map[string][]StateCount, error)
	// LockGroupTimeRestrictionSupport reports for each group whether every member supports time
	// restrictions; a group without members does.
	LockGroupTimeRestrictionSupport(ctx context.Context, groupIDs []string) (map[string]bool, error)
	// LockMembershipStatistics counts each lock's group memberships by state.
	LockMembershipStatistics(ctx context.Context, boundLockIDs []string) (map[string][]StateCount, error)

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
	// RevokeGrants ends every active grant the filter selects (its Query is ignored) and returns
	// their ids, deciding each state in the same statement: RevocationPending when pending and a
	// lock already holds the grant's key, else Revoked. Every lock that holds the key of one of
	// them (the target, or the target group's members) gets one revocation-list change. It must
	// run under the account's lock (InOwnerTx), so that no lock sync delivers a key meanwhile.
	RevokeGrants(ctx context.Context, f GrantFilter, pending bool, at Time) ([]string, error)
	// SyncLock records a lock's sync: keys delivered, revocations and memberships confirmed.
	SyncLock(ctx context.Context, boundLockID string, at Time) error

	CreateClient(ctx context.Context, c *Client) error
	FindClientByID(ctx context.Context, id string) (*Client, error)
	// FindClients lists the clients a user manages ("" lists all), newest last.
	FindClients(ctx context.Context, ownerUserID string) ([]*Client, error)
	UpdateClient(ctx context.Context, id string, u ClientUpdate) error
	DeleteClient(ctx context.Context, id string) error

	// SetUserVerified marks a user's address verified.
	SetUserVerified(ctx context.Context, id string) error
	// RecordLoginFailure notes a failed sign-in for an address (case-folded), for throttling.
	RecordLoginFailure(ctx context.Context, email string, at Time) error
	// CountLoginFailures counts the address's failed sign-ins since a time.
	CountLoginFailures(ctx context.Context, email string, since Time) (int, error)
	ClearLoginFailures(ctx context.Context, email string) error
	// RecordSignupAttempt notes a sign-up attempt from a client network (an IPv4 address or an
	// IPv6 /64), for the sign-up limit.
	RecordSignupAttempt(ctx context.Context, network string, at Time) error
	// CountSignupAttempts counts the network's sign-up attempts since a time.
	CountSignupAttempts(ctx context.Context, network string, since Time) (int, error)

	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns an unexpired session by hash, or ErrNotFound.
	FindSession(ctx context.Context, hash string, now Time) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error

	CreateTokenFamily(ctx context.Context, f *TokenFamily) error
	FindTokenFamily(ctx context.Context, id string) (*TokenFamily, error)
	RevokeTokenFamily(ctx context.Context, id string, at Time) error

	CreateAuthCode(ctx context.Context, c *AuthCode) error
	// UseAuthCode marks a code used and returns it as it was before; ErrNotFound for an unknown hash.
	// A code already used is returned with UsedAt set, so the caller can detect reuse.
	UseAuthCode(ctx context.Context, hash string, at Time) (*AuthCode, error)

	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// UseRefreshToken marks a token used and returns it as it was before (UsedAt set on reuse).
	UseRefreshToken(ctx context.Context, hash string, at Time) (*RefreshToken, error)
	// FindRefreshToken returns a refresh token by hash, used or not; ErrNotFound when unknown.
	FindRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)

	// GetSecret returns a named server secret, creating it from newValue on first use, so that
	// every node of a cluster shares it (e-mail verification links, CSRF keys).
	GetSecret(ctx context.Context, name string, newValue func() string) (string, error)

	CreateIdentityProvider(ctx context.Context, p *IdentityProvider) error // ErrInvalid when the ipId is taken
	FindIdentityProvider(ctx context.Context, ipID string) (*IdentityProvider, error)
	FindIdentityProviders(ctx context.Context, ownerID string) ([]*IdentityProvider, error)
	DeleteIdentityProvider(ctx context.Context, ownerID, ipID string) error

	CreateIPUser(ctx context.Context, u *IPUser) error // ErrDuplicateIPUser
	FindIPUsers(ctx context.Context, f IPUserFilter) ([]*IPUser, error)

	CreateSigningKey(ctx context.Context, k *SigningKey) error
	FindSigningKeys(ctx context.Context) ([]*SigningKey, error)

	// RevokeAccessToken records that the access token with the jti is revoked until it expires;
	// revoking it again is fine.
	RevokeAccessToken(ctx context.Context, jti string, expiresAt Time) error
	// IsAccessTokenRevoked reports whether RevokeAccessToken recorded the jti.
	IsAccessTokenRevoked(ctx context.Context, jti string) (bool, error)
	// PruneRevokedAccessTokens forgets revocations of tokens that expired before a time.
	PruneRevokedAccessTokens(ctx context.Context, before Time) error

	// SaveConsent creates or replaces the consent of a user to a client.
	SaveConsent(ctx context.Context, c *Consent) error
	// FindConsent returns the consent of a user to a client, or ErrNotFound.
	FindConsent(ctx context.Context, userID, clientID string) (*Consent, error)
	// FindConsents lists a user's consents, oldest first.
	FindConsents(ctx context.Context, userID string) ([]*Consent, error)
	// DeleteConsent removes a consent; ErrNotFound when there is none.
	DeleteConsent(ctx context.Context, userID, clientID string) error
	// RevokeTokenFamilies revokes every token family of a client for a user.
	RevokeTokenFamilies(ctx context.Context, clientID, userID string, at Time) error
}

// Store is Keyward's storage. InTx runs fn in one transaction, committed when fn returns nil.
//
// InOwnerTx is InTx that first takes the owner account's lock (LockOwner), and it is how every
// write on an owner account's data runs: a change that another change depends on (deleting a
// group and granting on it, unbinding a lock and adding it to a group, revoking a grant and a
// lock sync delivering it) then runs strictly one after the other, on every engine and across
// processes, and each sees what the other committed. ErrNotFound when the account does not exist.
type Store interface {
	Tx
	InTx(ctx context.Context, fn func(tx Tx) error) error
	InOwnerTx(ctx context.Context, ownerID string, fn func(tx Tx) error) error
	Close() error
}
