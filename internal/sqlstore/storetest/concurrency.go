package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// testConcurrentBind binds one physical lock from many owner accounts at once, each in its own
// transaction holding its own account's lock: the unique index lets exactly one win.
func testConcurrentBind(t *testing.T, s flat) {
	phys := mkPhysicalLock(t, s, 2)
	const n = 20
	owners := make([]*keyward.Owner, n)
	for i := range owners {
		owners[i] = mkOwner(t, s, 100+i)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := owners[i]
			errs[i] = s.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) error {
				return tx.CreateBoundLock(ctx, &keyward.BoundLock{ID: fmt.Sprintf("race-%02d", i), OwnerAccountID: o.ID,
					PhysicalLockID: phys.ID, BindDate: at(3), Active: true, CreatedAt: at(3)})
			})
		}()
	}
	wg.Wait()
	won, lost := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, keyward.ErrLockAlreadyBound):
			lost++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 || lost != n-1 {
		t.Fatalf("%d binds won and %d lost, want 1 and %d", won, lost, n-1)
	}
}

// testRaceRevokeSync runs, many times at once, a revocation and a sync of the lock that may be
// delivering the grant's key. Whichever comes first, the grant must end consistent: a key the
// lock received is RevocationPending with a revocation-list change, a key it never got is
// Revoked with none. (Deciding the state from a delivered flag read before the sync committed
// left delivered grants Revoked and the lock never told.)
func testRaceRevokeSync(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	c := mkContact(t, s, o.ID, 2, "a@example.com")
	for i := range 30 {
		lock := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 10+i).ID, 100+i, fmt.Sprintf("L%02d", i))
		g := &keyward.Grant{ID: id("grant", i), OwnerAccountID: o.ID, BoundLockID: lock.ID, TargetType: "Lock", ContactID: &c.ID,
			State: keyward.GrantOk, Active: true, CreatedAt: at(200 + i)}
		must(t, s.CreateGrant(ctx, g))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, fn := range []func(tx keyward.OwnerTx) error{
			func(tx keyward.OwnerTx) error { return deliverAndSync(tx, lock.ID, at(300+i)) },
			func(tx keyward.OwnerTx) error {
				_, err := tx.RevokeGrants(ctx, keyward.GrantFilter{OwnerID: o.ID, ID: &g.ID}, true, at(300+i))
				return err
			},
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := s.InOwnerTx(ctx, o.ID, fn); err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		got, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o.ID, ID: &g.ID})
		must(t, err)
		locks, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o.ID, ID: &lock.ID})
		must(t, err)
		bumped := locks[0].RclSerialNo > 0
		if gg := got[0]; gg.Delivered != (gg.State == keyward.GrantRevocationPending) || gg.Delivered != bumped {
			t.Fatalf("round %d: delivered %v, state %s, revocation list changed %v", i, gg.Delivered, gg.State, bumped)
		}
	}
}

// testTokenFamilyLock holds a token family read with LockTokenFamily, and then as a refresh
// token's rotation reads it (RotateRefreshToken), and revokes the family meanwhile: the revocation
// must wait for the rotation to end, so that what the rotation issued is revoked with the family
// instead of outliving it.
func testTokenFamilyLock(t *testing.T, s flat) {
	u := mkUser(t, s, 1, "ada@example.com")
	c := &keyward.Client{ID: "client", Name: "App", GrantTypes: []string{keyward.GrantAuthorizationCode}, CreatedAt: at(2)}
	must(t, s.CreateClient(ctx, c))
	readers := map[string]func(tx keyward.Tx, fam string) (*keyward.TokenFamily, error){
		"LockTokenFamily": func(tx keyward.Tx, fam string) (*keyward.TokenFamily, error) { return tx.LockTokenFamily(ctx, fam) },
		"RotateRefreshToken": func(tx keyward.Tx, fam string) (*keyward.TokenFamily, error) {
			_, f, err := tx.RotateRefreshToken(ctx, fam+"-token", at(4), &keyward.RefreshToken{Hash: fam + "-next", CreatedAt: at(4), ExpiresAt: at(100)})
			return f, err
		},
	}
	for name, read := range readers {
		must(t, s.CreateTokenFamily(ctx, &keyward.TokenFamily{ID: name, ClientID: c.ID, UserID: u.ID, CreatedAt: at(3)}))
		must(t, s.CreateRefreshToken(ctx, &keyward.RefreshToken{Hash: name + "-token", FamilyID: name, ClientID: c.ID, UserID: u.ID,
			Scopes: []string{"offline_access"}, CreatedAt: at(3), ExpiresAt: at(100)}))
		held, release, revoked := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		rotation := make(chan error, 1)
		var holding sync.Once // the store may run the function again
		go func() {
			rotation <- s.InTx(ctx, func(tx keyward.Tx) error {
				fam, err := read(tx, name)
				if err != nil {
					return err
				}
				if fam == nil || fam.RevokedAt != nil {
					return fmt.Errorf("%s: the family is %+v before the rotation", name, fam)
				}
				holding.Do(func() { close(held) })
				<-release
				return nil
			})
		}()
		<-held
		go func() { revoked <- s.RevokeTokenFamily(ctx, name, at(5)) }()
		stillWaiting(t, revoked, "the revocation", "a rotation held the family ("+name+")")
		close(release)
		must(t, <-rotation)
		must(t, <-revoked)
		fam, err := s.FindTokenFamily(ctx, name)
		must(t, err)
		if fam.RevokedAt == nil {
			t.Fatalf("%s: the family is not revoked", name)
		}
	}
}

