package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

// TestGrantConcurrency_Duplicate sends 50 identical grant requests at once: exactly one grant is
// made and 49 are refused as Duplicate.
func TestGrantConcurrency_Duplicate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		counts := apitest.FireGrants([]*client.Account{f.admin}, 50, func(int) keyward.GrantCreate { return f.contactGrant("lock1", "guest") })
		if counts["200"] != 1 || counts["400 Duplicate"] != 49 || len(counts) != 2 {
			t.Fatalf("answers = %v, want 1×200 and 49×400 Duplicate", counts)
		}
		list, err := f.admin.Grants(context.Background(), &client.Query{Select: []string{"id"}})
		f.must(err)
		if len(list) != 1 {
			t.Fatalf("%d grants stored, want 1: %s", len(list), apitest.JSON(list))
		}
	})
}

// TestGrantConcurrency_SmartphoneUsers grants 50 new contacts at once on a plan that allows 3
// smartphone users: exactly 3 grants are made, 47 are refused with 402, and no contact of a
// refused request is left behind.
func TestGrantConcurrency_SmartphoneUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.setPlan(t, "o1", "three")
		counts := apitest.FireGrants([]*client.Account{f.admin}, 50, func(i int) keyward.GrantCreate {
			return f.inlineGrant("lock1", fmt.Sprintf("user%02d@example.com", i))
		})
		if counts["200"] != 3 || counts["402 InsufficientSmartphoneUserContingent"] != 47 || len(counts) != 2 {
			t.Fatalf("answers = %v, want 3×200 and 47×402", counts)
		}
		contacts, err := f.admin.Contacts(context.Background(), &client.Query{Filter: "startswith(identifier,'user')", Select: []string{"id"}})
		f.must(err)
		if len(contacts) != 3 {
			t.Fatalf("%d contacts were created, want 3 (refused requests leave nothing): %s", len(contacts), apitest.JSON(contacts))
		}
	})
}

// TestRaceDependentMutations races every mutation with the ones that depend on what it removes
// (group deletion with grants and members on the group, unbinding with grants and memberships
// of the lock) and checks that the account stays consistent on each engine.
func TestRaceDependentMutations(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		apitest.RaceDependentMutations(t, apitest.RaceEnv{
			Nodes:     []*client.Account{f.admin},
			ContactID: f.ids["guest"],
			NewLock: func(t testing.TB) (string, string) {
				l, code := f.register(context.Background(), true)
				return l.ID, code
			},
			Rounds: 10,
		})
	})
}
