package service

import (
	"context"
	"time"

	"github.com/keyward/keyward/internal/ical"
	"github.com/keyward/keyward/internal/keyward"
)

// Limits of the windows answer: a range of at most a year and at most this many windows.
const (
	maxWindowRange = 366 * 24 * time.Hour
	maxWindows     = 1000
)

// access is how a grant is evaluated: its validity period, its calendar (nil for none) and the
// zone local times are shown in.
type access struct {
	from, before *time.Time
	cal          *ical.Calendar
	loc          *time.Location
}

// accessOf compiles a grant. Its iCal text was accepted when the grant was created, so a parse
// error here means stored data went bad and is internal.
func (s *Service) accessOf(g *keyward.Grant, tgt *target) (*access, error) {
	a := &access{loc: time.UTC}
	if g.ValidFrom != nil {
		a.from = &g.ValidFrom.Time
	}
	if g.ValidBefore != nil {
		a.before = &g.ValidBefore.Time
	}
	if tgt.lock != nil {
		if loc, err := keyward.LoadLocation(tgt.lock.TimeZone); err == nil {
			a.loc = loc
		}
	}
	if g.TimeRestrictionIcal != nil {
		cal, err := ical.Parse(*g.TimeRestrictionIcal, ical.DefaultLimits())
		if err != nil {
			return nil, keyward.ErrInternal.WithCause(err)
		}
		a.cal, a.loc = cal, cal.Location()
	}
	return a, nil
}

// clip intersects [start, end) with the validity period; ok is false when nothing is left.
func (a *access) clip(start, end time.Time) (time.Time, time.Time, bool) {
	if a.from != nil && start.Before(*a.from) {
		start = *a.from
	}
	if a.before != nil && end.After(*a.before) {
		end = *a.before
	}
	return start, end, start.Before(end)
}

// windows lists the access windows in [from, to), clipped to it and to the validity period.
func (a *access) windows(from, to time.Time, max int) ([]keyward.Window, bool) {
	from, to, ok := a.clip(from, to)
	if !ok {
		return []keyward.Window{}, false
	}
	if a.cal == nil {
		return []keyward.Window{a.window(from, to)}, false
	}
	raw := a.cal.Windows(from, to, max+1)
	out := make([]keyward.Window, 0, len(raw))
	for _, w := range raw {
		if len(out) == max {
			return out, true
		}
		start, end := maxTime(w.Start, from), minTime(w.End, to)
		if start.Before(end) {
			out = append(out, a.window(start, end))
		}
	}
	return out, false
}

// next returns the first window that ends after t, or nil when access never comes again.
func (a *access) next(t time.Time) *keyward.Window {
	if a.from != nil && t.Before(*a.from) {
		t = *a.from
	}
	if a.before != nil && !t.Before(*a.before) {
		return nil
	}
	if a.cal == nil {
		end := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		if a.before != nil {
			end = *a.before
		}
		w := a.window(t, end)
		return &w
	}
	w, ok := a.cal.Next(t)
	if !ok {
		return nil
	}
	start, end, ok := a.clip(maxTime(w.Start, t), w.End)
	if !ok {
		return nil
	}
	win := a.window(start, end)
	return &win
}

func (a *access) window(start, end time.Time) keyward.Window {
	const local = "2006-01-02T15:04:05-07:00"
	return keyward.Window{Start: keyward.NewTime(start), End: keyward.NewTime(end),
		LocalStart: start.In(a.loc).Format(local), LocalEnd: end.In(a.loc).Format(local), TimeZone: a.loc.String()}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// GrantWindows lists a grant's access windows in [from, to) (default: the next seven days), in UTC
// and in the local time of the grant's schedule or lock.
func (s *Service) GrantWindows(ctx context.Context, ownerID, id string, from, to *keyward.Time) (*keyward.GrantWindows, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list a grant's access windows", keyward.ScopeReadGrants, ""}); err != nil {
		return nil, err
	}
	start := s.timestamp()
	if from != nil {
		start = *from
	}
	end := keyward.NewTime(start.Add(7 * 24 * time.Hour))
	if to != nil {
		end = *to
	}
	if !start.Before(end.Time) || end.Sub(start.Time) > maxWindowRange {
		return nil, keyward.Invalidf("from %s must be before to %s, at most 366 days apart", start, end)
	}
	g, err := s.findGrant(ctx, s.data, ownerID, id)
	if err != nil {
		return nil, err
	}
	tgt, err := s.findTarget(ctx, s.data, ownerID, g.BoundLockID)
	if err != nil {
		return nil, err
	}
	a, err := s.accessOf(g, tgt)
	if err != nil {
		return nil, err
	}
	res := &keyward.GrantWindows{GrantID: g.ID, From: start, To: end, TimeZone: a.loc.String(), Windows: []keyward.Window{}}
	if g.Active {
		res.Windows, res.Truncated = a.windows(start.Time, end.Time, maxWindows)
	}
	return res, nil
}