// testConcurrentRotation rotates one refresh token from eight transactions at once: exactly one
// spends it and stores its successor; the others see it spent, when the winner spent it, and
// store nothing.
func testConcurrentRotation(t *testing.T, s flat) {
	u := mkUser(t, s, 1, "ada@example.com")
	c := &keyward.Client{ID: "client", Name: "App", GrantTypes: []string{keyward.GrantAuthorizationCode}, CreatedAt: at(2)}
	must(t, s.CreateClient(ctx, c))
	must(t, s.CreateTokenFamily(ctx, &keyward.TokenFamily{ID: "fam", ClientID: c.ID, UserID: u.ID, CreatedAt: at(3)}))
	must(t, s.CreateRefreshToken(ctx, &keyward.RefreshToken{Hash: "rh", FamilyID: "fam", ClientID: c.ID, UserID: u.ID,
		Scopes: []string{"offline_access"}, CreatedAt: at(3), ExpiresAt: at(100)}))
	const n = 8
	var spentAt [n]*keyward.Time
	var errs [n]error
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.InTx(ctx, func(tx keyward.Tx) error {
				rt, _, err := tx.RotateRefreshToken(ctx, "rh", at(10+i), &keyward.RefreshToken{Hash: id("next", i), CreatedAt: at(10), ExpiresAt: at(100)})
				if err == nil {
					spentAt[i] = rt.UsedAt
				}
				return err
			})
		})
	}
	wg.Wait()
	winners, stored := []int{}, []int{}
	for i := range n {
		must(t, errs[i])
		if spentAt[i] == nil {
			winners = append(winners, i)
		}
		if _, err := s.FindRefreshToken(ctx, id("next", i)); err == nil {
			stored = append(stored, i)
		}
	}
	if len(winners) != 1 || !slices.Equal(winners, stored) {
		t.Fatalf("rotations that spent the token %v, that stored a successor %v; want the same one", winners, stored)
	}
	for i := range n {
		if i != winners[0] && *spentAt[i] != at(10+winners[0]) {
			t.Errorf("rotation %d saw the token spent at %v, want %v", i, spentAt[i], at(10+winners[0]))
		}
	}
}

// testUserLock: a transaction that holds a user's row keeps a second one that asks for it
// waiting until the first ends (on SQLite, the write transaction waits for the database); an
// unknown user is ErrNotFound.
func testUserLock(t *testing.T, s flat) {
	u := mkUser(t, s, 1, "ada@example.com")
	held, release, second := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	first := make(chan error, 1)
	var holding sync.Once // the store may run the function again
	go func() {
		first <- s.InTx(ctx, func(tx keyward.Tx) error {
			if err := tx.LockUser(ctx, u.ID); err != nil {
				return err
			}
			holding.Do(func() { close(held) })
			<-release
			return nil
		})
	}()
	<-held
	go func() { second <- s.InTx(ctx, func(tx keyward.Tx) error { return tx.LockUser(ctx, u.ID) }) }()
	stillWaiting(t, second, "the second lock", "the first transaction held the user")
	close(release)
	must(t, <-first)
	must(t, <-second)
	err := s.InTx(ctx, func(tx keyward.Tx) error { return tx.LockUser(ctx, "nobody") })
	wantErr(t, err, keyward.ErrNotFound)
}

// stillWaiting fails the test when done reports within 200 ms: what sent on it must still wait
// while, as the message says, something holds what it needs.
func stillWaiting(t *testing.T, done <-chan error, what, while string) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("%s ended (%v) while %s", what, err, while)
	case <-time.After(200 * time.Millisecond):
	}
}
