package lockproto

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/keyward/keyward/internal/ical"
	"github.com/keyward/keyward/internal/keyward"
)

// Reasons of a lock's decision: those of the AccessCheck and the ones only a lock meets.
const (
	ReasonAllowed            = keyward.ReasonAllowed
	ReasonNotYetValid        = keyward.ReasonNotYetValid
	ReasonExpired            = keyward.ReasonExpired
	ReasonOutsideRestriction = keyward.ReasonOutsideRestriction
	ReasonRevoked            = keyward.ReasonRevoked
	ReasonBadSignature       = "BadSignature"           // not signed by a key of the lock's key set
	ReasonWrongLock          = "WrongLock"              // the key is for other locks
	ReasonUnsupported        = "ProtocolVersionTooOld"  // the key needs a newer protocol version
	ReasonBadRestriction     = "InvalidTimeRestriction" // the key's iCal text does not parse
	ReasonNotKeyHolder       = "NotKeyHolder"           // the holder proof does not verify with the key's phone key
)

// LockState is what a lock holds and decides with, all of it offline: its id, its zone, the key
// set and revocation list of its last sync, and the protocol version it speaks.
type LockState struct {
	LockID          string
	Location        *time.Location // the lock's time zone; nil is UTC
	ProtocolVersion int
	KeySet          KeySet
	Revocations     RevocationList
	// BindingCode is the code printed on the lock. It anchors a key set the lock cannot verify
	// with the one it holds: its first, or one after all it held were retired.
	BindingCode string
	// PendingCards are the card images the last syncs brought, by card uid, which the lock
	// writes when the card is next held to it; WrittenCards the writes it has not reported yet.
	PendingCards map[string]*Envelope
	WrittenCards []CardWrite
}

// SyncRequest is the lock's next request with counter (one above the last, stored before it is
// sent): what it holds (revocation-list serial, key set, protocol version), the given log entries
// and health readings, and the card writes not reported yet.
func (s *LockState) SyncRequest(counter uint64, now time.Time, entries []LogEntry, health []HealthReport) *SyncRequest {
	return &SyncRequest{LockID: s.LockID, Counter: counter, Challenge: NewChallenge(), LockTime: keyward.NewTime(now),
		ProtocolVersion: s.ProtocolVersion, RclSerialNo: s.Revocations.SerialNo, KIDs: s.KeySet.KIDs(),
		LogEntries: entries, Health: health, CardWrites: slices.Clone(s.WrittenCards)}
}

// Decision is a lock's verdict on a key at an instant of its clock.
type Decision struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
	Detail  string `json:"detail"`
	// Key is the verified key, nil when the signature failed.
	Key *MobileKey `json:"-"`
	// LocalTime is the instant in the lock's zone, as a person at the lock reads it.
	LocalTime string `json:"localTime"`
	// NeedsSync says the key was issued against a newer revocation list than the lock holds.
	NeedsSync bool `json:"needsSync"`
}

// Decide is the offline decision of a lock on a presented key at now, its own clock. The checks
// run in the order of docs/lock-protocol.md and the first that fails gives the reason: signature
// with the held key set, lock id, revocation list, protocol version, the key's validity, the
// grant's validity period, then the grant's time restriction with internal/ical in the
// restriction's zone. Proof that the phone holds the key is DecidePresented's part.
func Decide(env *Envelope, s *LockState, now time.Time) Decision {
	d := s.decision(now)
	k, err := VerifyMobileKey(env, s.KeySet)
	if err != nil {
		return d.deny(ReasonBadSignature, err.Error())
	}
	if k.NotBefore.IsZero() || k.NotAfter.IsZero() {
		return d.deny(ReasonExpired, "the key has no validity period of its own")
	}
	return s.decideKey(d, k, s.Revocations.Revokes(k.GrantID), now)
}

// DecidePresented is the whole offline decision on a key a phone presents with its holder proof
// for the lock's challenge: Decide, then VerifyHolder on the verified key, so that a key copied
// to another phone opens nothing (ReasonNotKeyHolder). The proof is checked last: a key that
// fails an earlier check is refused for that reason whoever presents it.
func DecidePresented(env *Envelope, s *LockState, now time.Time, challenge, proof []byte) Decision {
	d := Decide(env, s, now)
	if d.Allowed && !VerifyHolder(d.Key, s.LockID, challenge, proof) {
		d.Allowed = false
		return d.deny(ReasonNotKeyHolder, "the holder proof does not verify with the key's phone key")
	}
	return d
}

// decideKey runs the checks after the signature (lock id, revocation, protocol version, the
// key's validity, the grant's period, the time restriction) on a verified key.
func (s *LockState) decideKey(d Decision, k *MobileKey, revoked bool, now time.Time) Decision {
	d.Key, d.NeedsSync = k, k.RclSerialNo > s.Revocations.SerialNo
	if !slices.Contains(k.LockIDs, s.LockID) {
		return d.deny(ReasonWrongLock, "the key does not name this lock")
	}
	if revoked {
		return d.deny(ReasonRevoked, fmt.Sprintf("revocation list %d revokes the grant", s.Revocations.SerialNo))
	}
	cal, err := s.restriction(k)
	if err != nil {
		reason := ReasonUnsupported
		if errors.Is(err, errBadRestriction) {
			reason = ReasonBadRestriction
		}
		return d.deny(reason, err.Error())
	}
	if reason, detail := verdict(k, cal, now); reason != ReasonAllowed {
		return d.deny(reason, detail)
	}
	d.Allowed, d.Reason, d.Detail = true, ReasonAllowed, "the key allows access"
	return d
}

