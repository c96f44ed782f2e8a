package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
)

// fire sends n requests at once and counts the answers by status and ErrorCode.
func (f *fixture) fire(t *testing.T, n int, method, path, token string, body func(i int) string) map[string]int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := f.do(method, path, token, body(i), nil)
			key := fmt.Sprint(res.status)
			if code := errorCode(res.body); code != "" {
				key += " " + code
			}
			mu.Lock()
			counts[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}

func errorCode(body string) string {
	const k = `"ErrorCode":"`
	i := strings.Index(body, k)
	if i < 0 {
		return ""
	}
	rest := body[i+len(k):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestGrantConcurrency_Duplicate sends 50 identical grant requests at once: exactly one grant is
// made and 49 are refused as Duplicate.
func TestGrantConcurrency_Duplicate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		counts := f.fire(t, 50, "PUT", "/api/v1/Owners/{o1}/Grants", f.token("admin"), func(int) string {
			return `{"boundLockId":"{lock1}","contactId":"{guest}"}`
		})
		if counts["200"] != 1 || counts["400 Duplicate"] != 49 || len(counts) != 2 {
			t.Fatalf("answers = %v, want 1×200 and 49×400 Duplicate", counts)
		}
		list := f.do("GET", "/api/v1/Owners/{o1}/Grants?$select=id", f.token("admin"), "", nil)
		if n := strings.Count(list.body, `"id"`); n != 1 {
			t.Fatalf("%d grants stored, want 1: %s", n, list.body)
		}
	})
}

// TestGrantConcurrency_SmartphoneUsers grants 50 new contacts at once on a plan that allows 3
// smartphone users: exactly 3 grants are made, 47 are refused with 402, and no contact of a
// refused request is left behind.
func TestGrantConcurrency_SmartphoneUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.setPlan(t, "o1", "three")
		counts := f.fire(t, 50, "PUT", "/api/v1/Owners/{o1}/Grants", f.token("admin"), func(i int) string {
			return fmt.Sprintf(`{"boundLockId":"{lock1}","contact":{"identifier":"user%02d@example.com"}}`, i)
		})
		if counts["200"] != 3 || counts["402 InsufficientSmartphoneUserContingent"] != 47 || len(counts) != 2 {
			t.Fatalf("answers = %v, want 3×200 and 47×402", counts)
		}
		contacts := f.do("GET", "/api/v1/Owners/{o1}/Contacts?$filter=startswith(identifier,'user')&$select=id", f.token("admin"), "", nil)
		if n := strings.Count(contacts.body, `"id"`); n != 3 {
			t.Fatalf("%d contacts were created, want 3 (refused requests leave nothing): %s", n, contacts.body)
		}
	})
}

// TestRaceDependentMutations races every mutation with the ones that depend on what it removes
// (group deletion with grants and members on the group, unbinding with grants and memberships
// of the lock) and checks that the account stays consistent on each engine.
func TestRaceDependentMutations(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		apitest.RaceDependentMutations(t, apitest.RaceEnv{
			Nodes:     []apitest.Node{f.node("admin", "o1")},
			ContactID: f.ids["guest"],
			NewLock: func(t testing.TB) (string, string) {
				l, code := f.register(context.Background(), true)
				return l.ID, code
			},
			Rounds: 10,
		})
	})
}
