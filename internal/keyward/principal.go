package keyward

import (
	"context"
	"fmt"
	"strings"
)

// PrincipalKind tells how a caller acts, and so which use cases are open to it.
type PrincipalKind uint8

// The principal kinds. The zero kind is no caller at all: a Principal built without one of the
// constructors below is refused as if the request carried no credentials.
const (
	// PrincipalToken is a user acting through an OAuth client with an access token (/api/v1):
	// the user's permissions, narrowed by the token's scopes.
	PrincipalToken PrincipalKind = iota + 1
	// PrincipalSession is a person signed in with a browser session (the portal, the account
	// pages): the user's permissions, without any scope restriction.
	PrincipalSession
	// PrincipalDevice is a lock or a phone acting as itself: only its own device use cases,
	// never the management ones.
	PrincipalDevice
	// PrincipalOperator is whoever runs the CLI with access to the database: the operator use
	// cases (users, the device registry, plans, clients).
	PrincipalOperator
)

// Valid reports whether k is one of the kinds above.
func (k PrincipalKind) Valid() bool { return k >= PrincipalToken && k <= PrincipalOperator }

// DeviceKind tells the devices that can act as themselves apart.
type DeviceKind string

// The device kinds.
const (
	DeviceLock  DeviceKind = "lock"
	DevicePhone DeviceKind = "phone"
)

// Principal is the caller of a use case. Build it with TokenPrincipal, SessionPrincipal,
// DevicePrincipal or Operator, and hand it down in a context (NewContextWithPrincipal).
type Principal struct {
	Kind PrincipalKind

	// UserID, Email and UserKind name the user a token or session acts for.
	UserID   string
	Email    string
	UserKind UserKind

	// ClientID and Scopes are a token's: the client it was issued to and what it allows.
	ClientID string
	Scopes   []string

	// DeviceKind and DeviceID name a device: a lock by its physicalLockId, a phone by its id.
	DeviceKind DeviceKind
	DeviceID   string

	// ReadRole is the user's role on the owner account the request acts on, read in the same
	// statement as the token's checks (WithRole), so that the permission check does not read it
	// again; nil when it was not read.
	ReadRole *ReadRole
}

// ReadRole is a user's role on one owner account as read for one request ("" for none), with
// the account's version as of the same read (nil when the account does not exist).
type ReadRole struct {
	OwnerID string
	Role    Role
	Version *int64
}

// WithRole records that the user's role on owner account ownerID is role ("" for none), and the
// account's version, as read for this request; RoleOn and AccountVersion then answer for that
// account. It returns p.
func (p *Principal) WithRole(ownerID string, role Role, version *int64) *Principal {
	p.ReadRole = &ReadRole{OwnerID: ownerID, Role: role, Version: version}
	return p
}

// AccountVersion returns the version of owner account ownerID as read with the caller's role for
// this request; ok is false when it was not read, the account does not exist, or there is no
// principal at all (p is nil).
func (p *Principal) AccountVersion(ownerID string) (version int64, ok bool) {
	if p == nil || p.ReadRole == nil || p.ReadRole.OwnerID != ownerID || ownerID == "" || p.ReadRole.Version == nil {
		return 0, false
	}
	return *p.ReadRole.Version, true
}

// RoleOn returns the user's role on ownerID when it was read for this request (WithRole); ok is
// false when it was not, and it must be read from the store.
func (p *Principal) RoleOn(ownerID string) (role Role, ok bool) {
	if p.ReadRole == nil || p.ReadRole.OwnerID != ownerID || ownerID == "" {
		return "", false
	}
	return p.ReadRole.Role, true
}

// TokenPrincipal is user u acting through clientID with an access token carrying scopes.
func TokenPrincipal(u *User, clientID string, scopes []string) *Principal {
	return &Principal{Kind: PrincipalToken, UserID: u.ID, Email: u.Email, UserKind: u.Kind, ClientID: clientID, Scopes: scopes}
}

// SessionPrincipal is user u signed in with a browser session.
func SessionPrincipal(u *User) *Principal {
	return &Principal{Kind: PrincipalSession, UserID: u.ID, Email: u.Email, UserKind: u.Kind}
}

// DevicePrincipal is a device acting as itself.
func DevicePrincipal(kind DeviceKind, id string) *Principal {
	return &Principal{Kind: PrincipalDevice, DeviceKind: kind, DeviceID: id}
}

// Operator is the operator: the CLI and `keyward demo`, which hold the database.
func Operator() *Principal { return &Principal{Kind: PrincipalOperator} }

