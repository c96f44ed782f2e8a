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

// TestDeadlockVictimRunsAgain_Postgres: two transactions that update two rows in opposite
// orders deadlock, and PostgreSQL ends one of them. Neither caller sees it: the victim was
// rolled back and runs again once the other committed, in a transaction of its own (InTx) and
// in a batch of an account's queue (InOwnerTx), where the victim shares its batch with another
// job that must be kept once, not run again. Each side then counts once on each row, and the
// conflict observer saw the one deadlock, retried.
func TestDeadlockVictimRunsAgain_Postgres(t *testing.T) {
	db := sqltest.OpenOnce(t, sqlstore.Postgres) // counts the runs of transactions
	ctx := context.Background()
	now := keyward.NewTime(time.Now())
	for _, id := range []string{"o1", "o2"} {
		if err := db.InNewOwnerTx(ctx, &keyward.Owner{ID: id, Name: id, Active: true, CreatedAt: now}, func(keyward.OwnerTx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE probe (id int PRIMARY KEY, n int NOT NULL);
		CREATE TABLE probe_kept (job text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	// crossing returns a transaction's function that adds 1 to row first, tells the other side,
	// waits until the other side has row second, gives it wait to block on row first, then adds
	// 1 to row second. The side that blocks first is the one whose deadlock check runs first
	// (after deadlock_timeout, 1 s): PostgreSQL ends it, the victim. Its next run waits until
	// the other side holds both rows, so that it crosses nobody: a waiter woken by the victim's
	// end is not sure to take the row before the victim's next run does. runs counts its runs.
	type side struct {
		first, second int
		wait          time.Duration
		mine, theirs  chan struct{}
		done, through chan struct{} // closed when this side, and the other, holds both rows
		runs          int
	}
	crossing := func(s *side) func(tx keyward.Tx) error {
		return func(tx keyward.Tx) error {
			s.runs++
			if s.runs > 1 {
				<-s.through
			}
			add := func(id int) error { return sqlstore.Exec(ctx, tx, `UPDATE probe SET n = n + 1 WHERE id = $1`, id) }
			if err := add(s.first); err != nil {
				return err
			}
			if s.runs == 1 {
				close(s.mine)
				<-s.theirs
				time.Sleep(s.wait)
			}
			if err := add(s.second); err != nil {
				return err
			}
			close(s.done)
			return nil
		}
	}
	pair := func() (victim, other *side) {
		a, b, doneA, doneB := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
		return &side{first: 1, second: 2, mine: a, theirs: b, done: doneA, through: doneB},
			&side{first: 2, second: 1, wait: 200 * time.Millisecond, mine: b, theirs: a, done: doneB, through: doneA}
	}
	counts := func() map[int]int {
		rows, err := db.SQL().QueryContext(ctx, `SELECT id, n FROM probe`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[int]int{}
		for rows.Next() {
			var id, n int
			if err := rows.Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			got[id] = n
		}
		return got
	}
	reset := func() {
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM probe; INSERT INTO probe VALUES (1, 0), (2, 0)`); err != nil {
			t.Fatal(err)
		}
	}
	var conflicts []sqlstore.Conflict
	var seen sync.Mutex
	db.ObserveConflicts(func(c sqlstore.Conflict) { seen.Lock(); conflicts = append(conflicts, c); seen.Unlock() })
	check := func(t *testing.T, errs []error, victim, other *side) {
		t.Helper()
		seen.Lock()
		if want := []sqlstore.Conflict{{SQLState: "40P01", Retried: true}}; fmt.Sprint(conflicts) != fmt.Sprint(want) {
			t.Errorf("conflicts observed %v, want %v", conflicts, want)
		}
		conflicts = nil
		seen.Unlock()
		for i, err := range errs {
			if err != nil {
				t.Errorf("transaction %d: %v", i, err)
			}
		}
		if victim.runs != 2 || other.runs != 1 {
			t.Errorf("the victim ran %d times and the other side %d, want 2 and 1", victim.runs, other.runs)
		}
		if got, want := counts(), map[int]int{1: 2, 2: 2}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("rows counted %v, want %v: each side once on each row", got, want)
		}
	}

	t.Run("InTx", func(t *testing.T) {
		reset()
		victim, other := pair()
		errs := make([]error, 2)
		var wg sync.WaitGroup
		wg.Go(func() { errs[0] = db.InTx(ctx, crossing(victim)) })
		wg.Go(func() { errs[1] = db.InTx(ctx, crossing(other)) })
		wg.Wait()
		check(t, errs, victim, other)
	})

	t.Run("InOwnerTx batch", func(t *testing.T) {
		reset()
		victim, other := pair()
		owned := func(fn func(keyward.Tx) error) func(keyward.OwnerTx) error {
			return func(tx keyward.OwnerTx) error { return fn(tx.Tx) }
		}
		errs := make([]error, 4)
		keptRuns := 0
		var wg sync.WaitGroup
		// o1's first transaction holds the queue while the kept job and the victim queue behind
		// it, so that those two run in one batch.
		wg.Go(func() {
			errs[0] = db.InOwnerTx(ctx, "o1", func(keyward.OwnerTx) error { time.Sleep(300 * time.Millisecond); return nil })
		})
		time.Sleep(50 * time.Millisecond)
		wg.Go(func() {
			errs[1] = db.InOwnerTx(ctx, "o1", func(tx keyward.OwnerTx) error {
				keptRuns++
				return sqlstore.Exec(ctx, tx.Tx, `INSERT INTO probe_kept VALUES ('kept')`)
			})
		})
		time.Sleep(50 * time.Millisecond)
		wg.Go(func() { errs[2] = db.InOwnerTx(ctx, "o1", owned(crossing(victim))) })
		wg.Go(func() { errs[3] = db.InOwnerTx(ctx, "o2", owned(crossing(other))) })
		wg.Wait()
		check(t, errs, victim, other)
		var kept int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM probe_kept`).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 1 || keptRuns != 1 {
			t.Errorf("the job batched with the victim ran %d times and is stored %d times, want once", keptRuns, kept)
		}
	})
}
