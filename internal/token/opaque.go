package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Random returns n random bytes in unpadded base64url: an opaque token (a code, a refresh token,
// a session, a client secret) safe in URLs, cookies, HTTP Basic and form bodies without escaping.
func Random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the lower-case hex SHA-256 of an opaque token, the form in which client secrets,
// codes, refresh tokens and sessions are stored.
//
// A fast hash is enough here, unlike for passwords: every value hashed is a 256-bit random
// string, so there is no dictionary to try and brute force over 2^256 is out of reach however
// cheap each guess is. A slow KDF (bcrypt, argon2) only protects low-entropy, human-chosen
// secrets, and at the token endpoint it would hand any caller a CPU-exhaustion lever. Never use
// Hash for user passwords.
func Hash(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// NewClientSecret returns a new OAuth client secret, to be shown to its owner once, and the hash
// to store in keyward.Client.SecretHash: 32 bytes from crypto/rand in unpadded base64url (43
// characters, safe in HTTP Basic and form bodies without escaping), hashed with Hash. The
// authorization server, the CLI and the portal all make secrets here, so that there is one
// form of secret and one hash.
func NewClientSecret() (plain string, hash string) {
	plain = Random(32)
	return plain, Hash(plain)
}
