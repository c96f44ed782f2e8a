package keyward

import "context"

// Keyward's storage is split by concern, one interface each, and gathered in two values: Tx, what
// any use case may read and the data of no owner account it may write (users, clients, sign-in
// and token records, consents, server secrets, the catalog of physical locks and cards), and
// OwnerTx, which adds the writes on one owner account's data. Only Store.InOwnerTx and
// Store.InNewOwnerTx hand out an OwnerTx, after taking that account's lock, and its writes act on
// that account alone: a write on an owner account's data cannot run without the account's lock.
// A decorator (a cache, metrics) wraps one concern by replacing one field of the value.
//
// Find methods return ErrNotFound-based errors only where they look up one row by id; list methods
// return an empty slice when nothing matches. Query errors (unknown property, wrong literal type)
// are 400 errors with the position in ErrorDetails.

// Users are the people and service users who sign in.
type Users interface {
	CreateUser(ctx context.Context, u *User) error // ErrEmailAddressInUse
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// SetUserVerified marks a user's address verified.
	SetUserVerified(ctx context.Context, id string) error
	// LockUser holds the user's row until the transaction ends, so that a check on what the
	// user has (their mobiles) stays true until the commit on every node; ErrNotFound when
	// the user does not exist.
	LockUser(ctx context.Context, id string) error
}

// Catalog is the registry of physical locks and cards, which belong to no owner account until
// one binds them.
type Catalog interface {
	CreatePhysicalLock(ctx context.Context, l *PhysicalLock) error
	FindPhysicalLockByID(ctx context.Context, id string) (*PhysicalLock, error)
	CreatePhysicalCard(ctx context.Context, c *PhysicalCard) error
	FindPhysicalCard(ctx context.Context, id, uid string) (*PhysicalCard, error)
	// AcceptLockSync records that the lock's sync request with counter was taken, and the
	// key-signing keys it reported: ErrReplay when counter is not above the one accepted last,
	// decided in one statement so that a request relayed to two nodes at once is taken once.
	AcceptLockSync(ctx context.Context, physicalLockID string, counter uint64, kids []string) error
}

// Clients are the registered OAuth clients.
type Clients interface {
	CreateClient(ctx context.Context, c *Client) error
	FindClientByID(ctx context.Context, id string) (*Client, error)
	// FindClientsByID reads the clients with these ids, in creation order; unknown ids are left out.
	FindClientsByID(ctx context.Context, ids []string) ([]*Client, error)
	// FindClients lists the clients a user manages ("" lists all), newest last.
	FindClients(ctx context.Context, ownerUserID string) ([]*Client, error)
	UpdateClient(ctx context.Context, id string, u ClientUpdate) error
	DeleteClient(ctx context.Context, id string) error
}

// SignIns are browser sessions and the records that throttle sign-in and sign-up.
type SignIns interface {
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
}

// Tokens are the OAuth server's records: token families, codes, refresh tokens and revoked
// access tokens.
type Tokens interface {
	CreateTokenFamily(ctx context.Context, f *TokenFamily) error
	FindTokenFamily(ctx context.Context, id string) (*TokenFamily, error)
	// LockTokenFamily is FindTokenFamily that holds the family's row until the transaction
	// ends: a revocation of the family then waits for, and covers, a rotation that read it.
	LockTokenFamily(ctx context.Context, id string) (*TokenFamily, error)
	RevokeTokenFamily(ctx context.Context, id string, at Time) error
	// RevokeTokenFamilies revokes every token family of a client for a user.
	RevokeTokenFamilies(ctx context.Context, clientID, userID string, at Time) error

	CreateAuthCode(ctx context.Context, c *AuthCode) error
	// UseAuthCode marks a code used and returns it as it was before; ErrNotFound for an unknown hash.
	// A code already used is returned with UsedAt set, so the caller can detect reuse.
	UseAuthCode(ctx context.Context, hash string, at Time) (*AuthCode, error)

	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// RotateRefreshToken spends the refresh token with hash at a time and, when it was not
	// spent before, stores next in its place with its family, client, user and scopes (set on
	// next; next gives the hash, creation and expiry). It returns the spent token as it was and
	// its family, held as LockTokenFamily holds it. A token spent before is returned with UsedAt
	// set and no family, and nothing is stored; ErrNotFound for an unknown hash. A rollback undoes
	// the spend and the new token both.
	RotateRefreshToken(ctx context.Context, hash string, at Time, next *RefreshToken) (*RefreshToken, *TokenFamily, error)
	// FindRefreshToken returns a refresh token by hash, used or not; ErrNotFound when unknown.
	FindRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)

	// RevokeAccessToken records that the access token with the jti is revoked until it expires;
	// revoking it again is fine.
	RevokeAccessToken(ctx context.Context, jti string, expiresAt Time) error
	// CheckAccessToken reads, in one statement, the token's user, its family or jti revocation,
	// and the user's role on the owner account asked for: what every authenticated request
	// needs, so that a request pays one round trip for it. ErrNotFound when the user does not
	// exist.
	CheckAccessToken(ctx context.Context, c TokenCheck) (*TokenStanding, error)
	// PruneRevokedAccessTokens forgets revocations of tokens that expired before a time.
	PruneRevokedAccessTokens(ctx context.Context, before Time) error
}

