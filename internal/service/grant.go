package service

import (
	"context"
	"errors"

	"github.com/keyward/keyward/internal/ical"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// errDryRun rolls back a dry-run transaction after every check has passed.
var errDryRun = errors.New("service: dry run")

// target is what a grant opens: one bound lock, or a lock group with its member locks.
type target struct {
	lock  *keyward.BoundLock
	group *keyward.LockGroup
	locks []*keyward.BoundLock
}

func (t *target) typ() string {
	if t.group != nil {
		return "Group"
	}
	return "Lock"
}

// findTarget resolves boundLockId, which names a bound lock or a lock group of the account.
func (s *Service) findTarget(ctx context.Context, tx keyward.Tx, ownerID, id string) (*target, error) {
	locks, err := tx.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(locks) == 1 {
		return &target{lock: locks[0], locks: locks}, nil
	}
	groups, err := tx.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("no bound lock or lock group %q exists", id)
	}
	members, err := tx.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: ownerID, LockGroupID: &id})
	if err != nil {
		return nil, err
	}
	return &target{group: groups[0], locks: members}, nil
}

// CreateGrant validates a grant request completely, then stores the grant in one transaction;
// with DryRun it answers the would-be grant and stores nothing. The owner lock taken first makes
// the plan's smartphone-user limit and the card capacity hold under concurrent requests; the
// unique index makes the Duplicate rule hold across nodes. The answer embeds the entities the
// checks read in the same transaction (account, target, grantee), not a second read of them.
func (s *Service) CreateGrant(ctx context.Context, ownerID string, in keyward.GrantCreate) (*keyward.Grant, error) {
	if err := s.authorize(ctx, ownerID, useCase{"create a grant", keyward.ScopeWriteGrants, ""}); err != nil {
		return nil, err
	}
	cal, err := validateGrantRequest(in)
	if err != nil {
		return nil, err
	}
	var g *keyward.Grant
	err = s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if g, err = s.newGrant(ctx, tx, ownerID, in, cal); err != nil {
			return err
		}
		if err := tx.CreateGrant(ctx, g); err != nil {
			return err
		}
		if g.BoundCardID != nil {
			pending := keyward.CardWritePending // no lock has written the card since
			g.CardWriteState = &pending
		}
		if in.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return g, err
}

// validateGrantRequest checks what needs no database: one grantee, a valid period and iCal.
func validateGrantRequest(in keyward.GrantCreate) (*ical.Calendar, error) {
	if in.BoundLockID == "" {
		return nil, keyward.ErrGeneric.WithDetails("field %q is required", "boundLockId")
	}
	forms := 0
	for _, given := range []bool{in.ContactID != nil, in.Contact != nil, in.BoundCardID != nil} {
		if given {
			forms++
		}
	}
	if forms != 1 {
		return nil, keyward.ErrGeneric.WithDetails("give exactly one grantee: %q, %q or %q (got %d)", "contactId", "contact", "boundCardId", forms)
	}
	if in.ValidFrom != nil && in.ValidBefore != nil && !in.ValidFrom.Before(in.ValidBefore.Time) {
		return nil, keyward.ErrGeneric.WithDetails("validFrom %s must be before validBefore %s", in.ValidFrom, in.ValidBefore)
	}
	if in.TimeRestrictionIcal == nil || *in.TimeRestrictionIcal == "" {
		return nil, nil
	}
	return ical.Parse(*in.TimeRestrictionIcal, ical.DefaultLimits())
}

// newGrant runs the checks that need the account's data and builds the grant.
func (s *Service) newGrant(ctx context.Context, tx keyward.OwnerTx, ownerID string, in keyward.GrantCreate, cal *ical.Calendar) (*keyward.Grant, error) {
	tgt, err := s.findTarget(ctx, tx.Tx, ownerID, in.BoundLockID)
	if err != nil {
		return nil, err
	}
	owner := tx.Owner
	plan := s.planOf(owner)
	if err := checkTarget(plan, ownerID, tgt, cal); err != nil {
		return nil, err
	}
	now := s.timestamp()
	g := &keyward.Grant{ID: s.newID(), OwnerAccountID: ownerID, BoundLockID: in.BoundLockID, TargetType: tgt.typ(),
		ValidFrom: in.ValidFrom, ValidBefore: in.ValidBefore, State: keyward.GrantOk, Active: true, CreatedAt: now,
		Owner: owner, BoundLock: &keyward.GrantTarget{Lock: tgt.lock, Group: tgt.group}}
	if cal != nil {
		g.TimeRestrictionIcal = in.TimeRestrictionIcal
	}
	if err := s.resolveGrantee(ctx, tx, ownerID, in, g); err != nil {
		return nil, err
	}
	return g, s.checkLimits(ctx, tx.Tx, plan, ownerID, g)
}

// checkTarget refuses targets the grant cannot use: unbound locks, groups or time restrictions
// outside the plan, time restrictions a lock cannot evaluate.
func checkTarget(plan keyward.Plan, ownerID string, tgt *target, cal *ical.Calendar) error {
	if tgt.lock != nil && !tgt.lock.Active {
		return keyward.ErrGeneric.WithDetails("bound lock %q is unbound", tgt.lock.ID)
	}
	if tgt.group != nil && !tgt.group.Active {
		return keyward.ErrGeneric.WithDetails("lock group %q is deleted", tgt.group.ID)
	}
	if tgt.group != nil {
		if err := planIncludes(plan, ownerID, keyward.FeatureLockGroups); err != nil {
			return err
		}
	}
	if cal == nil {
		return nil
	}
	if err := planIncludes(plan, ownerID, keyward.FeatureTimeRestrictions); err != nil {
		return err
	}
	for _, l := range tgt.locks {
		if err := checkLockSupports(l, cal); err != nil {
			return err
		}
	}
	return nil
}

