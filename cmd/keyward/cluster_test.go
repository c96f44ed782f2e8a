package main_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestTwoServersOnePostgres runs two `keyward serve` processes on one PostgreSQL database and
// sends 50 concurrent grant requests alternately to both: the Duplicate rule and the plan's
// smartphone-user limit hold across processes, because the database enforces them.
func TestTwoServersOnePostgres(t *testing.T) {
	engines := sqltest.Engines(t)
	if engines[len(engines)-1] != sqlstore.Postgres {
		t.Skip("KEYWARD_TEST_POSTGRES is not set")
	}
	dsn := sqltest.DSN(t, sqlstore.Postgres)
	plans := filepath.Join(t.TempDir(), "plans.json")
	err := os.WriteFile(plans, []byte(`{"default":"three","plans":[{"name":"three","smartphoneUserLimit":3,"features":["timeRestrictions","lockGroups"]}]}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	var user, owner struct{ ID string }
	keyward(t, &user, "admin", "user", "create", "--db", dsn, "--email", "ada@example.com", "--password", "correct horse", "--verified", "--json")
	keyward(t, &owner, "admin", "owner", "create", "--db", dsn, "--plans", plans, "--name", "Shared", "--owner-email", "ada@example.com", "--json")
	var client struct{ ClientID, ClientSecret string }
	keyward(t, &client, "admin", "client", "create", "--db", dsn, "--name", "sync", "--scopes", "write:core:entities write:grants", "--admin-of", owner.ID, "--json")
	var lock struct{ PhysicalLockID, BindingCode string }
	keyward(t, &lock, "admin", "lock", "register", "--db", dsn, "--json")

	a, b := serve(t, dsn, "--plans", plans), serve(t, dsn, "--plans", plans)
	clients := []*http.Client{}
	for _, s := range []*server{a, b} {
		cc := clientcredentials.Config{ClientID: client.ClientID, ClientSecret: client.ClientSecret, TokenURL: s.base + "/connect/token"}
		clients = append(clients, cc.Client(context.Background()))
	}
	bases := []string{a.base + "/api/v1/Owners/" + owner.ID, b.base + "/api/v1/Owners/" + owner.ID}
	var bound, contact struct{ ID string }
	call(t, clients[0], "PUT", bases[0]+"/BoundLocks", `{"physicalLockId":"`+lock.PhysicalLockID+`","bindingCode":"`+lock.BindingCode+`"}`, 200, &bound)
	call(t, clients[1], "PUT", bases[1]+"/Contacts", `{"identifier":"guest@example.com"}`, 200, &contact)

	fire := func(body func(i int) string) map[string]int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[string]int{}
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := clients[i%2].Do(mustRequest(t, "PUT", bases[i%2]+"/Grants", body(i)))
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				key := fmt.Sprint(res.StatusCode)
				if i := strings.Index(string(b), `"ErrorCode":"`); i >= 0 {
					key += " " + strings.SplitN(string(b[i+13:]), `"`, 2)[0]
				}
				mu.Lock()
				counts[key]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return counts
	}
	dup := fire(func(int) string { return `{"boundLockId":"` + bound.ID + `","contactId":"` + contact.ID + `"}` })
	if dup["200"] != 1 || dup["400 Duplicate"] != 49 {
		t.Fatalf("identical grants: %v, want 1×200 and 49×400 Duplicate", dup)
	}
	// The guest is one smartphone user already; two more fit into the plan's three.
	limit := fire(func(i int) string {
		return fmt.Sprintf(`{"boundLockId":"%s","contact":{"identifier":"user%02d@example.com"}}`, bound.ID, i)
	})
	if limit["200"] != 2 || limit["402 InsufficientSmartphoneUserContingent"] != 48 {
		t.Fatalf("new smartphone users: %v, want 2×200 and 48×402", limit)
	}
	a.stop(t)
	b.stop(t)
}

func mustRequest(t *testing.T, method, url, body string) *http.Request {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Error(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// TestTwoServersRaceDependentMutations races, across two `keyward serve` processes on one
// PostgreSQL database, every mutation with the ones that depend on what it removes: the account
// stays consistent because the rule is kept in the database, not in one process.
func TestTwoServersRaceDependentMutations(t *testing.T) {
	engines := sqltest.Engines(t)
	if engines[len(engines)-1] != sqlstore.Postgres {
		t.Skip("KEYWARD_TEST_POSTGRES is not set")
	}
	dsn := sqltest.DSN(t, sqlstore.Postgres)
	var user, owner struct{ ID string }
	keyward(t, &user, "admin", "user", "create", "--db", dsn, "--email", "ada@example.com", "--password", "correct horse", "--verified", "--json")
	keyward(t, &owner, "admin", "owner", "create", "--db", dsn, "--name", "Shared", "--owner-email", "ada@example.com", "--json")
	var client struct{ ClientID, ClientSecret string }
	keyward(t, &client, "admin", "client", "create", "--db", dsn, "--name", "sync", "--scopes", "write:core:entities write:grants", "--admin-of", owner.ID, "--json")
	var nodes []apitest.Node
	for range 2 {
		s := serve(t, dsn)
		cc := clientcredentials.Config{ClientID: client.ClientID, ClientSecret: client.ClientSecret, TokenURL: s.base + "/connect/token"}
		nodes = append(nodes, apitest.Node{Account: s.base + "/api/v1/Owners/" + owner.ID, Client: cc.Client(context.Background())})
	}
	var contact struct{ ID string }
	nodes[0].Must(t, 200, "PUT", "/Contacts", `{"identifier":"guest@example.com"}`, &contact)
	apitest.RaceDependentMutations(t, apitest.RaceEnv{
		Nodes:     nodes,
		ContactID: contact.ID,
		NewLock: func(t testing.TB) (string, string) {
			var lock struct{ PhysicalLockID, BindingCode string }
			keyward(t, &lock, "admin", "lock", "register", "--db", dsn, "--json")
			return lock.PhysicalLockID, lock.BindingCode
		},
		Rounds: 10,
	})
}
