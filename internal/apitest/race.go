package apitest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

// RaceEnv is what RaceDependentMutations needs: one or more servers on the same database.
type RaceEnv struct {
	// Nodes are one owner account as each server serves it, through a client whose token holds
	// write:core:entities and write:grants and administers the account.
	Nodes     []*client.Account
	ContactID string // a contact of the account, the grantee of the racing grants
	// NewLock registers a physical lock with time-restriction support in the device registry
	// and returns its physicalLockId and binding code.
	NewLock func(t testing.TB) (physicalLockID, bindingCode string)
	Rounds  int // rounds per pair
}

// round is the fresh state one race runs on: lock L is a member of group G, lock M is not.
type round struct {
	lock, other, group, contact string
}

// mutation is one API call on a node.
type mutation func(ctx context.Context, a *client.Account) error

// racePair is a mutation and one that depends on what the first removes.
type racePair struct {
	name  string
	first func(r round) mutation // always succeeds (204)
	then  func(r round) mutation // 200, or 400 once the first has won
	// denied names the lock on which the contact must have no access after the race ("" for none).
	denied func(r round) string
}

var racePairs = []racePair{
	{name: "DeleteGroup/GrantOnGroup",
		first:  func(r round) mutation { return deleteGroup(r.group) },
		then:   func(r round) mutation { return grant(r.group, r.contact) },
		denied: func(r round) string { return r.lock }},
	{name: "DeleteGroup/AddMember",
		first:  func(r round) mutation { return deleteGroup(r.group) },
		then:   func(r round) mutation { return addMember(r.group, r.other) },
		denied: func(round) string { return "" }},
	{name: "Unbind/GrantOnLock",
		first:  func(r round) mutation { return unbind(r.lock) },
		then:   func(r round) mutation { return grant(r.lock, r.contact) },
		denied: func(r round) string { return r.lock }},
	{name: "Unbind/JoinGroup",
		first:  func(r round) mutation { return unbind(r.other) },
		then:   func(r round) mutation { return addMember(r.group, r.other) },
		denied: func(round) string { return "" }},
}

func deleteGroup(group string) mutation {
	return func(ctx context.Context, a *client.Account) error { return a.DeleteLockGroup(ctx, group) }
}

func unbind(lock string) mutation {
	return func(ctx context.Context, a *client.Account) error { return a.UnbindLock(ctx, lock) }
}

func grant(target, contact string) mutation {
	return func(ctx context.Context, a *client.Account) error {
		_, err := a.CreateGrant(ctx, keyward.GrantCreate{BoundLockID: target, ContactID: &contact})
		return err
	}
}

func addMember(group, lock string) mutation {
	return func(ctx context.Context, a *client.Account) error {
		_, err := a.AddLockGroupMember(ctx, group, lock)
		return err
	}
}

// RaceDependentMutations fires, many times, each pair of mutations where the second depends on
// what the first removes (deleting a group and granting on it or adding a member; unbinding a
// lock and granting on it or adding it to a group), the two at the same moment on different
// nodes. Whichever wins, the account must end consistent: no active grant on an unbound lock or
// a deleted group, no member of a deleted group, no unbound lock in a group, and AccessCheck
// must deny on the lock that lost its grant.
func RaceDependentMutations(t *testing.T, env RaceEnv) {
	for _, p := range racePairs {
		t.Run(p.name, func(t *testing.T) {
			won := 0
			for i := range env.Rounds {
				r := env.newRound(t)
				a, b := env.Nodes[i%len(env.Nodes)], env.Nodes[(i+1)%len(env.Nodes)]
				first, then := race(a, b, p.first(r), p.then(r))
				if first != nil {
					t.Fatalf("round %d: first mutation answered %v, want 204", i, first)
				}
				var refused *client.Error
				switch {
				case then == nil:
					won++
				case !errors.As(then, &refused) || refused.Status != 400:
					t.Fatalf("round %d: dependent mutation answered %v, want 200 or 400", i, then)
				}
				if lock := p.denied(r); lock != "" {
					checkDenied(t, a, lock, r.contact)
				}
			}
			t.Logf("the dependent mutation came first in %d of %d rounds", won, env.Rounds)
			CheckAccountInvariants(t, env.Nodes[0])
		})
	}
}

// newRound binds two fresh locks and makes a group holding the first.
func (env RaceEnv) newRound(t *testing.T) round {
	t.Helper()
	ctx, a := context.Background(), env.Nodes[0]
	r := round{contact: env.ContactID}
	for _, id := range []*string{&r.lock, &r.other} {
		phys, code := env.NewLock(t)
		l, err := a.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: phys, BindingCode: code})
		if err != nil {
			t.Fatal(err)
		}
		*id = l.ID
	}
	g, err := a.CreateLockGroup(ctx, keyward.LockGroupCreate{Title: "race"})
	if err != nil {
		t.Fatal(err)
	}
	r.group = g.ID
	if _, err := a.AddLockGroupMember(ctx, r.group, r.lock); err != nil {
		t.Fatal(err)
	}
	return r
}

// race sends two mutations released at the same instant and returns both outcomes.
func race(a, b *client.Account, ma, mb mutation) (error, error) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	var errA, errB error
	send := func(n *client.Account, m mutation, out *error) {
		defer wg.Done()
		<-start
		*out = m(context.Background(), n)
	}
	wg.Add(2)
	go send(a, ma, &errA)
	go send(b, mb, &errB)
	close(start)
	wg.Wait()
	return errA, errB
}

// checkDenied asks AccessCheck whether the contact may open the lock now: it must not.
func checkDenied(t *testing.T, a *client.Account, lock, contact string) {
	t.Helper()
	d, err := a.AccessCheck(context.Background(), lock, client.AccessQuery{ContactID: contact})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed {
		t.Fatalf("AccessCheck allows contact %s on lock %s, whose grant's target is gone", contact, lock)
	}
}

// CheckAccountInvariants reads the whole account through the API and fails on any active grant
// whose lock is unbound or whose group is deleted, any member of a deleted group and any unbound
// lock that is a member of a group.
func CheckAccountInvariants(t testing.TB, a *client.Account) {
	t.Helper()
	ctx := context.Background()
	grants, err := a.Grants(ctx, &client.Query{Filter: "active eq true", Top: keyward.MaxTop})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grants {
		if !targetActive(g.BoundLock) {
			t.Errorf("grant %s is active on %s, which is unbound or deleted", g.ID, g.BoundLockID)
		}
	}
	groups, err := a.LockGroups(ctx, &client.Query{Top: keyward.MaxTop})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		members, err := a.LockGroupMembers(ctx, g.ID, &client.Query{Top: keyward.MaxTop})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if !g.Active {
				t.Errorf("lock %s is a member of deleted group %s", m.ID, g.ID)
			}
			if !m.Active {
				t.Errorf("unbound lock %s is a member of group %s", m.ID, g.ID)
			}
		}
	}
}

// targetActive reports whether a grant's embedded lock or group is active.
func targetActive(t *keyward.GrantTarget) bool {
	switch {
	case t == nil:
		return false
	case t.Group != nil:
		return t.Group.Active
	default:
		return t.Lock != nil && t.Lock.Active
	}
}
