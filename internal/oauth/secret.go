package oauth

import (
	"crypto/subtle"

	"github.com/keyward/keyward/internal/token"
)

// NewClientSecret returns a new client secret, to be shown to its owner once, and the hash to
// store in keyward.Client.SecretHash (token.NewClientSecret, which secretMatches checks).
func NewClientSecret() (plain string, hash string) { return token.NewClientSecret() }

// secretMatches compares in constant time, so that the response time does not reveal how much of
// a guessed hash matched.
func secretMatches(plain, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(token.Hash(plain)), []byte(hash)) == 1
}
