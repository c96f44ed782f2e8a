package storetest

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// raceRound is the fresh state one race runs on: lock L is a member of group G and holds the key
// of grant GL of contact C; lock M is in no group; D0 and D1 are contacts without grants.
type raceRound struct {
	owner, l, m, g, gl, c string
	d                     [2]string
	limit                 int // active grants the account may hold: one more than at the start
}

// useCase is one owner-account use case as the service runs it inside InOwnerTx: it checks what
// it depends on, then writes. side (0 or 1) tells the two runs of a pair apart. A domain error
// is a refusal; anything else fails the test.
type useCase func(tx keyward.OwnerTx, r *raceRound, side int) error

// useCases are the use cases whose rows overlap: groups and their members, locks and their
// grants, grants and the lock syncs that deliver or confirm them, contacts and their grants.
var useCases = map[string]useCase{
	"DeleteGroup": func(tx keyward.OwnerTx, r *raceRound, _ int) error {
		if err := exists(tx.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: r.owner, ID: &r.g})); err != nil {
			return err
		}
		if _, err := tx.RevokeGrants(ctx, keyward.GrantFilter{TargetIDs: []string{r.g}}, true, at(900)); err != nil {
			return err
		}
		return tx.DeleteLockGroup(ctx, r.g)
	},
	"GrantOnGroup": func(tx keyward.OwnerTx, r *raceRound, side int) error {
		if err := exists(tx.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: r.owner, ID: &r.g})); err != nil {
			return err
		}
		return createWithinLimit(tx, r, r.g, side)
	},
	"AddMember": func(tx keyward.OwnerTx, r *raceRound, _ int) error {
		if err := exists(tx.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: r.owner, ID: &r.g})); err != nil {
			return err
		}
		if err := activeLock(tx, r, r.m); err != nil {
			return err
		}
		return tx.AddLockGroupMember(ctx, r.g, r.m, at(900))
	},
	"UnbindLock": func(tx keyward.OwnerTx, r *raceRound, _ int) error {
		if _, err := tx.RevokeGrants(ctx, keyward.GrantFilter{TargetIDs: []string{r.l}}, true, at(900)); err != nil {
			return err
		}
		return tx.UnbindBoundLock(ctx, r.l, at(900))
	},
	"UnbindMember": func(tx keyward.OwnerTx, r *raceRound, _ int) error {
		return tx.UnbindBoundLock(ctx, r.m, at(900))
	},
	"GrantOnLock": func(tx keyward.OwnerTx, r *raceRound, side int) error {
		if err := activeLock(tx, r, r.l); err != nil {
			return err
		}
		return createWithinLimit(tx, r, r.l, side)
	},
	"RevokeGrant": func(tx keyward.OwnerTx, r *raceRound, _ int) error {
		_, err := tx.RevokeGrants(ctx, keyward.GrantFilter{IDs: []string{r.gl}}, true, at(900))
		return err
	},
	"SyncLock": func(tx keyward.OwnerTx, r *raceRound, _ int) error {
		if err := activeLock(tx, r, r.l); err != nil {
			return err
		}
		return deliverAndSync(tx, r.l, at(900))
	},
	"DeleteContact": func(tx keyward.OwnerTx, r *raceRound, _ int) error {
		if err := exists(tx.FindContacts(ctx, keyward.ContactFilter{OwnerID: r.owner, ID: &r.d[0]})); err != nil {
			return err
		}
		if _, err := tx.RevokeGrants(ctx, keyward.GrantFilter{ContactID: &r.d[0]}, false, at(900)); err != nil {
			return err
		}
		return tx.DeleteContact(ctx, r.d[0])
	},
}

// exists turns an empty lookup into ErrNotFound.
func exists[T any](list []T, err error) error {
	if err == nil && len(list) == 0 {
		return keyward.ErrNotFound
	}
	return err
}

func activeLock(tx keyward.OwnerTx, r *raceRound, id string) error {
	locks, err := tx.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: r.owner, ID: &id})
	if err == nil && (len(locks) == 0 || !locks[0].Active) {
		return keyward.ErrNotFound
	}
	return err
}

// createWithinLimit grants contact D<side> on a target if the account's active grants stay within
// the round's limit and the contact still exists, as plan limits are checked.
func createWithinLimit(tx keyward.OwnerTx, r *raceRound, target string, side int) error {
	active := true
	n, err := tx.CountGrants(ctx, keyward.GrantFilter{OwnerID: r.owner, Active: &active})
	if err != nil {
		return err
	}
	if n >= r.limit {
		return keyward.ErrInsufficientSmartphoneUserContingent
	}
	if err := exists(tx.FindContacts(ctx, keyward.ContactFilter{OwnerID: r.owner, ID: &r.d[side]})); err != nil {
		return err
	}
	return tx.CreateGrant(ctx, &keyward.Grant{ID: fmt.Sprintf("%s-new%d", r.gl, side), OwnerAccountID: r.owner, BoundLockID: target,
		TargetType: "Lock", ContactID: &r.d[side], State: keyward.GrantOk, Active: true, CreatedAt: at(900)})
}

