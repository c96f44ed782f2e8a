package locksim

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"time"
)

// Grant is a scenario's grant for a user or a card on a lock, with its times resolved.
type Grant struct {
	Name        string
	User        string // the grantee of a phone grant; "" for a card grant
	Card        *Card  // the card of a card grant
	Lock        *Lock
	ValidFrom   *time.Time
	ValidBefore *time.Time
	ICal        *string
	ID          string // the server's id, once created
}

// grantee names who the grant is for, in the timeline.
func (g *Grant) grantee() string {
	if g.Card != nil {
		return "card " + g.Card.Name
	}
	return "user " + g.User
}

// entropy is the random stream of one part of a world: the same seed and name give the same
// stream, and adding a part to a scenario does not change the others' streams.
func entropy(seed uint64, name string) *rand.ChaCha8 {
	b := binary.BigEndian.AppendUint64(nil, seed)
	return rand.NewChaCha8(sha256.Sum256(append(b, name...)))
}