// checkLockSupports checks one lock against the features an iCal text uses.
func checkLockSupports(l *keyward.BoundLock, cal *ical.Calendar) error {
	switch {
	case !l.TimeRestrictionSupport:
		return keyward.ErrTimeRestrictionIcalNotSupportedByLock.WithDetails("bound lock %q (%s) does not support time restrictions", l.ID, l.LockTypeID)
	case l.ProtocolVersion < lockproto.ProtocolTimeRestrictions:
		return keyward.ErrProtocolVersionTooOld.WithDetails("bound lock %q speaks protocol version %d; time restrictions need version %d",
			l.ID, l.ProtocolVersion, lockproto.ProtocolTimeRestrictions)
	case cal.NeedsExtendedRecurrence() && l.ProtocolVersion < lockproto.ProtocolExtendedRecurrence:
		return keyward.ErrProtocolVersionTooOld.WithDetails("bound lock %q speaks protocol version %d; MONTHLY and YEARLY rules need version %d",
			l.ID, l.ProtocolVersion, lockproto.ProtocolExtendedRecurrence)
	}
	return nil
}

// resolveGrantee sets the grant's contact or card: an existing contact, an inline contact found
// or created by its identity, or an active bound card of the account.
func (s *Service) resolveGrantee(ctx context.Context, tx keyward.OwnerTx, ownerID string, in keyward.GrantCreate, g *keyward.Grant) error {
	switch {
	case in.ContactID != nil:
		c, err := s.findContact(ctx, tx.Tx, ownerID, *in.ContactID)
		if err != nil {
			return err
		}
		g.ContactID, g.Contact = &c.ID, c
	case in.Contact != nil:
		c, err := s.inlineContact(ctx, tx, ownerID, in.Contact)
		if err != nil {
			return err
		}
		g.ContactID, g.Contact = &c.ID, c
	default:
		card, err := s.findBoundCard(ctx, tx.Tx, ownerID, *in.BoundCardID)
		if err != nil {
			return err
		}
		if !card.IsActive {
			return keyward.ErrGeneric.WithDetails("bound card %q is unbound", card.ID)
		}
		g.BoundCardID, g.BoundCard = &card.ID, card
	}
	return nil
}

// inlineContact finds the contact with the request's identity or creates it.
func (s *Service) inlineContact(ctx context.Context, tx keyward.OwnerTx, ownerID string, in *keyward.GrantContact) (*keyward.Contact, error) {
	c, err := s.newContact(ownerID, keyward.ContactCreate{IPID: in.IPID, Identifier: in.Identifier, Email: in.Email, IPUserID: in.IPUserID})
	if err != nil {
		return nil, prefixDetails(err, "contact: ")
	}
	return tx.EnsureContact(ctx, c)
}

// prefixDetails returns a copy of a domain error with its details prefixed.
func prefixDetails(err error, prefix string) error {
	if e := keyward.ErrorOf(err); e != nil {
		return e.WithDetails("%s%s", prefix, e.Details)
	}
	return err
}

// checkLimits applies the Duplicate rule, the card's capacity and the plan's smartphone-user
// limit. For a contact the unique index alone decides Duplicate, with the same message, when
// the grant is stored: no check here could be refused by a duplicate first. For a card the
// count runs first, so that a duplicate on a full card is Duplicate, not CardCapacityExceeded.
func (s *Service) checkLimits(ctx context.Context, tx keyward.Tx, plan keyward.Plan, ownerID string, g *keyward.Grant) error {
	if g.BoundCardID == nil {
		return checkSmartphoneUsers(ctx, tx, plan, ownerID, *g.ContactID)
	}
	active := true
	dup, err := tx.CountGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, BoundLockID: &g.BoundLockID,
		BoundCardID: g.BoundCardID, Active: &active})
	if err != nil {
		return err
	}
	if dup > 0 {
		return keyward.ErrDuplicate.WithDetails("%s already has an active grant for %s %q", g.Grantee(), g.TargetType, g.BoundLockID)
	}
	return s.checkCardCapacity(ctx, tx, ownerID, *g.BoundCardID)
}

func (s *Service) checkCardCapacity(ctx context.Context, tx keyward.Tx, ownerID, cardID string) error {
	card, err := s.findBoundCard(ctx, tx, ownerID, cardID)
	if err != nil {
		return err
	}
	active := true
	n, err := tx.CountGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, BoundCardID: &cardID, Active: &active})
	if err != nil {
		return err
	}
	if n >= card.NofGrantsCapacity {
		return keyward.ErrCardCapacityExceeded.WithDetails("bound card %q holds %d active grants, its capacity", cardID, n)
	}
	return nil
}

// checkSmartphoneUsers refuses a grant that would make the contact one smartphone user more
// than the plan allows; a contact that already has an active grant is counted already.
func checkSmartphoneUsers(ctx context.Context, tx keyward.Tx, plan keyward.Plan, ownerID, contactID string) error {
	if plan.SmartphoneUserLimit == 0 {
		return nil
	}
	active := true
	has, err := tx.CountGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, ContactID: &contactID, Active: &active})
	if err != nil || has > 0 {
		return err
	}
	n, err := tx.CountSmartphoneUsers(ctx, ownerID)
	if err != nil {
		return err
	}
	if n >= plan.SmartphoneUserLimit {
		return keyward.ErrInsufficientSmartphoneUserContingent.WithDetails("the plan %q of owner account %q allows %d smartphone users and %d have active grants",
			plan.Name, ownerID, plan.SmartphoneUserLimit, n)
	}
	return nil
}
