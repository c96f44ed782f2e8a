package apitest

import (
	"fmt"
	"net/url"
	"sync"
	"testing"
)

// RaceEnv is what RaceDependentMutations needs besides the nodes.
type RaceEnv struct {
	Nodes     []Node // one or more servers on the same database
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

// request is one API call relative to the account.
type request struct{ method, path, body string }

// racePair is a mutation and one that depends on what the first removes.
type racePair struct {
	name  string
	first func(r round) request // always succeeds (204)
	then  func(r round) request // 200, or 400 once the first has won
	// denied names the lock on which the contact must have no access after the race ("" for none).
	denied func(r round) string
}

var racePairs = []racePair{
	{name: "DeleteGroup/GrantOnGroup",
		first:  func(r round) request { return request{"DELETE", "/LockGroups/" + r.group, ""} },
		then:   func(r round) request { return request{"PUT", "/Grants", grantBody(r.group, r.contact)} },
		denied: func(r round) string { return r.lock }},
	{name: "DeleteGroup/AddMember",
		first: func(r round) request { return request{"DELETE", "/LockGroups/" + r.group, ""} },
		then: func(r round) request {
			return request{"PUT", "/LockGroups/" + r.group + "/BoundLocks", memberBody(r.other)}
		},
		denied: func(round) string { return "" }},
	{name: "Unbind/GrantOnLock",
		first:  func(r round) request { return request{"DELETE", "/BoundLocks/" + r.lock, ""} },
		then:   func(r round) request { return request{"PUT", "/Grants", grantBody(r.lock, r.contact)} },
		denied: func(r round) string { return r.lock }},
	{name: "Unbind/JoinGroup",
		first: func(r round) request { return request{"DELETE", "/BoundLocks/" + r.other, ""} },
		then: func(r round) request {
			return request{"PUT", "/LockGroups/" + r.group + "/BoundLocks", memberBody(r.other)}
		},
		denied: func(round) string { return "" }},
}

func grantBody(target, contact string) string {
	return fmt.Sprintf(`{"boundLockId":%q,"contactId":%q}`, target, contact)
}

func memberBody(lock string) string { return fmt.Sprintf(`{"boundLockId":%q}`, lock) }

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
				first, then := race(t, a, b, p.first(r), p.then(r))
				if first.Status != 204 {
					t.Fatalf("round %d: first mutation answered %s, want 204", i, first)
				}
				switch {
				case then.Status == 200:
					won++
				case then.Status != 400:
					t.Fatalf("round %d: dependent mutation answered %s, want 200 or 400", i, then)
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
	n := env.Nodes[0]
	r := round{contact: env.ContactID}
	for _, id := range []*string{&r.lock, &r.other} {
		phys, code := env.NewLock(t)
		var l struct{ ID string }
		n.Must(t, 200, "PUT", "/BoundLocks", fmt.Sprintf(`{"physicalLockId":%q,"bindingCode":%q}`, phys, code), &l)
		*id = l.ID
	}
	var g struct{ ID string }
	n.Must(t, 200, "PUT", "/LockGroups", `{"title":"race"}`, &g)
	r.group = g.ID
	n.Must(t, 200, "PUT", "/LockGroups/"+r.group+"/BoundLocks", memberBody(r.lock), nil)
	return r
}

// race sends two requests released at the same instant and returns both answers.
func race(t *testing.T, a, b Node, ra, rb request) (Response, Response) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	var resA, resB Response
	send := func(n Node, r request, out *Response) {
		defer wg.Done()
		<-start
		*out = n.Do(t, r.method, r.path, r.body)
	}
	wg.Add(2)
	go send(a, ra, &resA)
	go send(b, rb, &resB)
	close(start)
	wg.Wait()
	return resA, resB
}

// checkDenied asks AccessCheck whether the contact may open the lock now: it must not.
func checkDenied(t *testing.T, n Node, lock, contact string) {
	t.Helper()
	var d struct {
		Allowed bool `json:"allowed"`
	}
	n.Must(t, 200, "GET", "/BoundLocks/"+lock+"/AccessCheck?contactId="+url.QueryEscape(contact), "", &d)
	if d.Allowed {
		t.Fatalf("AccessCheck allows contact %s on lock %s, whose grant's target is gone", contact, lock)
	}
}

// CheckAccountInvariants reads the whole account through the API and fails on any active grant
// whose lock is unbound or whose group is deleted, any member of a deleted group and any unbound
// lock that is a member of a group.
func CheckAccountInvariants(t testing.TB, n Node) {
	t.Helper()
	var grants []struct {
		ID        string `json:"id"`
		BoundLock struct {
			ID     string `json:"id"`
			Active bool   `json:"active"`
		} `json:"boundLock"`
	}
	n.Must(t, 200, "GET", "/Grants?$filter=active%20eq%20true&$top=1000", "", &grants)
	for _, g := range grants {
		if !g.BoundLock.Active {
			t.Errorf("grant %s is active on %s, which is unbound or deleted", g.ID, g.BoundLock.ID)
		}
	}
	var groups []struct {
		ID     string `json:"id"`
		Active bool   `json:"active"`
	}
	n.Must(t, 200, "GET", "/LockGroups?$top=1000", "", &groups)
	for _, g := range groups {
		var members []struct {
			ID     string `json:"id"`
			Active bool   `json:"active"`
		}
		n.Must(t, 200, "GET", "/LockGroups/"+g.ID+"/BoundLocks?$top=1000", "", &members)
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
