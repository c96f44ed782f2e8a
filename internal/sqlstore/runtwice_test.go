package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestRunTwice: with Pool.RunTwice every kind of transaction on PostgreSQL runs its function
// twice through the store's retry and keeps the second run alone (a first run that were kept
// would make the second's inserts duplicates), concurrent ones too, in the account's batches,
// and the conflict observer sees none of it; a function that fails on its first run runs once.
// SQLite, which never runs a transaction again, runs each once.
func TestRunTwice(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlstore.OpenPool(ctx, sqltest.DSN(t, engine), sqlstore.Pool{RunTwice: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			var mu sync.Mutex
			var conflicts []sqlstore.Conflict
			db.ObserveConflicts(func(c sqlstore.Conflict) { mu.Lock(); conflicts = append(conflicts, c); mu.Unlock() })
			now := keyward.NewTime(time.Now())
			contact := func(id string) *keyward.Contact {
				email := id + "@example.com"
				return &keyward.Contact{ID: id, OwnerID: "o1", IPID: keyward.IPTapkey, Identifier: &email, CreatedAt: now}
			}
			runs := map[string]int{}
			run := func(name string) {
				mu.Lock()
				defer mu.Unlock()
				runs[name]++
			}
			owner := &keyward.Owner{ID: "o1", Name: "Home", Active: true, CreatedAt: now}
			if err := db.InNewOwnerTx(ctx, owner, func(tx keyward.OwnerTx) error { run("new"); return tx.CreateContact(ctx, contact("c0")) }); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Go(func() {
					name := fmt.Sprintf("c%d", i+1)
					errs[i] = db.InOwnerTx(ctx, owner.ID, func(tx keyward.OwnerTx) error { run(name); return tx.CreateContact(ctx, contact(name)) })
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			user := &keyward.User{ID: "u1", Email: "ada@example.com", Kind: keyward.UserPerson, Verified: true, CreatedAt: now}
			if err := db.InTx(ctx, func(tx keyward.Tx) error { run("user"); return tx.CreateUser(ctx, user) }); err != nil {
				t.Fatal(err)
			}
			errRefused := errors.New("refused")
			if err := db.InTx(ctx, func(keyward.Tx) error { run("refused"); return errRefused }); !errors.Is(err, errRefused) {
				t.Fatalf("a refusing transaction: %v, want %v", err, errRefused)
			}
			twice := 1
			if engine == sqlstore.Postgres {
				twice = 2
			}
			want := map[string]int{"new": twice, "user": twice, "refused": 1}
			for i := range errs {
				want[fmt.Sprintf("c%d", i+1)] = twice
			}
			if fmt.Sprint(runs) != fmt.Sprint(want) {
				t.Errorf("runs %v, want %v", runs, want)
			}
			if len(conflicts) != 0 {
				t.Errorf("the conflict observer saw %v, want nothing", conflicts)
			}
			found, err := db.Direct().FindContacts(ctx, keyward.ContactFilter{OwnerID: owner.ID})
			if err != nil || len(found) != 7 {
				t.Fatalf("%d contacts (%v), want 7", len(found), err)
			}
		})
	}
}
