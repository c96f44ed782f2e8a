package service

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// kskRetention is how long a key-signing key stays in the key sets the server delivers after
// its successor appeared: twice the longest key validity, so that every key it signed has ended
// and every lock that syncs at least that often has learned the successor. A lock that has not
// synced for longer gets its next set by its binding code (the anchor, docs/lock-protocol.md).
const kskRetention = 2 * lockproto.MaxKeyValidity

// kskPrefix names key-signing keys ksk-1, ksk-2, ...: ordered names let nodes that create the
// next key at once create it once.
const kskPrefix = "ksk-"

// lockKeys are the server's key-signing keys in use, oldest first, never empty.
type lockKeys []lockproto.Signer

// keySet is what a lock shall trust: the public halves of the keys in use.
func (k lockKeys) keySet() lockproto.KeySet {
	ks := lockproto.KeySet{Keys: make([]lockproto.VerifyKey, len(k))}
	for i, s := range k {
		ks.Keys[i] = lockproto.VerifyKey{KID: s.KID, PublicKey: s.Key.Public().(ed25519.PublicKey)}
	}
	return ks
}

// signerFor is the newest key every one of the key sets holds (each a lock's reported kids),
// so that a lock that has not synced since a rotation can verify what it is sent. ok is false
// when no key in use is in all of them: a lock then needs the anchor of its binding code.
func (k lockKeys) signerFor(kidSets ...[]string) (s lockproto.Signer, ok bool) {
	for i := len(k) - 1; i >= 0; i-- {
		if allHold(kidSets, k[i].KID) {
			return k[i], true
		}
	}
	return k[len(k)-1], false
}

func allHold(kidSets [][]string, kid string) bool {
	for _, kids := range kidSets {
		if !slices.Contains(kids, kid) {
			return false
		}
	}
	return true
}

// lockKeys loads the key-signing keys in use, creating the first on first use.
func (s *Service) lockKeys(ctx context.Context) (lockKeys, error) {
	stored, err := s.data.FindKeySigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		if stored, err = s.addKeySigningKey(ctx, stored); err != nil {
			return nil, err
		}
	}
	return inUse(stored, s.now())
}

// inUse keeps the newest key and every older one whose successor is younger than kskRetention.
func inUse(stored []*keyward.KeySigningKey, now time.Time) (lockKeys, error) {
	var keys lockKeys
	for i, k := range stored {
		if len(k.Seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("service: key-signing key %s has a seed of %d bytes", k.ID, len(k.Seed))
		}
		if i+1 < len(stored) && now.Sub(stored[i+1].CreatedAt.Time) > kskRetention {
			continue
		}
		keys = append(keys, lockproto.Signer{KID: k.ID, Key: ed25519.NewKeyFromSeed(k.Seed)})
	}
	return keys, nil
}

// addKeySigningKey creates the key after the newest of stored and returns the stored keys
// again; when another node created it at the same moment, its key is the one kept.
func (s *Service) addKeySigningKey(ctx context.Context, stored []*keyward.KeySigningKey) ([]*keyward.KeySigningKey, error) {
	next := 1
	if len(stored) > 0 {
		n, err := strconv.Atoi(strings.TrimPrefix(stored[len(stored)-1].ID, kskPrefix))
		if err != nil {
			return nil, fmt.Errorf("service: key-signing key id %q: %w", stored[len(stored)-1].ID, err)
		}
		next = n + 1
	}
	seed := make([]byte, ed25519.SeedSize)
	rand.Read(seed) // crypto/rand.Read never returns an error; it crashes the program instead
	k := &keyward.KeySigningKey{ID: kskPrefix + strconv.Itoa(next), Seed: seed, CreatedAt: s.timestamp()}
	if _, err := s.data.CreateKeySigningKey(ctx, k); err != nil {
		return nil, err
	}
	return s.data.FindKeySigningKeys(ctx)
}

// RotateKeySigningKey adds a new key-signing key, which signs from now on (operator). Locks learn
// it at their next sync; the previous key stays in the delivered sets for kskRetention.
func (s *Service) RotateKeySigningKey(ctx context.Context) (string, error) {
	if err := requireOperator(ctx, "rotate the key-signing key"); err != nil {
		return "", err
	}
	stored, err := s.data.FindKeySigningKeys(ctx)
	if err != nil {
		return "", err
	}
	if stored, err = s.addKeySigningKey(ctx, stored); err != nil {
		return "", err
	}
	return stored[len(stored)-1].ID, nil
}
