package keyward

import "encoding/json"

// The mobile API's types as contract-9 gives them; helper "mobile" writes them in mobile.go.

// Me is the caller of the mobile API as it sees itself.
type Me struct {
	ID       string   `json:"id"`
	Email    *string  `json:"email"`
	IPID     string   `json:"ipId"`
	IPUserID *string  `json:"ipUserId"`
	Kind     UserKind `json:"kind"`
}

// Mobile is a phone a user registered.
type Mobile struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Platform  string `json:"platform"`
	PublicKey []byte `json:"publicKey"`
	CreatedAt Time   `json:"createdAt"`
}

// MobileCreate registers a phone.
type MobileCreate struct {
	PublicKey []byte `json:"publicKey"`
	Name      string `json:"name"`
	Platform  string `json:"platform"`
}

// MobileKeyItem is one key of the answer to a key fetch.
type MobileKeyItem struct {
	GrantID         string          `json:"grantId"`
	OwnerAccountID  string          `json:"ownerAccountId"`
	ContactID       string          `json:"contactId"`
	BoundLockID     *string         `json:"boundLockId"`
	LockGroupID     *string         `json:"lockGroupId"`
	PhysicalLockIDs []string        `json:"physicalLockIds"`
	NotAfter        Time            `json:"notAfter"`
	Key             json.RawMessage `json:"key"`
}

// MobileKeys is the answer to a key fetch.
type MobileKeys struct {
	Keys []MobileKeyItem `json:"keys"`
}