// Consents are the users' remembered consents to clients.
type Consents interface {
	// SaveConsent creates or replaces the consent of a user to a client.
	SaveConsent(ctx context.Context, c *Consent) error
	// FindConsent returns the consent of a user to a client, or ErrNotFound.
	FindConsent(ctx context.Context, userID, clientID string) (*Consent, error)
	// FindConsents lists a user's consents, oldest first.
	FindConsents(ctx context.Context, userID string) ([]*Consent, error)
	// DeleteConsent removes a consent; ErrNotFound when there is none.
	DeleteConsent(ctx context.Context, userID, clientID string) error
}

// Secrets are the server's shared secrets and token-signing keys.
type Secrets interface {
	// GetSecret returns a named server secret, creating it from newValue on first use, so that
	// every node of a cluster shares it (e-mail verification links, CSRF keys).
	GetSecret(ctx context.Context, name string, newValue func() string) (string, error)
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	FindSigningKeys(ctx context.Context) ([]*SigningKey, error)
	// CreateKeySigningKey stores a key-signing key and reports whether it did: false when its
	// id is taken, because another node created the same key first.
	CreateKeySigningKey(ctx context.Context, k *KeySigningKey) (bool, error)
	// FindKeySigningKeys returns the key-signing keys, oldest first.
	FindKeySigningKeys(ctx context.Context) ([]*KeySigningKey, error)
}

// Mobiles are the phones users registered, and what a phone's key fetch reads. A mobile belongs
// to a user, not to an owner account; another user's mobile is not found.
type Mobiles interface {
	// CreateMobile stores m unless a mobile with its public key exists, and returns the mobile
	// stored under that key: m, or the one registered before (its UserID tells whose).
	CreateMobile(ctx context.Context, m *Mobile) (*Mobile, error)
	// FindMobiles lists a user's mobiles, oldest first.
	FindMobiles(ctx context.Context, userID string) ([]*Mobile, error)
	// FindMobile returns one of a user's mobiles, or ErrNotFound.
	FindMobile(ctx context.Context, userID, id string) (*Mobile, error)
	// DeleteMobile removes one of a user's mobiles; ErrNotFound when the user has none with id.
	DeleteMobile(ctx context.Context, userID, id string) error
	// FindKeyGrants reads, in a bounded number of statements however many there are, the
	// active grants of the contacts with this natural key (Contact.NaturalKey) in every owner
	// account, in creation order, each with the locks of its target.
	FindKeyGrants(ctx context.Context, contactKey string) ([]*KeyGrant, error)
}

// AccountReads reads owner accounts and their administrators.
type AccountReads interface {
	FindOwners(ctx context.Context, f OwnerFilter) ([]*Owner, error)
	// FindRole returns the strongest role the user holds on the owner account, or "" for none.
	FindRole(ctx context.Context, ownerID, userID string) (Role, error)
	FindPermissions(ctx context.Context, f PermissionFilter) ([]*Permission, error)
}