// ActsForUser reports whether the principal acts with a user's rights: a token or a session.
func (p *Principal) ActsForUser() bool {
	return p.Kind == PrincipalToken || p.Kind == PrincipalSession
}

// String names the principal the way refusals show it.
func (p *Principal) String() string {
	switch p.Kind {
	case PrincipalToken:
		return fmt.Sprintf("a token of client %q for user %q", p.ClientID, p.UserID)
	case PrincipalSession:
		return fmt.Sprintf("the session of user %q", p.UserID)
	case PrincipalDevice:
		return fmt.Sprintf("%s %q", p.DeviceKind, p.DeviceID)
	case PrincipalOperator:
		return "the operator"
	}
	return "an unknown caller"
}

// Scopes of the Management API (reference §2.7).
const (
	ScopeReadCoreEntities      = "read:core:entities"
	ScopeWriteCoreEntities     = "write:core:entities"
	ScopeReadGrants            = "read:grants"
	ScopeWriteGrants           = "write:grants"
	ScopeReadIPUsers           = "read:ip:users"
	ScopeWriteIPUsers          = "write:ip:users"
	ScopeReadLogs              = "read:logs"
	ScopeReadOwnerAccounts     = "read:owneraccounts"
	ScopeWriteOwnerAccounts    = "write:owneraccounts"
	ScopeReadOwnerPermissions  = "read:owneraccount:permissions"
	ScopeWriteOwnerPermissions = "write:owneraccount:permissions"
	ScopeOfflineAccess         = "offline_access"
	ScopeReadUser              = "read:user"        // the mobile API: who am I
	ScopeRegisterMobiles       = "register:mobiles" // the mobile API: a user's phones
	ScopeHandleKeys            = "handle:keys"      // the mobile API: a phone's keys
	legacyScopeManageContacts  = "manage:contacts"
	legacyScopeManageGrants    = "manage:grants"
)

// OpenID Connect scopes (Core §3.1.2.1, §5.4): an ID token, and the user's claims.
const (
	ScopeOpenID  = "openid"
	ScopeProfile = "profile"
	ScopeEmail   = "email"
)

// KnownScopes lists the scopes of the Management API and of Tapkey's clients, the ones its
// OpenAPI document offers; a client may be registered with these and with OpenIDScopes.
var KnownScopes = []string{
	ScopeReadCoreEntities, ScopeWriteCoreEntities, ScopeReadGrants, ScopeWriteGrants,
	ScopeReadIPUsers, ScopeWriteIPUsers, ScopeReadLogs, ScopeReadOwnerAccounts, ScopeWriteOwnerAccounts,
	ScopeReadOwnerPermissions, ScopeWriteOwnerPermissions, ScopeOfflineAccess,
	legacyScopeManageContacts, legacyScopeManageGrants,
	ScopeRegisterMobiles, ScopeReadUser, ScopeHandleKeys,
}

// OpenIDScopes are the scopes that speak of a signed-in person rather than of the Management
// API; only the authorization-code flow (and its refreshes) grants them.
var OpenIDScopes = []string{ScopeOpenID, ScopeProfile, ScopeEmail}

// ClientScopes lists every scope a client may be registered with.
func ClientScopes() []string { return append(append([]string(nil), KnownScopes...), OpenIDScopes...) }

// HasScope reports whether the principal's scopes allow need: "write:X" implies "read:X", and
// the legacy names manage:contacts and manage:grants stand for write:core:entities and write:grants.
// Only a token has scopes; the service asks only token principals.
func (p *Principal) HasScope(need string) bool {
	for _, s := range p.Scopes {
		switch s {
		case legacyScopeManageContacts:
			s = ScopeWriteCoreEntities
		case legacyScopeManageGrants:
			s = ScopeWriteGrants
		}
		if s == need || (strings.HasPrefix(need, "read:") && s == "write:"+strings.TrimPrefix(need, "read:")) {
			return true
		}
	}
	return false
}

type principalKey struct{}

// NewContextWithPrincipal returns ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the caller, or nil for an unauthenticated context.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// TokenVerifier checks a bearer access token. It returns ErrInvalidToken or ErrExpiredToken
// (possibly with details) when the token cannot be accepted. ownerID, when not "", is the owner
// account the request acts on: the principal then carries the user's role there (WithRole), read
// with the token's checks.
type TokenVerifier interface {
	VerifyAccessToken(ctx context.Context, token, ownerID string) (*Principal, error)
}
