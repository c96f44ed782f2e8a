package locksim

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"time"

	"github.com/keyward/keyward/internal/lockproto"
)

// Backend is the server side of a simulation: a running Keyward server over its public wire
// (Remote), or the in-process Offline authority.
type Backend interface {
	// AddLock registers and binds the lock and calls its Bind.
	AddLock(ctx context.Context, l *Lock) error
	// AddPhone gives the phone its mobile API and registers it there.
	AddPhone(ctx context.Context, p *Phone) error
	// AddGrant creates the grant and sets its ID.
	AddGrant(ctx context.Context, g *Grant) error
	// Revoke revokes the grant.
	Revoke(ctx context.Context, g *Grant) error
	// GrantState is the grant's state as the server reports it (keyward.Grant…).
	GrantState(ctx context.Context, g *Grant) (string, error)
	// SyncLock relays a lock's signed sync request and returns the server's signed answer.
	SyncLock(ctx context.Context, req *lockproto.Envelope) (*lockproto.Envelope, error)
}

// Grant is a scenario's grant for a user on a lock, with its times resolved.
type Grant struct {
	Name        string
	User        string
	Lock        *Lock
	ValidFrom   *time.Time
	ValidBefore *time.Time
	ICal        *string
	ID          string // the server's id, once created
}

// entropy is the random stream of one part of a world: the same seed and name give the same
// stream, and adding a part to a scenario does not change the others' streams.
func entropy(seed uint64, name string) *rand.ChaCha8 {
	b := binary.BigEndian.AppendUint64(nil, seed)
	return rand.NewChaCha8(sha256.Sum256(append(b, name...)))
}
