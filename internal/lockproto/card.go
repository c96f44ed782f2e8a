package lockproto

import (
	"fmt"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// TypeCardImage is the type of a card's image (docs/lock-protocol.md, "Cards").
const TypeCardImage = "CardImage"

// ReasonWrongCard is a card whose image was made for another card: copied, not issued.
const ReasonWrongCard = "WrongCard"

// CardKey is one grant on a card: which locks it opens and when. Cards are not renewed as phones
// renew their keys, so a card key has no validity of its own: it lasts as long as its grant, and
// a revocation reaches it through the revocation lists of its locks (cardGrantIds).
type CardKey struct {
	GrantID             string        `json:"grantId"`
	LockGroupID         *string       `json:"lockGroupId"`
	LockIDs             []string      `json:"lockIds"`
	ValidFrom           *keyward.Time `json:"validFrom"`
	ValidBefore         *keyward.Time `json:"validBefore"`
	TimeRestrictionIcal *string       `json:"timeRestrictionIcal"`
}

// CardImage is what a card holds: all of its grants, signed together for its uid. Version grows
// with every change of the card's grants, so a lock writes an image only over an older one.
type CardImage struct {
	BoundCardID string       `json:"boundCardId"`
	CardUID     string       `json:"cardUid"` // the card's uid, standard Base64
	Version     int64        `json:"version"`
	IssuedAt    keyward.Time `json:"issuedAt"`
	Keys        []CardKey    `json:"keys"`
}

// CardWrite is a lock's report, in its next sync request, that it wrote a card.
type CardWrite struct {
	BoundCardID string       `json:"boundCardId"`
	Version     int64        `json:"version"`
	WrittenAt   keyward.Time `json:"writtenAt"`
}

// SignCardImage signs a card's image with a key-signing key.
func SignCardImage(s Signer, img *CardImage) (*Envelope, error) { return seal(TypeCardImage, s, img) }

// VerifyCardImage checks an image's signature with the key set a lock holds.
func VerifyCardImage(env *Envelope, ks KeySet) (*CardImage, error) {
	var img CardImage
	if err := openWithSet(env, TypeCardImage, ks, &img); err != nil {
		return nil, err
	}
	return &img, nil
}

// key is the card key as a lock evaluates keys: without a validity of its own.
func (k CardKey) key() *MobileKey {
	return &MobileKey{GrantID: k.GrantID, LockGroupID: k.LockGroupID, LockIDs: k.LockIDs, ValidFrom: k.ValidFrom,
		ValidBefore: k.ValidBefore, TimeRestrictionIcal: k.TimeRestrictionIcal}
}

// PresentCard is what a lock does when the card uid is held to it, holding image (nil for an
// empty card): if the lock's last sync brought a newer image for the card, it writes that image
// first and notes the write for its next sync request; then it decides with what the card holds.
// It returns the image the card holds afterwards.
func (s *LockState) PresentCard(uid string, image *Envelope, now time.Time) (*Envelope, Decision) {
	if pending, ok := s.PendingCards[uid]; ok && newerImage(pending, image, s.KeySet) {
		image = pending
		delete(s.PendingCards, uid)
		if img, err := VerifyCardImage(image, s.KeySet); err == nil {
			s.WrittenCards = append(s.WrittenCards, CardWrite{BoundCardID: img.BoundCardID, Version: img.Version, WrittenAt: keyward.NewTime(now)})
		}
	}
	return image, s.DecideCard(uid, image, now)
}

// newerImage reports whether pending is a newer image than the card holds (an empty card or one
// that does not verify holds none).
func newerImage(pending, held *Envelope, ks KeySet) bool {
	p, err := VerifyCardImage(pending, ks)
	if err != nil {
		return false
	}
	h, err := VerifyCardImage(held, ks)
	return err != nil || p.Version > h.Version
}

// DecideCard is the offline decision on a card: the image's signature and uid, then each key
// that names this lock with the checks of Decide, the card grants of the revocation list in place
// of its grants. The card opens when one of its keys allows; otherwise the first key's reason is
// the answer.
func (s *LockState) DecideCard(uid string, image *Envelope, now time.Time) Decision {
	d := s.decision(now)
	if image == nil {
		return d.deny(ReasonWrongLock, "the card holds no grants")
	}
	img, err := VerifyCardImage(image, s.KeySet)
	if err != nil {
		return d.deny(ReasonBadSignature, err.Error())
	}
	if img.CardUID != uid {
		return d.deny(ReasonWrongCard, fmt.Sprintf("the image was made for card %q", img.CardUID))
	}
	var first *Decision
	for _, k := range img.Keys {
		r := s.decideKey(d, k.key(), s.Revocations.Revokes(k.GrantID), now)
		if r.Allowed {
			return r
		}
		if r.Reason != ReasonWrongLock && first == nil {
			first = &r
		}
	}
	if first != nil {
		return *first
	}
	return d.deny(ReasonWrongLock, "no grant on the card names this lock")
}