// LockReads reads bound locks and lock groups.
type LockReads interface {
	FindBoundLocks(ctx context.Context, f BoundLockFilter) ([]*BoundLock, error)
	FindLockGroups(ctx context.Context, f LockGroupFilter) ([]*LockGroup, error)
	// LockGroupStatistics counts each group's members by membership state; a group without
	// members maps to an empty list.
	LockGroupStatistics(ctx context.Context, groupIDs []string) (map[string][]StateCount, error)
	// LockGroupTimeRestrictionSupport reports for each group whether every member supports time
	// restrictions; a group without members does.
	LockGroupTimeRestrictionSupport(ctx context.Context, groupIDs []string) (map[string]bool, error)
	// LockGroupZones reads the distinct time zones of the member locks of each of the account's
	// groups named, in the order of their names, in one statement; a group without members, or
	// of another account, is left out.
	LockGroupZones(ctx context.Context, ownerID string, groupIDs []string) (map[string][]string, error)
	// LockMembershipStatistics counts each lock's group memberships by state.
	LockMembershipStatistics(ctx context.Context, boundLockIDs []string) (map[string][]StateCount, error)
	// FindLatestBoundLock returns the newest binding of a physical lock, active or not, in
	// whatever account; ErrNotFound when it was never bound.
	FindLatestBoundLock(ctx context.Context, physicalLockID string) (*BoundLock, error)
	// FindLockRevocations lists the revoked grants on a physical lock's revocation list: of
	// mobile keys those revoked at or after since, of cards those their card may still hold (it
	// was not rewritten without them).
	FindLockRevocations(ctx context.Context, physicalLockID string, since Time) (keys, cards []string, err error)
	// FindCardWrites lists the account's cards that wait for a write by this bound lock: their
	// grants changed since a lock last wrote them, and one of their grants (active, or revoked at
	// or after since) targets the lock or a group it is in. Oldest change first.
	FindCardWrites(ctx context.Context, boundLockID string, since Time) ([]*CardWrite, error)
	// FindTargetLockIDs returns the physical lock ids each lock or group targets: an active bound
	// lock's own, a group's active members'. Unknown targets map to nothing.
	FindTargetLockIDs(ctx context.Context, targetIDs []string) (map[string][]string, error)
	// FindPendingRevocations lists the account's revoked grants that the bound lock may hold a
	// key of and has not confirmed, oldest revocation first.
	FindPendingRevocations(ctx context.Context, boundLockID string) ([]PendingRevocation, error)
	// FindPropagationBacklog counts, over every account in one statement, what active bound
	// locks have yet to learn: each lock's pending revocations (as FindPendingRevocations) and
	// the cards waiting for a write (as FindCardWrites, each card once, with since), with the
	// oldest pending change. For the server's monitoring.
	FindPropagationBacklog(ctx context.Context, since Time) (PropagationBacklog, error)
	// LockHealth returns each lock's newest reading of each type, by type; a lock that has
	// reported nothing maps to an empty list.
	LockHealth(ctx context.Context, boundLockIDs []string) (map[string][]HealthReading, error)
}

// ContactReads reads contacts, bound cards and identity-provider users.
type ContactReads interface {
	FindContacts(ctx context.Context, f ContactFilter) ([]*Contact, error)
	FindBoundCards(ctx context.Context, f BoundCardFilter) ([]*BoundCard, error)
	FindIdentityProvider(ctx context.Context, ipID string) (*IdentityProvider, error)
	FindIdentityProviders(ctx context.Context, ownerID string) ([]*IdentityProvider, error)
	FindIPUsers(ctx context.Context, f IPUserFilter) ([]*IPUser, error)
}

// GrantReads reads grants.
type GrantReads interface {
	FindGrants(ctx context.Context, f GrantFilter) ([]*Grant, error)
	CountGrants(ctx context.Context, f GrantFilter) (int, error)
	// CountSmartphoneUsers counts the account's contacts with at least one active grant.
	CountSmartphoneUsers(ctx context.Context, ownerID string) (int, error)
}

// LogReads reads the access log.
type LogReads interface {
	// FindLogEntries lists log entries in the order the account received them.
	FindLogEntries(ctx context.Context, f LogEntryFilter) ([]*LogEntry, error)
}

// AccountWrites change the owner account itself and its administrators.
type AccountWrites interface {
	SetOwnerPlan(ctx context.Context, plan string) error
	UpdateOwner(ctx context.Context, u OwnerUpdate) error
	CreatePermission(ctx context.Context, p *Permission) error
	DeletePermission(ctx context.Context, id string) error
}

// LockWrites bind, change and unbind locks and keep lock groups.
type LockWrites interface {
	CreateBoundLock(ctx context.Context, l *BoundLock) error // ErrLockAlreadyBound
	UpdateBoundLock(ctx context.Context, id string, u BoundLockUpdate) error
	UnbindBoundLock(ctx context.Context, id string, at Time) error
	CreateLockGroup(ctx context.Context, g *LockGroup) error
	UpdateLockGroup(ctx context.Context, id string, u LockGroupUpdate) error
	DeleteLockGroup(ctx context.Context, id string) error
	AddLockGroupMember(ctx context.Context, groupID, boundLockID string, at Time) error
	// RemoveLockGroupMember takes a lock out of a group at a time; the keys of the group's grants
	// that left the server name the lock, so they go onto its revocation list.
	RemoveLockGroupMember(ctx context.Context, groupID, boundLockID string, at Time) error
	// SyncLock records a lock's sync at which it held the revocation list with serial
	// rclSerialNo; when that is its newest list, the lock's pending revocations and group
	// memberships are confirmed.
	SyncLock(ctx context.Context, boundLockID string, rclSerialNo int64, at Time) error
	// AddLogEntries stores the entries a lock uploaded (their BoundLockID is ignored) and
	// returns how many were new: an entry whose EntryNo the lock's log holds already, or that
	// the batch repeats, is left out, so that a retried or overlapping upload changes nothing
	// twice. ErrNotFound when the bound lock is not the account's.
	AddLogEntries(ctx context.Context, boundLockID string, entries []*LogEntry) (int, error)
	// ReportHealth stores the readings a lock uploaded, keeping the newest of each type: a
	// reading measured no later than the one stored changes nothing, so that a late or repeated
	// upload never overwrites a newer value. ErrNotFound when the bound lock is not the
	// account's; ErrInvalid for a value that is not a finite number.
	ReportHealth(ctx context.Context, boundLockID string, readings []HealthReading) error
}

