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
	"github.com/keyward/keyward/internal/sqlstore"
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

// TestAccountTransactionsBatch_Postgres: on PostgreSQL the transactions of one account that
// arrive while one runs wait in the process and then run together, in one database
// transaction, while another process's transaction on the account runs in its own after the
// row lock; every one's write is committed.
func TestAccountTransactionsBatch_Postgres(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.Postgres)
	ctx := context.Background()
	open := func() *sqlstore.DB {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db, other := open(), open()
	now := keyward.NewTime(time.Now())
	owner := &keyward.Owner{ID: "o1", Name: "Home", Active: true, CreatedAt: now}
	if err := db.InNewOwnerTx(ctx, owner, func(keyward.OwnerTx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	const queued = 10
	txids := make([]int64, queued+2)
	errs := make([]error, queued+2)
	write := func(on *sqlstore.DB, i int, hold time.Duration) {
		errs[i] = on.InOwnerTx(ctx, owner.ID, func(tx keyward.OwnerTx) (err error) {
			if txids[i], err = sqlstore.TxID(ctx, tx); err != nil {
				return err
			}
			email := fmt.Sprintf("c%02d@example.com", i)
			time.Sleep(hold)
			return tx.CreateContact(ctx, &keyward.Contact{ID: fmt.Sprintf("c%02d", i), OwnerID: owner.ID, IPID: keyward.IPTapkey, Identifier: &email, CreatedAt: now})
		})
	}
	var wg sync.WaitGroup
	wg.Go(func() { write(db, 0, 200*time.Millisecond) })
	time.Sleep(50 * time.Millisecond) // the first holds the account's lock
	for i := 1; i <= queued; i++ {
		wg.Go(func() { write(db, i, 0) })
	}
	wg.Go(func() { write(other, queued+1, 0) })
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	batches := map[int64]int{}
	for _, id := range txids[1 : queued+1] {
		batches[id]++
	}
	if batches[txids[0]] != 0 || batches[txids[queued+1]] != 0 {
		t.Errorf("a queued transaction ran in the first's or the other process's database transaction: %v", txids)
	}
	if len(batches) >= queued {
		t.Errorf("the %d transactions queued behind the first ran in %d database transactions, want them batched: %v", queued, len(batches), txids)
	}
	list, err := other.Direct().FindContacts(ctx, keyward.ContactFilter{OwnerID: owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != queued+2 {
		t.Errorf("%d contacts stored, want %d", len(list), queued+2)
	}
}