// newRaceRound stores a round's state in the account.
func newRaceRound(t *testing.T, s flat, owner string, i int) *raceRound {
	base := 1000 + 20*i
	l := mkBoundLock(t, s, owner, racePhysicalLock(t, s, base), base+1, "L")
	m := mkBoundLock(t, s, owner, racePhysicalLock(t, s, base+2), base+3, "M")
	r := &raceRound{owner: owner, l: l.ID, m: m.ID, g: id("group", base+4), gl: id("grant", base+5)}
	must(t, s.CreateLockGroup(ctx, &keyward.LockGroup{ID: r.g, OwnerAccountID: owner, Title: "G", Active: true, CreatedAt: at(base + 4)}))
	must(t, s.AddLockGroupMember(ctx, owner, r.g, l.ID, at(base+4)))
	r.c = mkContact(t, s, owner, base+6, id("c", base)+"@example.com").ID
	r.d[0] = mkContact(t, s, owner, base+7, id("d0-", base)+"@example.com").ID
	r.d[1] = mkContact(t, s, owner, base+8, id("d1-", base)+"@example.com").ID
	must(t, s.CreateGrant(ctx, &keyward.Grant{ID: r.gl, OwnerAccountID: owner, BoundLockID: l.ID, TargetType: "Lock",
		ContactID: &r.c, State: keyward.GrantOk, Active: true, CreatedAt: at(base + 9)}))
	must(t, s.SyncLock(ctx, owner, l.ID, at(base+10))) // L holds GL's key: revoking it is pending
	active := true
	n, err := s.CountGrants(ctx, keyward.GrantFilter{OwnerID: owner, Active: &active})
	must(t, err)
	r.limit = n + 1
	return r
}

// racePhysicalLock registers a lock with an id of its own for every round.
func racePhysicalLock(t *testing.T, s flat, i int) string {
	l := &keyward.PhysicalLock{ID: lockproto.EncodeLockID([]byte(fmt.Sprintf("race%05d", i))), LockTypeID: "TK.Td30",
		ProtocolVersion: 3, BindingCodeHash: "h", TimeZone: "Europe/Vienna", TimeRestrictionSupport: true, CreatedAt: at(i)}
	must(t, s.CreatePhysicalLock(ctx, l))
	return l.ID
}

// testUseCasePairs runs every pair of useCases (each with itself too) at the same moment, a few
// rounds each, and checks after every round that the account is consistent, whichever ran first.
func testUseCasePairs(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	names := sortedKeys(useCases)
	round := 0
	for i, a := range names {
		for _, b := range names[i:] {
			for range 3 {
				r := newRaceRound(t, s, o.ID, round)
				round++
				runPair(t, s, r, useCases[a], useCases[b])
				if err := checkRound(s, r); err != nil {
					t.Fatalf("%s with %s: %v", a, b, err)
				}
			}
		}
	}
}

func runPair(t *testing.T, s flat, r *raceRound, a, b useCase) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for side, uc := range []useCase{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := s.InOwnerTx(ctx, r.owner, func(tx keyward.OwnerTx) error { return uc(tx, r, side) })
			if err != nil && keyward.ErrorOf(err) == nil {
				t.Errorf("side %d: %v", side, err)
			}
		}()
	}
	close(start)
	wg.Wait()
}

// checkRound checks the rules that span rows: an active grant targets an active lock or an
// existing group and has an existing grantee; a group's members are active locks of an existing
// group; the active grants stay within the limit; a revocation of a delivered key is pending
// and told to the lock that holds it.
func checkRound(s flat, r *raceRound) error {
	grants, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: r.owner, TargetIDs: []string{r.l, r.m, r.g}})
	if err != nil {
		return err
	}
	locks, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: r.owner, IDs: []string{r.l, r.m}})
	if err != nil {
		return err
	}
	activeLocks := map[string]*keyward.BoundLock{}
	for _, l := range locks {
		if l.Active {
			activeLocks[l.ID] = l
		}
	}
	groups, err := s.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: r.owner, ID: &r.g})
	if err != nil {
		return err
	}
	contacts, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: r.owner})
	if err != nil {
		return err
	}
	contactIDs := map[string]bool{}
	for _, c := range contacts {
		contactIDs[c.ID] = true
	}
	active := 0
	for _, g := range grants {
		if err := checkGrant(g, activeLocks, len(groups) == 1 && g.BoundLockID == r.g, contactIDs, locks); err != nil {
			return err
		}
		if g.Active {
			active++
		}
	}
	if active > 2 { // GL and one new grant at most: the round's limit allowed one more
		return fmt.Errorf("%d active grants on the round's targets, the limit allowed 2", active)
	}
	members, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: r.owner, LockGroupID: &r.g})
	if err != nil {
		return err
	}
	for _, m := range members {
		if len(groups) == 0 || activeLocks[m.ID] == nil {
			return fmt.Errorf("lock %s is a member of group %s (group exists: %v, lock active: %v)", m.ID, r.g, len(groups) == 1, activeLocks[m.ID] != nil)
		}
	}
	return nil
}

func checkGrant(g *keyward.Grant, activeLocks map[string]*keyward.BoundLock, groupExists bool, contacts map[string]bool, locks []*keyward.BoundLock) error {
	if g.Active && activeLocks[g.BoundLockID] == nil && !groupExists {
		return fmt.Errorf("active grant %s targets %s, which is neither an active lock nor a group", g.ID, g.BoundLockID)
	}
	if g.Active && (g.ContactID == nil || !contacts[*g.ContactID]) {
		return fmt.Errorf("active grant %s has no grantee", g.ID)
	}
	if g.State == keyward.GrantRevocationPending && !g.Delivered {
		return fmt.Errorf("grant %s is RevocationPending though no lock got its key", g.ID)
	}
	if !g.Active && g.Delivered && g.State == keyward.GrantRevocationPending {
		for _, l := range locks {
			if l.ID == g.BoundLockID && l.RclSerialNo == 0 {
				return fmt.Errorf("grant %s is RevocationPending but lock %s's revocation list never changed", g.ID, l.ID)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
