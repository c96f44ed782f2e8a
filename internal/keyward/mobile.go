package keyward

import "encoding/json"

// Me is the caller of the mobile API as it sees itself: a person (a Keyward user, who signs in
// with an e-mail address) or a user of an identity provider (from token exchange).
type Me struct {
	ID       string   `json:"id"`       // the Keyward user id
	Email    *string  `json:"email"`    // a person's address; null for an identity-provider user
	IPID     string   `json:"ipId"`     // "tapkey" for Keyward's own users, else the provider
	IPUserID *string  `json:"ipUserId"` // the provider's user id; null for Keyward's own users
	Kind     UserKind `json:"kind"`
}

// The platforms a mobile can name.
const (
	PlatformAndroid = "Android"
	PlatformIOS     = "iOS"
	PlatformOther   = "Other"
)

// Mobile is a phone a user registered: its Ed25519 public key, to which the server binds the
// keys it issues for the phone, a name and a platform. A mobile belongs to one user, not to an
// owner account: its keys come from the grants of every account that knows the user.
type Mobile struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Platform  string `json:"platform"`  // PlatformAndroid, PlatformIOS or PlatformOther
	PublicKey []byte `json:"publicKey"` // 32 bytes, standard Base64 with padding on the wire
	CreatedAt Time   `json:"createdAt"`
	UserID    string `json:"-"`
}

// MobileCreate is the body of PUT /Me/Mobiles.
type MobileCreate struct {
	PublicKey []byte `json:"publicKey"`
	Name      string `json:"name"`
	Platform  string `json:"platform"`
}

// IssuedKey is one key of the answer to a key fetch: a grant's signed lockproto MobileKey with
// what the phone needs to show and use it without reading the envelope.
type IssuedKey struct {
	GrantID        string  `json:"grantId"`
	OwnerAccountID string  `json:"ownerAccountId"`
	ContactID      string  `json:"contactId"`
	BoundLockID    *string `json:"boundLockId"` // the bound lock of a lock grant
	LockGroupID    *string `json:"lockGroupId"` // the group of a group grant
	// PhysicalLockIDs are the locks the key opens (the key's lockIds).
	PhysicalLockIDs []string `json:"physicalLockIds"`
	// NotAfter is the key's own end: the phone fetches a new one before.
	NotAfter Time            `json:"notAfter"`
	Key      json.RawMessage `json:"key"` // the lockproto Envelope of typ MobileKey
}

// MobileKeys is the answer to a key fetch: the keys of every grant a key can be issued for now.
type MobileKeys struct {
	Keys []IssuedKey `json:"keys"`
}

// KeyGrant is an active grant of a contact as a key fetch reads it: the grant's fields that a
// key carries and the locks its target has now.
type KeyGrant struct {
	ID                  string
	OwnerAccountID      string
	ContactID           string
	TargetID            string // the bound lock or the lock group
	TargetType          string // "Lock" or "Group"
	ValidFrom           *Time
	ValidBefore         *Time
	TimeRestrictionIcal *string
	Delivered           bool // a key of it left the server already
	// Locks are the target's locks with an active binding: the bound lock, or the group's
	// members, ordered by physical lock id. A target without one issues no key.
	Locks []KeyLock
}

// KeyLock is a lock a key opens, with what the key depends on.
type KeyLock struct {
	PhysicalLockID string
	RclSerialNo    int64    // the bound lock's revocation-list serial
	KIDs           []string // the key-signing keys the lock reported holding at its last sync
}