// decision is an undecided Decision at now, with the local time at the lock.
func (s *LockState) decision(now time.Time) Decision {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	return Decision{LocalTime: now.In(loc).Format(time.RFC3339)}
}

func (d Decision) deny(reason, detail string) Decision {
	d.Reason, d.Detail = reason, detail
	return d
}

// errRestriction is a time restriction the lock's protocol version cannot evaluate;
// errBadRestriction one that does not parse, which only a faulty server signs.
var (
	errRestriction    = errors.New("lockproto: the lock cannot evaluate the key's time restriction")
	errBadRestriction = errors.New("lockproto: the key's time restriction is not valid iCalendar")
)

// restriction parses the key's time restriction (nil for none) and checks that the lock's
// protocol version evaluates it.
func (s *LockState) restriction(k *MobileKey) (*ical.Calendar, error) {
	if k.TimeRestrictionIcal == nil {
		return nil, nil
	}
	cal, err := ical.Parse(*k.TimeRestrictionIcal, ical.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRestriction, err)
	}
	if s.ProtocolVersion < ProtocolTimeRestrictions || (cal.NeedsExtendedRecurrence() && s.ProtocolVersion < ProtocolExtendedRecurrence) {
		return nil, fmt.Errorf("%w at protocol version %d", errRestriction, s.ProtocolVersion)
	}
	return cal, nil
}

// verdict applies the key's validity, the grant's period and its calendar to t, in this order.
func verdict(k *MobileKey, cal *ical.Calendar, t time.Time) (reason, detail string) {
	switch {
	case !k.NotBefore.IsZero() && t.Before(k.NotBefore.Time):
		return ReasonNotYetValid, "the key is valid from " + k.NotBefore.String()
	case !k.NotAfter.IsZero() && !t.Before(k.NotAfter.Time):
		return ReasonExpired, "the key was valid before " + k.NotAfter.String() + "; the phone renews it"
	case k.ValidFrom != nil && t.Before(k.ValidFrom.Time):
		return ReasonNotYetValid, "the grant is valid from " + k.ValidFrom.String()
	case k.ValidBefore != nil && !t.Before(k.ValidBefore.Time):
		return ReasonExpired, "the grant was valid before " + k.ValidBefore.String()
	case cal != nil && !cal.Allows(t):
		return ReasonOutsideRestriction, "the instant is outside the grant's time restriction"
	}
	return ReasonAllowed, ""
}

// ApplySync is how a lock takes a download: it verifies it with the key set it holds, checks that
// it answers the pending request (CheckResponse) and that its revocation list is this lock's and
// not older than the one held, and only then installs the new key set, list and zone.
func (s *LockState) ApplySync(pending *SyncRequest, env *Envelope) (*SyncResponse, error) {
	ks := s.KeySet
	if env != nil && len(env.Anchor) > 0 && s.BindingCode != "" && !ks.Holds(env.KID) {
		var err error
		if ks, err = verifyAnchor(env, s.BindingCode); err != nil {
			return nil, err
		}
	}
	r, err := VerifySyncResponse(env, ks)
	if err != nil {
		return nil, err
	}
	if err := CheckResponse(pending, r); err != nil {
		return nil, err
	}
	if err := s.checkList(&r.Revocations); err != nil {
		return nil, err
	}
	if len(r.KeySet.Keys) == 0 {
		return nil, errors.New("lockproto: a sync response without key-signing keys")
	}
	loc, err := keyward.LoadLocation(r.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("lockproto: sync response zone: %w", err)
	}
	s.KeySet, s.Revocations, s.Location = r.KeySet, r.Revocations, loc
	s.WrittenCards = slices.DeleteFunc(s.WrittenCards, func(w CardWrite) bool { return slices.Contains(pending.CardWrites, w) })
	s.takeCardWrites(r.CardWrites)
	return r, nil
}

// ApplyRevocationList installs a newer list a phone carried between syncs.
func (s *LockState) ApplyRevocationList(env *Envelope) error {
	l, err := VerifyRevocationList(env, s.KeySet)
	if err != nil {
		return err
	}
	if err := s.checkList(l); err != nil {
		return err
	}
	s.Revocations = *l
	return nil
}

// checkList refuses a list of another lock and one older than the list held.
func (s *LockState) checkList(l *RevocationList) error {
	if l.LockID != s.LockID || l.SerialNo < s.Revocations.SerialNo {
		return fmt.Errorf("%w: revocation list %d of lock %q, holding %d", ErrReplay, l.SerialNo, l.LockID, s.Revocations.SerialNo)
	}
	return nil
}

// takeCardWrites keeps the newest verified image of each card a sync brought.
func (s *LockState) takeCardWrites(images []*Envelope) {
	for _, env := range images {
		img, err := VerifyCardImage(env, s.KeySet)
		if err != nil {
			continue // an image the lock cannot verify is one it would refuse on the card too
		}
		if s.PendingCards == nil {
			s.PendingCards = map[string]*Envelope{}
		}
		if newerImage(env, s.PendingCards[img.CardUID], s.KeySet) {
			s.PendingCards[img.CardUID] = env
		}
	}
}
