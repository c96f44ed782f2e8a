package lockproto

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
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
