package app_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/sqlstore"
)

// TestReadStatements pins the statements of an authenticated read: one that accepts the token
// (its user, its revocation, the caller's role on the account and the account's version,
// together) and one that reads what was asked for, which a read of an unchanged account leaves
// to the read cache. A new lookup on this path would cost every request a round trip. On
// PostgreSQL the token check may be answered from memory too (the standing cache: the node is
// alone on its database and nothing was written since the same check; sqlstore's tests pin when),
// so there it runs at most once.
func TestReadStatements(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		token := f.token("admin")
		for _, tt := range []struct{ name, path string }{
			{"OneBoundLock", "/api/v1/Owners/{o1}/BoundLocks/{lock1}"},
			{"BoundLockList", "/api/v1/Owners/{o1}/BoundLocks?$top=100"},
		} {
			// the first read computes the answer; the second, of the unchanged account, is the
			// read cache's: the token check alone
			for i, want := range []string{"FROM bound_locks b", ""} {
				seen := f.statementsOfRead(t, tt.path, token)
				var checks int
				var rest []string
				for _, q := range seen {
					if strings.Contains(q, "FROM users u LEFT JOIN token_families f") {
						checks++
					} else {
						rest = append(rest, q)
					}
				}
				ok := len(rest) == 0 && want == "" || len(rest) == 1 && strings.Contains(rest[0], want)
				if checks == 0 && f.m.Store.Engine() == sqlstore.SQLite || checks > 1 {
					ok = false
				}
				if !ok {
					t.Errorf("%s, read %d ran %d statements, want the token check and %q:\n%s", tt.name, i+1, len(seen), want, strings.Join(seen, "\n"))
				}
			}
		}
	})
}

// statementsOfRead is the statements a GET of path runs, which must answer 200.
func (f *fixture) statementsOfRead(t *testing.T, path, token string) []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	f.m.Store.Observe(func(st sqlstore.Statement) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, strings.Join(strings.Fields(st.Query), " "))
	})
	res := f.do("GET", path, token, "", nil)
	f.m.Store.Observe(nil)
	if res.status != 200 {
		t.Fatalf("GET %s: status %d: %s", path, res.status, res.body)
	}
	mu.Lock()
	defer mu.Unlock()
	return seen
}
