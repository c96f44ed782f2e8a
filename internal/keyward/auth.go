package keyward

// UserExternal is the kind of a user of an external identity provider, created by token exchange
// or through the IdentityProviders API; such a user has no e-mail address and no password.
const UserExternal UserKind = "external"

// Session is a signed-in browser session of a user. Only the hash of its cookie value is stored.
type Session struct {
	Hash      string
	UserID    string
	CreatedAt Time
	ExpiresAt Time
}

// AuthCode is an authorization code (RFC 6749 §4.1), stored by hash, single use, short lived.
// FamilyID names the token family that whatever the code issues belongs to, so that a reused
// code can revoke it all.
type AuthCode struct {
	Hash                string
	ClientID            string
	UserID              string
	RedirectURI         string
	Scopes              []string
	CodeChallenge       string
	CodeChallengeMethod string
	Nonce               string
	// RedirectURISent tells whether the authorization request named RedirectURI; when it did
	// not (a client with one registered URI), the token request need not either (RFC 6749 §4.1.3).
	RedirectURISent bool
	FamilyID        string
	CreatedAt       Time
	ExpiresAt       Time
	UsedAt          *Time
}

// TokenFamily groups the access and refresh tokens that descend from one authorization (a code
// or a token exchange). Revoking the family invalidates all of them.
type TokenFamily struct {
	ID        string
	ClientID  string
	UserID    string
	CreatedAt Time
	RevokedAt *Time
	// AuthTime is when the user signed in for the authorization (OpenID Connect's auth_time,
	// which ID tokens issued on refresh repeat); nil for token exchanges.
	AuthTime *Time
}

// TokenCheck names what accepting one access token reads (Tokens.CheckAccessToken).
type TokenCheck struct {
	UserID   string // the token's subject
	ClientID string // the client it was issued to
	// Family is the token's family ("" for a token without one, such as client credentials); JTI
	// is its id, looked up among the revoked access tokens when it has no family.
	Family, JTI string
	// OwnerID, when not "", is the owner account the request acts on: the user's role there is
	// read with the rest.
	OwnerID string
}

// TokenStanding is what Tokens.CheckAccessToken read: the token's user and everything that
// decides whether the token still stands, as of one statement.
type TokenStanding struct {
	User *User
	// FamilyExists and FamilyRevokedAt describe the token's family (when TokenCheck.Family is set):
	// a family that no longer exists was deleted with its client.
	FamilyExists    bool
	FamilyRevokedAt *Time
	// Revoked is true when the token, having no family, was revoked by its jti.
	Revoked bool
	// ClientScopes are the scopes the token's client is allowed now; nil when the client no
	// longer exists.
	ClientScopes []string
	// Role is the user's strongest role on TokenCheck.OwnerID ("" for none).
	Role Role
	// AccountVersion is the write version of the account TokenCheck.OwnerID, which every
	// committed write on the account's data (every OwnerTx) raises; nil when no account was
	// named or it does not exist. Read in the same statement as the role, it tells an answer
	// computed at that version from a stale one (Principal.AccountVersion).
	AccountVersion *int64
}

// RefreshToken is a rotating refresh token, stored by hash. Using it marks it used and issues a
// successor in the same family; presenting a used token again revokes the family.
type RefreshToken struct {
	Hash      string
	FamilyID  string
	ClientID  string
	UserID    string
	Scopes    []string
	CreatedAt Time
	ExpiresAt Time
	UsedAt    *Time
}

// IdentityProvider is an external identity provider registered under an owner account; its
// users sign in to mobile apps through token exchange. ID is the ipId clients send as provider.
type IdentityProvider struct {
	ID             string `json:"ipId"`
	OwnerAccountID string `json:"ownerAccountId"`
	Issuer         string `json:"issuer"`
	Audience       string `json:"audience"`
	PublicKeyPEM   string `json:"publicKey"`
	CreatedAt      Time   `json:"-"`
}

// IdentityProviderCreate is the body of PUT /Owners/{o}/IdentityProviders.
type IdentityProviderCreate struct {
	IPID      string `json:"ipId"`
	Issuer    string `json:"issuer"`
	Audience  string `json:"audience"`
	PublicKey string `json:"publicKey"`
}

// IPUser is a user of an external identity provider. ID is the Keyward user id.
type IPUser struct {
	ID             string  `json:"id"`
	IPID           string  `json:"ipId"`
	IPUserID       string  `json:"ipUserId"`
	Identifier     *string `json:"identifier"`
	Email          *string `json:"email"` // older clients read email
	Status         string  `json:"status"`
	OwnerAccountID string  `json:"-"`
	CreatedAt      Time    `json:"-"`
}

// IPUserStatusNormal is the only status Tapkey shows.
const IPUserStatusNormal = "Normal"

// IPUserFilter selects users of one identity provider, or of any when IPID is "" (the provider
// of one user, found by ID).
type IPUserFilter struct {
	IPID     string
	ID       *string
	IPUserID *string
	Query    *Query
}

// IPUserCreate is the body of PUT /Owners/{o}/IdentityProviders/{ipId}/Users.
type IPUserCreate struct {
	IPID       *string `json:"ipId"`
	IPUserID   string  `json:"ipUserId"`
	Identifier *string `json:"identifier"`
	Email      *string `json:"email"`
}

// IPUserUpdate is the body of PATCH .../Users/{id}: nothing is patchable; an attempt to change
// the address is EmailChangeNotSupported.
type IPUserUpdate struct {
	Identifier *string `json:"identifier"`
	Email      *string `json:"email"`
}

// ClientUpdate changes a registered OAuth client; nil fields stay.
type ClientUpdate struct {
	Name         *string
	Scopes       []string
	RedirectURIs []string
	LogoURL      *string
	SecretHash   *string
	// AllowedOrigins replaces the extra CORS origins when not nil.
	AllowedOrigins []string
}
