package app_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/sqlstore"
)

// TestReadStatements pins the statements of an authenticated read: one that accepts the token
// (its user, its revocation and the caller's role on the account, together) and one that reads
// what was asked for. A new lookup on this path would cost every request a round trip.
func TestReadStatements(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		token := f.token("admin")
		for _, tt := range []struct{ name, path string }{
			{"OneBoundLock", "/api/v1/Owners/{o1}/BoundLocks/{lock1}"},
			{"BoundLockList", "/api/v1/Owners/{o1}/BoundLocks?$top=100"},
		} {
			var mu sync.Mutex
			var seen []string
			f.m.Store.Observe(func(st sqlstore.Statement) {
				mu.Lock()
				defer mu.Unlock()
				seen = append(seen, strings.Join(strings.Fields(st.Query), " "))
			})
			res := f.do("GET", tt.path, token, "", nil)
			f.m.Store.Observe(nil)
			if res.status != 200 {
				t.Fatalf("%s: status %d: %s", tt.name, res.status, res.body)
			}
			mu.Lock()
			if len(seen) != 2 || !strings.Contains(seen[0], "FROM users u LEFT JOIN token_families f") || !strings.Contains(seen[1], "FROM bound_locks b") {
				t.Errorf("%s ran %d statements, want the token check and the bound lock read:\n%s", tt.name, len(seen), strings.Join(seen, "\n"))
			}
			mu.Unlock()
		}
	})
}
