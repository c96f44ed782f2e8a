package oauth

import (
	"crypto/subtle"

	"github.com/keyward/keyward/internal/token"
)

// NewClientSecret returns a new client secret, to be shown to its owner once, and the hash to
// store in keyward.Client.SecretHash. The secret is 32 bytes from crypto/rand in unpadded
// base64url (43 characters), safe in HTTP Basic and form bodies without escaping; the hash is
// token.Hash's.
func NewClientSecret() (plain string, hash string) {
	plain = token.Random(32)
	return plain, token.Hash(plain)
}

// secretMatches compares in constant time, so that the response time does not reveal how much of
// a guessed hash matched.
func secretMatches(plain, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(token.Hash(plain)), []byte(hash)) == 1
}
