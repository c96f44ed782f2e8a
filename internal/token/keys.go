package token

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/keyward/keyward/internal/keyward"
)

const (
	// Algorithm is the one signing algorithm Keyward issues and accepts.
	Algorithm = "RS256"
	// rsaKeyBits is the size of generated keys: the minimum RFC 7518 §3.3 allows, which keeps
	// signing fast; keys are replaced by rotation, not by size.
	rsaKeyBits = 2048
	// unknownKeyReload limits how often a token with an unknown kid may trigger a reload, so that
	// a stream of forged kids cannot turn into a stream of database queries.
	unknownKeyReload = 10 * time.Second
	// jwksReload is how stale the keys in memory may get: the JWKS, signing and verifying reload
	// them when they are older, so that a rotation or retirement reaches every node within it.
	jwksReload = time.Minute
	// RetireAfter is how long a key still verifies and is published once a newer key signs: longer
	// than any token Keyward signs lives (access tokens an hour, exchanged tokens at most a day),
	// so that no token outlives the key that checks it.
	RetireAfter = 25 * time.Hour
)

// Store is the storage of the signing keys, shared by every node of a cluster.
type Store interface {
	CreateSigningKey(ctx context.Context, k *keyward.SigningKey) error
	FindSigningKeys(ctx context.Context) ([]*keyward.SigningKey, error)
}

// signingKey is a parsed keyward.SigningKey.
type signingKey struct {
	id        string
	private   *rsa.PrivateKey
	createdAt time.Time
}

// keyRing holds the signing keys of the database in memory. It signs with the newest key and
// verifies with any of them.
//
// Nodes starting together may each find no key and each create one; after its own reload a node
// signs with the newest key it can see. A node that meets a token signed with a key it has not
// loaded yet reloads (at most every unknownKeyReload), and the JWKS reloads when older than
// jwksReload, so every node ends up accepting every stored key and signing with the same newest one.
type keyRing struct {
	store Store
	now   func() time.Time
	log   *slog.Logger

	reload   sync.Mutex // serialises reloads
	mu       sync.RWMutex
	keys     []*signingKey // newest first
	loadedAt time.Time
}

func newKeyRing(store Store, now func() time.Time, log *slog.Logger) *keyRing {
	return &keyRing{store: store, now: now, log: log}
}

// ensure loads the stored keys and, when none is usable, creates one and loads again.
func (k *keyRing) ensure(ctx context.Context) error {
	if err := k.load(ctx); err != nil {
		return err
	}
	if k.signer() != nil {
		return nil
	}
	key, err := generateSigningKey(k.now())
	if err != nil {
		return err
	}
	if err := k.store.CreateSigningKey(ctx, key); err != nil {
		return fmt.Errorf("token: store signing key: %w", err)
	}
	k.log.InfoContext(ctx, "token: created a signing key", "kid", key.ID)
	if err := k.load(ctx); err != nil {
		return err
	}
	if k.signer() == nil {
		return errors.New("token: the signing key just stored cannot be read back")
	}
	return nil
}

// load replaces the in-memory keys by the stored ones. Keys that cannot be used are logged and
// skipped, so that one bad row does not stop every node.
func (k *keyRing) load(ctx context.Context) error {
	k.reload.Lock()
	defer k.reload.Unlock()
	return k.loadLocked(ctx)
}

func (k *keyRing) loadLocked(ctx context.Context) error {
	now := k.now()
	k.mu.Lock()
	k.loadedAt = now
	k.mu.Unlock()
	stored, err := k.store.FindSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("token: load signing keys: %w", err)
	}
	keys := make([]*signingKey, 0, len(stored))
	for _, sk := range stored {
		key, err := parseSigningKey(sk)
		if err != nil {
			k.log.ErrorContext(ctx, "token: skipping unusable signing key", "kid", sk.ID, "error", err)
			continue
		}
		keys = append(keys, key)
	}
	slices.SortFunc(keys, func(a, b *signingKey) int {
		return cmp.Or(b.createdAt.Compare(a.createdAt), cmp.Compare(b.id, a.id))
	})
	keys = inService(keys, now)
	k.mu.Lock()
	k.keys = keys
	k.mu.Unlock()
	return nil
}

// inService drops from keys (newest first) those retired at now: a key whose successor was
// created more than RetireAfter ago neither verifies nor is published. The newest key always
// stays.
func inService(keys []*signingKey, now time.Time) []*signingKey {
	for i := 1; i < len(keys); i++ {
		if now.Sub(keys[i-1].createdAt) > RetireAfter {
			return keys[:i]
		}
	}
	return keys
}

