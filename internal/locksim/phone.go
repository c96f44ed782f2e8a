package locksim

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// PhoneAPI is the part of the mobile API a phone uses: *client.Client with a user's token.
type PhoneAPI interface {
	RegisterMobile(ctx context.Context, m keyward.MobileCreate) (*keyward.Mobile, error)
	FetchKeys(ctx context.Context, mobileID, etag string) (keys *keyward.MobileKeys, newETag string, notModified bool, err error)
}

// ErrNoKey is a phone that holds no key for the lock it is asked to open.
var ErrNoKey = errors.New("locksim: the phone holds no key for the lock")

// Phone is a simulated phone: an Ed25519 key pair, the keys it fetched, and the mobile API it
// fetches them from.
type Phone struct {
	Name, User string
	// KeepKeys makes the phone keep keys the server no longer lists, as a tampered or buggy
	// phone would: it goes on presenting a revoked grant's key.
	KeepKeys bool

	key      ed25519.PrivateKey
	api      PhoneAPI
	mobileID string
	etag     string
	keys     []keyward.IssuedKey
}

// NewPhone makes a phone whose key pair comes from entropy.
func NewPhone(name, user string, entropy *rand.ChaCha8) *Phone {
	seed := make([]byte, ed25519.SeedSize)
	entropy.Read(seed) // ChaCha8.Read never fails
	return &Phone{Name: name, User: user, key: ed25519.NewKeyFromSeed(seed)}
}

// PublicKey is the phone's public key, which it registers and every key it gets binds.
func (p *Phone) PublicKey() ed25519.PublicKey { return p.key.Public().(ed25519.PublicKey) }

// Register registers the phone with the mobile API it fetches its keys from from now on.
func (p *Phone) Register(ctx context.Context, api PhoneAPI) error {
	m, err := api.RegisterMobile(ctx, keyward.MobileCreate{PublicKey: p.PublicKey(), Name: p.Name, Platform: "Other"})
	if err != nil {
		return fmt.Errorf("locksim: register phone %s: %w", p.Name, err)
	}
	p.api, p.mobileID = api, m.ID
	return nil
}

// Fetch polls the phone's keys with the ETag of the last answer; notModified reports a 304.
func (p *Phone) Fetch(ctx context.Context) (notModified bool, err error) {
	keys, etag, notModified, err := p.api.FetchKeys(ctx, p.mobileID, p.etag)
	if err != nil || notModified {
		return notModified, err
	}
	fresh := keys.Keys
	if p.KeepKeys {
		for _, old := range p.keys {
			if !slices.ContainsFunc(fresh, func(k keyward.IssuedKey) bool { return k.GrantID == old.GrantID }) {
				fresh = append(fresh, old)
			}
		}
	}
	p.keys, p.etag = fresh, etag
	return false, nil
}

// Keys returns the keys the phone holds.
func (p *Phone) Keys() []keyward.IssuedKey { return slices.Clone(p.keys) }

// keyFor returns the first key the phone holds for the lock.
func (p *Phone) keyFor(lockID string) (*keyward.IssuedKey, *lockproto.Envelope, error) {
	for i, k := range p.keys {
		if slices.Contains(k.PhysicalLockIDs, lockID) {
			var env lockproto.Envelope
			if err := json.Unmarshal(k.Key, &env); err != nil {
				return nil, nil, fmt.Errorf("locksim: phone %s: key of grant %s: %w", p.Name, k.GrantID, err)
			}
			return &p.keys[i], &env, nil
		}
	}
	return nil, nil, ErrNoKey
}

// Open presents the phone's key for the lock at the world's instant world: it asks for the
// lock's challenge and answers with the key and its holder proof. The error is ErrNoKey or
// ErrNoAnswer when nothing reached the lock's decision.
func (p *Phone) Open(world time.Time, l *Lock) (*Attempt, error) {
	_, env, err := p.keyFor(l.ID())
	if err != nil {
		return nil, err
	}
	challenge, err := l.Challenge()
	if err != nil {
		return nil, err
	}
	return l.Present(world, env, lockproto.ProveHolder(p.key, l.ID(), challenge))
}