// AccessCheck decides whether a contact or card may open a bound lock at an instant, and says
// for every grant considered (on the lock or on a group the lock belongs to) why it allows or not.
func (s *Service) AccessCheck(ctx context.Context, ownerID, lockID string, contactID, cardID *string, at *keyward.Time) (*keyward.AccessDecision, error) {
	if err := s.authorize(ctx, ownerID, useCase{"check access to a lock", keyward.ScopeReadGrants, ""}); err != nil {
		return nil, err
	}
	if (contactID == nil) == (cardID == nil) {
		return nil, keyward.Invalidf("give exactly one of the query parameters %q and %q", "contactId", "boundCardId")
	}
	ds, err := s.accessChecks(ctx, ownerID, lockID, []keyward.Grantee{{ContactID: contactID, BoundCardID: cardID}}, at, true)
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// AccessChecks decides AccessCheck for each grantee, reading the lock, its groups and the
// grantees' grants once: a page of 50 grantees is a few statements, not 50 checks. A grantee
// that does not exist has no grants, so no access.
func (s *Service) AccessChecks(ctx context.Context, ownerID, lockID string, grantees []keyward.Grantee, at *keyward.Time) ([]*keyward.AccessDecision, error) {
	if err := s.authorize(ctx, ownerID, useCase{"check access to a lock", keyward.ScopeReadGrants, ""}); err != nil {
		return nil, err
	}
	for i, g := range grantees {
		if (g.ContactID == nil) == (g.BoundCardID == nil) {
			return nil, keyward.Invalidf("grantee %d: give exactly one of a contact and a card", i)
		}
	}
	return s.accessChecks(ctx, ownerID, lockID, grantees, at, false)
}

// accessChecks decides for each grantee at at (now when nil); with mustExist, a grantee that
// does not exist is ErrNotFound, as AccessCheck answers.
func (s *Service) accessChecks(ctx context.Context, ownerID, lockID string, grantees []keyward.Grantee, at *keyward.Time, mustExist bool) ([]*keyward.AccessDecision, error) {
	when := s.timestamp()
	if at != nil {
		when = *at
	}
	lock, err := s.findBoundLock(ctx, s.data, ownerID, lockID)
	if err != nil {
		return nil, err
	}
	if mustExist {
		if err := s.granteesExist(ctx, ownerID, grantees); err != nil {
			return nil, err
		}
	}
	grants, err := s.grantsOnLock(ctx, ownerID, lock, grantees)
	if err != nil {
		return nil, err
	}
	decisions := make([]*keyward.AccessDecision, len(grantees))
	for i, ge := range grantees {
		d := &keyward.AccessDecision{BoundLockID: lockID, ContactID: ge.ContactID, BoundCardID: ge.BoundCardID, At: when, Grants: []keyward.GrantDecision{}}
		for _, g := range grants {
			if !grantIsFor(g, ge) {
				continue
			}
			gd, err := s.decide(g, lock, when.Time)
			if err != nil {
				return nil, err
			}
			d.Allowed = d.Allowed || gd.Reason == keyward.ReasonAllowed
			d.LockMayStillAllow = d.LockMayStillAllow || gd.LockMayStillAllow
			d.Grants = append(d.Grants, *gd)
		}
		decisions[i] = d
	}
	return decisions, nil
}

// grantIsFor reports whether g is the grantee's grant.
func grantIsFor(g *keyward.Grant, ge keyward.Grantee) bool {
	if ge.ContactID != nil {
		return g.ContactID != nil && *g.ContactID == *ge.ContactID
	}
	return g.BoundCardID != nil && *g.BoundCardID == *ge.BoundCardID
}

// granteesExist is ErrNotFound for the first grantee that is not a contact or card of the account.
func (s *Service) granteesExist(ctx context.Context, ownerID string, grantees []keyward.Grantee) error {
	for _, ge := range grantees {
		var err error
		if ge.ContactID != nil {
			_, err = s.findContact(ctx, s.data, ownerID, *ge.ContactID)
		} else {
			_, err = s.findBoundCard(ctx, s.data, ownerID, *ge.BoundCardID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// grantsOnLock returns the grantees' grants on the lock itself and on the groups it is in: one
// read for the contacts and one for the cards.
func (s *Service) grantsOnLock(ctx context.Context, ownerID string, lock *keyward.BoundLock, grantees []keyward.Grantee) ([]*keyward.Grant, error) {
	groups, err := s.data.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: ownerID, MemberLockID: &lock.ID})
	if err != nil {
		return nil, err
	}
	targets := []string{lock.ID}
	for _, g := range groups {
		targets = append(targets, g.ID)
	}
	var contacts, cards []string
	for _, ge := range grantees {
		if ge.ContactID != nil {
			contacts = append(contacts, *ge.ContactID)
		} else {
			cards = append(cards, *ge.BoundCardID)
		}
	}
	var grants []*keyward.Grant
	for _, f := range []keyward.GrantFilter{{ContactIDs: contacts}, {CardIDs: cards}} {
		if f.ContactIDs == nil && f.CardIDs == nil {
			continue
		}
		f.OwnerID, f.TargetIDs = ownerID, targets
		list, err := s.data.FindGrants(ctx, f)
		if err != nil {
			return nil, err
		}
		grants = append(grants, list...)
	}
	return grants, nil
}

// decide explains one grant's verdict at t.
func (s *Service) decide(g *keyward.Grant, lock *keyward.BoundLock, t time.Time) (*keyward.GrantDecision, error) {
	d := &keyward.GrantDecision{GrantID: g.ID, State: g.State}
	if g.BoundLockID != lock.ID {
		d.ViaGroupID = &g.BoundLockID
	}
	a, err := s.accessOf(g, &target{lock: lock, locks: []*keyward.BoundLock{lock}})
	if err != nil {
		return nil, err
	}
	d.Reason, d.Detail, d.NextWindow = a.verdict(t)
	switch {
	case g.State == keyward.GrantRevocationPending:
		pendingVerdict(d, g, lock)
	case !g.Active:
		d.Reason, d.Detail, d.NextWindow = keyward.ReasonRevoked, "the grant was revoked", nil
	}
	return d, nil
}

// verdict is what the grant's validity period and time restriction say about t, revocation
// aside; a lock that holds the grant's key applies the same rules to it.
func (a *access) verdict(t time.Time) (reason, detail string, next *keyward.Window) {
	switch {
	case a.from != nil && t.Before(*a.from):
		return keyward.ReasonNotYetValid, "the grant is valid from " + keyward.NewTime(*a.from).String(), a.next(t)
	case a.before != nil && !t.Before(*a.before):
		return keyward.ReasonExpired, "the grant was valid before " + keyward.NewTime(*a.before).String(), nil
	case a.cal != nil && !a.cal.Allows(t):
		return keyward.ReasonOutsideRestriction, "the instant is outside the grant's time restriction", a.next(t)
	}
	return keyward.ReasonAllowed, "the grant allows access", nil
}

// pendingVerdict explains a revocation that is not confirmed yet. Keyward no longer allows the
// grant, but a lock that has not synced since the revocation still holds the key and applies the
// key's own period and schedule to it; of a group grant, this member may have confirmed already.
func pendingVerdict(d *keyward.GrantDecision, g *keyward.Grant, lock *keyward.BoundLock) {
	keyOpens, why := d.Reason == keyward.ReasonAllowed, d.Detail
	d.Reason, d.NextWindow = keyward.ReasonRevocationPending, nil
	switch {
	case lock.SyncSeq > g.RevokedSeq:
		d.Detail = "the grant was revoked; this lock confirmed it at its last sync, other members of the group have not yet"
	case keyOpens:
		d.LockMayStillAllow = true
		d.Detail = "the grant was revoked; until its next sync the lock may still accept the key"
	default:
		d.Detail = "the grant was revoked; until its next sync the lock holds the key, which does not open it at this instant: " + why
	}
}
