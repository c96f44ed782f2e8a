package keyward

import (
	"context"
	"strings"
)

// Principal is the authenticated caller of the Management API, taken from a verified access token.
type Principal struct {
	UserID   string
	Email    string
	Kind     UserKind
	ClientID string
	Scopes   []string
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
	"register:mobiles", "read:user", "handle:keys",
}

// OpenIDScopes are the scopes that speak of a signed-in person rather than of the Management
// API; only the authorization-code flow (and its refreshes) grants them.
var OpenIDScopes = []string{ScopeOpenID, ScopeProfile, ScopeEmail}

// ClientScopes lists every scope a client may be registered with.
func ClientScopes() []string { return append(append([]string(nil), KnownScopes...), OpenIDScopes...) }

// HasScope reports whether the principal's scopes allow need: "write:X" implies "read:X", and
// the legacy names manage:contacts and manage:grants stand for write:core:entities and write:grants.
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
// (possibly with details) when the token cannot be accepted.
type TokenVerifier interface {
	VerifyAccessToken(ctx context.Context, token string) (*Principal, error)
}