// ContactWrites keep contacts, bound cards, identity providers and their users.
type ContactWrites interface {
	CreateContact(ctx context.Context, c *Contact) error // ErrDuplicateContact
	// EnsureContact returns the account's contact of c's identity (its NaturalKey), storing c
	// when the account has none: c itself, or the contact it had, as it is stored.
	EnsureContact(ctx context.Context, c *Contact) (*Contact, error)
	UpdateContact(ctx context.Context, id string, u ContactUpdate) error
	DeleteContact(ctx context.Context, id string) error
	CreateBoundCard(ctx context.Context, c *BoundCard) error // ErrCardAlreadyBound
	UpdateBoundCard(ctx context.Context, id string, u BoundCardUpdate) error
	// ConfirmCardWrite records that a lock wrote the card's image of this version: its grants up
	// to that version are on the card, and the revoked ones it no longer holds are Revoked. An
	// older or unknown version changes nothing.
	ConfirmCardWrite(ctx context.Context, boundCardID string, version int64) error
	CreateIdentityProvider(ctx context.Context, p *IdentityProvider) error // ErrInvalid when the ipId is taken
	DeleteIdentityProvider(ctx context.Context, ipID string) error
	CreateIPUser(ctx context.Context, u *IPUser) error // ErrDuplicateIPUser
}

// GrantWrites create and end grants.
type GrantWrites interface {
	CreateGrant(ctx context.Context, g *Grant) error // ErrDuplicate
	// RevokeGrant makes an active grant inactive with the given state; ErrNotFound when it is not active.
	RevokeGrant(ctx context.Context, id, state string, at Time) error
	// RevokeGrants ends every active grant of the account the filter selects (its Query and
	// OwnerID are ignored) and returns their ids, deciding each state in the same statement:
	// RevocationPending when pending and a lock already holds the grant's key, else Revoked.
	// Every lock that holds the key of one of them (the target, or the target group's members)
	// gets one revocation-list change. The account's lock keeps any lock sync from delivering a
	// key meanwhile.
	RevokeGrants(ctx context.Context, f GrantFilter, pending bool, at Time) ([]string, error)
	// MarkGrantsDelivered records that a key of each of these active grants left the server (to
	// a phone, or written to a card): revoking one then waits for its locks' confirmation.
	// Ids of inactive grants or of other accounts are left alone.
	MarkGrantsDelivered(ctx context.Context, grantIDs []string) error
}

// Tx is what a use case may read, and the data of no owner account it may write. Outside a
// transaction (Store.Direct) each call runs on its own.
type Tx struct {
	Users
	Catalog
	Clients
	SignIns
	Tokens
	Consents
	Secrets
	Mobiles
	AccountReads
	LockReads
	ContactReads
	GrantReads
	LogReads
}

// OwnerTx is a transaction that holds one owner account's lock: Tx, and the writes on that
// account's data. Every write acts on the locked account only; an entity of another account is
// refused (Create) or not found (Update, Delete).
type OwnerTx struct {
	Tx
	OwnerID string
	// Owner is the locked account as the statement that took its lock read it (never nil), so
	// that a use case needs no second read for its plan or its answer.
	Owner *Owner
	AccountWrites
	LockWrites
	ContactWrites
	GrantWrites
}

// Store is Keyward's storage. Direct is the storage outside any transaction. InTx runs fn in one
// transaction, committed when fn returns nil.
//
// InOwnerTx is InTx that first takes the owner account's lock, and it is the only way to write an
// owner account's data: a change that another change depends on (deleting a group and granting
// on it, unbinding a lock and adding it to a group, revoking a grant and a lock sync delivering
// it) then runs strictly one after the other, on every engine and across processes, and each
// sees what the other committed. ErrNotFound when the account does not exist. InNewOwnerTx
// creates the account and runs fn holding its lock, so that an account and its first Owner
// land together.
type Store interface {
	Direct() Tx
	InTx(ctx context.Context, fn func(tx Tx) error) error
	InOwnerTx(ctx context.Context, ownerID string, fn func(tx OwnerTx) error) error
	InNewOwnerTx(ctx context.Context, o *Owner, fn func(tx OwnerTx) error) error
	Close() error
}
