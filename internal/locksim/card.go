package locksim

import (
	"time"

	"github.com/keyward/keyward/internal/lockproto"
)

// Card is a simulated NFC card: its uid and the image it holds, which it keeps between
// presentations, as a card in a pocket does. The server registers it (the operator, through the
// Registry) and binds it (the Management API); locks write its image.
type Card struct {
	Name     string
	Capacity int // nofGrantsCapacity
	// KeepsImage makes the card refuse writes, as a copy of a lost card that emulates its uid
	// and old image does: it goes on presenting the grants it held when it was copied.
	KeepsImage bool

	UID         string // standard Base64, once registered
	BoundCardID string // the card in its owner account, once bound
	image       *lockproto.Envelope
}

// Image is the CardImage the card holds, nil while it is empty.
func (c *Card) Image() *lockproto.Envelope { return c.image }

// PresentCard is the card held to the lock at the world's instant world: the lock writes a newer
// image it has for the card first (lockproto.LockState.PresentCard; a card that keeps its image
// refuses the write, and the lock decides with what it holds), decides at its own clock and
// records the attempt with the card's boundCardId.
func (l *Lock) PresentCard(world time.Time, c *Card) (*Attempt, error) {
	if l.Battery.Dead() {
		return nil, ErrNoAnswer
	}
	now := l.Clock.Now(world)
	var d lockproto.Decision
	if c.KeepsImage {
		d = l.state.DecideCard(c.UID, c.image, now)
	} else {
		c.image, d = l.state.PresentCard(c.UID, c.image, now)
	}
	if d.Allowed {
		l.Battery.drain()
	}
	var boundCardID *string
	if img, err := lockproto.VerifyCardImage(c.image, l.state.KeySet); err == nil {
		boundCardID = &img.BoundCardID
	}
	return &Attempt{Decision: d, Entry: l.record(now, d, boundCardID)}, nil
}