// refresh reloads the keys when they are older than jwksReload. It is cheap while they are
// fresh (a read lock), so signing and verifying call it every time; a failed reload is logged
// and the keys in memory stay in use, since they are still valid.
func (k *keyRing) refresh(ctx context.Context) {
	k.mu.RLock()
	fresh := k.now().Sub(k.loadedAt) < jwksReload
	k.mu.RUnlock()
	if fresh {
		return
	}
	if err := k.reloadIfOlder(ctx, jwksReload); err != nil {
		k.log.ErrorContext(ctx, "token: reload signing keys", "error", err)
	}
}

// reloadIfOlder reloads when the last load (or attempt) is older than age. Concurrent callers
// wait for one reload instead of each running their own.
func (k *keyRing) reloadIfOlder(ctx context.Context, age time.Duration) error {
	k.reload.Lock()
	defer k.reload.Unlock()
	k.mu.RLock()
	fresh := k.now().Sub(k.loadedAt) < age
	k.mu.RUnlock()
	if fresh {
		return nil
	}
	return k.loadLocked(ctx)
}

// signer returns the newest key, or nil when there is none.
func (k *keyRing) signer() *signingKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if len(k.keys) == 0 {
		return nil
	}
	return k.keys[0]
}

// all returns the loaded keys, newest first.
func (k *keyRing) all() []*signingKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return slices.Clone(k.keys)
}

// lookup returns the key with the given kid, reloading once (rate-limited) when it is unknown.
func (k *keyRing) lookup(ctx context.Context, kid string) (*signingKey, error) {
	if key := k.find(kid); key != nil {
		return key, nil
	}
	if err := k.reloadIfOlder(ctx, unknownKeyReload); err != nil {
		return nil, err
	}
	return k.find(kid), nil
}

// holds reports whether key is one of the loaded keys (the very one, not a reload of it).
func (k *keyRing) holds(key *signingKey) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, loaded := range k.keys {
		if loaded == key {
			return true
		}
	}
	return false
}

func (k *keyRing) find(kid string) *signingKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, key := range k.keys {
		if key.id == kid {
			return key
		}
	}
	return nil
}

// jwks returns the public keys as a JSON Web Key Set, reloading first when they are stale. A
// failed reload is logged and the keys already loaded are served: they are still valid.
func (k *keyRing) jwks(ctx context.Context) jose.JSONWebKeySet {
	k.refresh(ctx)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, key := range k.all() {
		set.Keys = append(set.Keys, key.publicJWK())
	}
	return set
}

func (key *signingKey) publicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: &key.private.PublicKey, KeyID: key.id, Algorithm: Algorithm, Use: "sig"}
}

// parseSigningKey checks that a stored key is a PKCS#8 RSA key of at least rsaKeyBits for RS256.
func parseSigningKey(sk *keyward.SigningKey) (*signingKey, error) {
	if sk.Algorithm != Algorithm {
		return nil, fmt.Errorf("algorithm %q is not %s", sk.Algorithm, Algorithm)
	}
	block, _ := pem.Decode([]byte(sk.PrivateKeyPEM))
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM \"PRIVATE KEY\" (PKCS#8) block")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse PKCS#8: %w", err)
	}
	private, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key type %T is not RSA", parsed)
	}
	if private.N.BitLen() < rsaKeyBits {
		return nil, fmt.Errorf("RSA key has %d bits, fewer than %d", private.N.BitLen(), rsaKeyBits)
	}
	return &signingKey{id: sk.ID, private: private, createdAt: sk.CreatedAt.Time}, nil
}

// NewSigningKey creates a signing key in the stored form, for a rotation: stored, it signs on
// every node from their next reload on (within a minute), and the keys before it retire
// RetireAfter later.
func NewSigningKey(now time.Time) (*keyward.SigningKey, error) { return generateSigningKey(now) }

// generateSigningKey creates a new RSA key in the stored form.
func generateSigningKey(now time.Time) (*keyward.SigningKey, error) {
	private, err := rsa.GenerateKey(rand.Reader, rsaKeyBits)
	if err != nil {
		return nil, fmt.Errorf("token: generate RSA key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(private)
	if err != nil {
		return nil, fmt.Errorf("token: encode PKCS#8: %w", err)
	}
	return &keyward.SigningKey{
		ID:            keyward.NewID(now),
		Algorithm:     Algorithm,
		PrivateKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		CreatedAt:     keyward.NewTime(now),
	}, nil
}
