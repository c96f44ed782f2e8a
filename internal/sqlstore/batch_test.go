package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestConcurrentTransactionsStayApart runs many write transactions on one account at once, as
// SQLite's write queue batches them: the first holds its transaction open while the others
// queue. Every transaction that returns nil must be committed and every one that fails or whose
// context ended must leave nothing behind, whichever batch it ran in.
func TestConcurrentTransactionsStayApart(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := sqltest.Open(t, engine)
			ctx := context.Background()
			now := keyward.NewTime(time.Now())
			owner := &keyward.Owner{ID: "o1", Name: "Home", Active: true, CreatedAt: now}
			if err := db.InNewOwnerTx(ctx, owner, func(keyward.OwnerTx) error { return nil }); err != nil {
				t.Fatal(err)
			}
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			errRefused := errors.New("refused")
			var wg sync.WaitGroup
			results := make([]error, 40)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					txCtx := ctx
					if i%7 == 6 {
						txCtx = cancelled
					}
					results[i] = db.InOwnerTx(txCtx, owner.ID, func(tx keyward.OwnerTx) error {
						email := fmt.Sprintf("c%02d@example.com", i)
						c := &keyward.Contact{ID: fmt.Sprintf("c%02d", i), OwnerID: owner.ID, IPID: keyward.IPTapkey, Identifier: &email, CreatedAt: now}
						if err := tx.CreateContact(txCtx, c); err != nil {
							return err
						}
						if i == 0 {
							time.Sleep(50 * time.Millisecond) // the others queue meanwhile
						}
						if i%3 == 1 {
							return errRefused
						}
						return nil
					})
				}()
				if i == 0 {
					time.Sleep(10 * time.Millisecond)
				}
			}
			wg.Wait()
			var want []string
			for i, err := range results {
				switch {
				case i%7 == 6:
					if !errors.Is(err, context.Canceled) {
						t.Errorf("transaction %d with an ended context: %v, want context.Canceled", i, err)
					}
				case i%3 == 1:
					if !errors.Is(err, errRefused) {
						t.Errorf("transaction %d: %v, want its own error", i, err)
					}
				case err != nil:
					t.Errorf("transaction %d: %v", i, err)
				default:
					want = append(want, fmt.Sprintf("c%02d", i))
				}
			}
			list, err := db.Direct().FindContacts(ctx, keyward.ContactFilter{OwnerID: owner.ID})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range list {
				got = append(got, c.ID)
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("stored contacts %v, want exactly the committed ones %v", got, want)
			}
		})
	}
}
