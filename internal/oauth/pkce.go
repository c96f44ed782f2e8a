package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// pkceS256 is the one code_challenge_method Keyward accepts (RFC 7636 §4.2). "plain" protects
// nothing once the authorization request leaks, so it is refused (RFC 9700 §2.1.1).
const pkceS256 = "S256"

// checkChallenge validates the PKCE parameters of an authorization request. Public clients must
// use PKCE; confidential clients may, and then the token endpoint enforces it.
func checkChallenge(client *keyward.Client, challenge, method string) error {
	switch {
	case challenge == "" && method != "":
		return invalidRequest("code_challenge_method is set but code_challenge is missing")
	case challenge == "" && isPublic(client):
		return invalidRequest("the client '%s' is public and must use PKCE: send code_challenge with code_challenge_method S256 (RFC 7636)", client.ID)
	case challenge == "":
		return nil
	case method == "" || method == "plain":
		return invalidRequest("code_challenge_method must be S256; plain is not supported")
	case method != pkceS256:
		return invalidRequest("code_challenge_method '%s' is not supported; use S256", method)
	case !validChallenge(challenge):
		return invalidRequest("code_challenge must be the base64url SHA-256 of the code_verifier: 43 characters of A-Z a-z 0-9 - _")
	}
	return nil
}

// validChallenge reports whether c is an unpadded base64url SHA-256 digest.
func validChallenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == sha256.Size && len(c) == 43
}

// validVerifier checks RFC 7636 §4.1: 43 to 128 characters of A-Z a-z 0-9 - . _ ~.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	return strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r))
	}) < 0
}

// verifierMatches reports whether BASE64URL(SHA256(verifier)) equals challenge (RFC 7636 §4.6).
func verifierMatches(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}
