package service

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

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
		return "", fmt.Errorf("service: salt: %w", err)
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

// maxConcurrentKDF bounds the Argon2 computations running at once in this process: each takes
// argonMemory KiB, so unbounded concurrent sign-ins could exhaust the memory of a node.
const maxConcurrentKDF = 4

// kdfSlots are the Argon2 slots. They are per process rather than per Service, because the
// memory they protect is the process's, shared by every Service it runs.
var kdfSlots = make(chan struct{}, maxConcurrentKDF)

// withKDFSlot runs fn in a free Argon2 slot, waiting for one or for the request to end.
func withKDFSlot(ctx context.Context, fn func()) error {
	select {
	case kdfSlots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("service: wait for a password slot: %w", ctx.Err())
	}
	defer func() { <-kdfSlots }()
	fn()
	return nil
}

// passwordMatches is PasswordMatches within the process's Argon2 concurrency limit.
func passwordMatches(ctx context.Context, password, hash string) (ok bool, err error) {
	err = withKDFSlot(ctx, func() { ok = PasswordMatches(password, hash) })
	return ok, err
}

// hashPassword is HashPassword within the process's Argon2 concurrency limit.
func hashPassword(ctx context.Context, password string) (hash string, err error) {
	if slotErr := withKDFSlot(ctx, func() { hash, err = HashPassword(password) }); slotErr != nil {
		return "", slotErr
	}
	return hash, err
}

// dummyHash is the hash that the password of an unknown address is checked against, so that the
// response time does not tell which addresses exist. A 22-character password is long enough.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword(base64.RawURLEncoding.EncodeToString(randomBytes(16)))
	return h
})
