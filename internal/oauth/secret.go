package oauth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// NewClientSecret returns a new client secret, to be shown to its owner once, and the hash to
// store in keyward.Client.SecretHash. The secret is 32 bytes from crypto/rand in unpadded
// base64url (43 characters), safe in HTTP Basic and form bodies without escaping.
func NewClientSecret() (plain string, hash string) {
	plain = randomToken(32)
	return plain, HashSecret(plain)
}

// HashSecret returns the lower-case hex SHA-256 of a client secret (and, later, of authorization
// codes and refresh tokens, which are stored the same way).
//
// A fast hash is enough here, unlike for passwords: every value hashed is a 256-bit random
// string, so there is no dictionary to try and brute force over 2^256 is out of reach however
// cheap each guess is. A slow KDF (bcrypt, argon2) only protects low-entropy, human-chosen
// secrets, and at the token endpoint it would hand any caller a CPU-exhaustion lever. Never use
// HashSecret for user passwords.
func HashSecret(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// secretMatches compares in constant time, so that the response time does not reveal how much of
// a guessed hash matched.
func secretMatches(plain, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashSecret(plain)), []byte(hash)) == 1
}

// randomToken returns n random bytes in unpadded base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
