package lockproto

import (
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// MaxKeyValidity bounds a mobile key's own validity. The phone renews its keys before they end;
// a lock that never syncs therefore accepts a revoked grant's key at most this long after the
// revocation, whatever the grant's validBefore says.
const MaxKeyValidity = 7 * 24 * time.Hour

// ClockSkew is how far before its issue a key becomes valid, so that a lock whose clock runs a
// little behind the server's accepts a fresh key.
const ClockSkew = 5 * time.Minute

// MobileKey is what a phone presents to a lock: one grant of one contact, bound to the phone's
// public key, for the locks the grant targets. NotBefore and NotAfter are the key's own validity
// (ClipValidity); ValidFrom, ValidBefore and the iCal text are the grant's, which the lock checks
// as well, at its own clock.
type MobileKey struct {
	GrantID     string  `json:"grantId"`
	ContactID   *string `json:"contactId"`
	LockGroupID *string `json:"lockGroupId"` // the group a group grant targets, for the log
	// LockIDs are the canonical physical lock ids the key opens: the lock's, or the group's
	// member locks at issue.
	LockIDs             []string          `json:"lockIds"`
	PhonePublicKey      ed25519.PublicKey `json:"phonePublicKey"`
	IssuedAt            keyward.Time      `json:"issuedAt"`
	NotBefore           keyward.Time      `json:"notBefore"`
	NotAfter            keyward.Time      `json:"notAfter"`
	ValidFrom           *keyward.Time     `json:"validFrom"`
	ValidBefore         *keyward.Time     `json:"validBefore"`
	TimeRestrictionIcal *string           `json:"timeRestrictionIcal"`
	// RclSerialNo is the revocation-list serial of the locks at issue; a lock holding an older
	// list learns from it that it should sync.
	RclSerialNo int64 `json:"rclSerialNo"`
}

// ErrNoValidity means a key issued now would not be valid at any instant: the grant ended, or
// starts more than MaxKeyValidity after now.
var ErrNoValidity = errors.New("lockproto: the grant is not valid in the key's validity period")

// ClipValidity returns a key's validity when issued at issuedAt: [issuedAt-ClockSkew,
// issuedAt-ClockSkew+d) with d at most MaxKeyValidity, cut to the grant's [validFrom,
// validBefore) (nil: unbounded). The end never lies more than MaxKeyValidity after the issue.
func ClipValidity(issuedAt time.Time, validFrom, validBefore *time.Time, d time.Duration) (notBefore, notAfter time.Time, err error) {
	d = min(d, MaxKeyValidity)
	notBefore = issuedAt.Add(-ClockSkew)
	notAfter = notBefore.Add(d)
	if validFrom != nil && validFrom.After(notBefore) {
		notBefore = *validFrom
	}
	if validBefore != nil && validBefore.Before(notAfter) {
		notAfter = *validBefore
	}
	if !notBefore.Before(notAfter) {
		return time.Time{}, time.Time{}, ErrNoValidity
	}
	return notBefore, notAfter, nil
}

// SignMobileKey signs a key with a key-signing key of the server.
func SignMobileKey(s Signer, k *MobileKey) (*Envelope, error) { return seal(TypeMobileKey, s, k) }

// VerifyMobileKey checks a key's signature with the key set a lock holds and returns the key.
func VerifyMobileKey(env *Envelope, ks KeySet) (*MobileKey, error) {
	var k MobileKey
	if err := openWithSet(env, TypeMobileKey, ks, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// HolderInput is what a phone signs to prove it holds the private half of a key's phone public
// key: the lock's id and the fresh challenge the lock sent, so that a proof opens one lock once.
func HolderInput(lockID string, challenge []byte) []byte {
	return append(SigningInput(FormatVersion, "HolderProof", lockID, nil), challenge...)
}

// ProveHolder is the phone's answer to a lock's challenge.
func ProveHolder(phone ed25519.PrivateKey, lockID string, challenge []byte) []byte {
	return ed25519.Sign(phone, HolderInput(lockID, challenge))
}

// VerifyHolder reports whether proof answers the lock's challenge with the key's phone key. A lock
// runs it with Decide: a copied key without the phone's private key opens nothing.
func VerifyHolder(k *MobileKey, lockID string, challenge, proof []byte) bool {
	return len(k.PhonePublicKey) == ed25519.PublicKeySize && len(challenge) >= ChallengeSize &&
		ed25519.Verify(k.PhonePublicKey, HolderInput(lockID, challenge), proof)
}
