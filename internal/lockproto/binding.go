package lockproto

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// NewBindingCode returns a random binding code a person can type: 10 base32 letters and digits
// (50 bits). It is permanent, like the code printed on a lock.
func NewBindingCode() string {
	b := make([]byte, 7)
	rand.Read(b) // crypto/rand.Read never returns an error; it crashes the program instead
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:10]
}

// HashBindingCode is how binding codes are stored: they are random, so a fast hash suffices.
func HashBindingCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// BindingCodeMatches reports whether code is the one hash was made of, in time that does not
// depend on where they differ.
func BindingCodeMatches(code, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashBindingCode(code)), []byte(hash)) == 1
}

// AnchorMAC is the anchor of a sync response (docs/lock-protocol.md, "The first key set"):
// HMAC-SHA256 over the envelope's signing input, keyed with the 32 bytes of SHA-256 of the lock's
// binding code, which the lock knows (it is printed on it) and the server stores as
// HashBindingCode. bindingCodeHash is that stored hex text.
func AnchorMAC(bindingCodeHash string, env *Envelope) ([]byte, error) {
	key, err := hex.DecodeString(bindingCodeHash)
	if err != nil || len(key) != sha256.Size {
		return nil, errors.New("lockproto: the binding code hash is not 32 bytes of hex")
	}
	m := hmac.New(sha256.New, key)
	m.Write(SigningInput(env.V, env.Typ, env.KID, env.Payload))
	return m.Sum(nil), nil
}

// verifyAnchor checks a response's anchor with the lock's binding code and returns the key set
// the response carries, which the lock then verifies the response's signature with.
func verifyAnchor(env *Envelope, bindingCode string) (KeySet, error) {
	want, err := AnchorMAC(HashBindingCode(bindingCode), env)
	if err != nil || len(env.Anchor) == 0 || !hmac.Equal(want, env.Anchor) {
		return KeySet{}, ErrSignature
	}
	var r struct {
		KeySet KeySet `json:"keySet"`
	}
	if err := json.Unmarshal(env.Payload, &r); err != nil {
		return KeySet{}, fmt.Errorf("lockproto: %s payload: %w", env.Typ, err)
	}
	return r.KeySet, nil
}
