package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for passwords (RFC 9106's second recommended option: 64 MiB, 3 passes).
// Passwords are chosen by people, so unlike client secrets they need a memory-hard KDF.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns the PHC-style Argon2id hash of password.
func HashPassword(password string) (string, error) {
	if len(password) < 8 {
		return "", errors.New("the password must have at least 8 characters")
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("oauth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// PasswordMatches checks password against a HashPassword hash in constant time. A malformed
// hash never matches.
func PasswordMatches(password, hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// maxConcurrentKDF bounds the Argon2 computations running at once: each takes argonMemory KiB,
// so unbounded concurrent sign-ins could exhaust the memory of a node.
const maxConcurrentKDF = 4

// kdfSlot waits for a free Argon2 slot, or for the request to end.
func (s *Server) kdfSlot(ctx context.Context) (release func(), err error) {
	select {
	case s.kdf <- struct{}{}:
		return func() { <-s.kdf }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("oauth: wait for a password slot: %w", ctx.Err())
	}
}

// passwordMatches is PasswordMatches within the server's Argon2 concurrency limit.
func (s *Server) passwordMatches(ctx context.Context, password, hash string) (bool, error) {
	release, err := s.kdfSlot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return PasswordMatches(password, hash), nil
}

// hashPassword is HashPassword within the server's Argon2 concurrency limit.
func (s *Server) hashPassword(ctx context.Context, password string) (string, error) {
	release, err := s.kdfSlot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password)
}
