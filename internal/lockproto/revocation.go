package lockproto

import (
	"slices"

	"github.com/keyward/keyward/internal/keyward"
)

// RevocationList is a lock's list of revoked grants. Its serial grows with every revocation of a
// delivered key (the bound lock's rclSerialNo); a lock never replaces its list by one with a lower
// serial, so an old list cannot be replayed to bring a revoked key back.
type RevocationList struct {
	LockID   string       `json:"lockId"`
	SerialNo int64        `json:"serialNo"`
	IssuedAt keyward.Time `json:"issuedAt"`
	// GrantIDs are the revoked grants of mobile keys; CardGrantIDs those of cards, which a lock
	// checks when a card is presented.
	GrantIDs     []string `json:"grantIds"`
	CardGrantIDs []string `json:"cardGrantIds"`
}

// Revokes reports whether the list revokes the grant, as a mobile or a card grant.
func (l *RevocationList) Revokes(grantID string) bool {
	return slices.Contains(l.GrantIDs, grantID) || slices.Contains(l.CardGrantIDs, grantID)
}

// SignRevocationList signs a list with a key-signing key, for a phone to carry to the lock
// between syncs.
func SignRevocationList(s Signer, l *RevocationList) (*Envelope, error) {
	return seal(TypeRevocationList, s, l)
}

// VerifyRevocationList checks a list's signature with the key set a lock holds.
func VerifyRevocationList(env *Envelope, ks KeySet) (*RevocationList, error) {
	var l RevocationList
	if err := openWithSet(env, TypeRevocationList, ks, &l); err != nil {
		return nil, err
	}
	return &l, nil
}
