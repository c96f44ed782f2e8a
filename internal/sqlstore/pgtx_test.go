package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestBeginTravelsWithTheFirstStatement_Postgres counts a transaction's round trips on the wire,
// through a proxy between the store and PostgreSQL: BEGIN goes with the transaction's first
// statement when that answers one row or none (the account's lock, a refresh token's rotation),
// and on its own before a statement that answers rows; what the transaction wrote is committed,
// and a transaction that failed, by its function's refusal or its first statement's error,
// leaves nothing.
func TestBeginTravelsWithTheFirstStatement_Postgres(t *testing.T) {
	ctx := context.Background()
	db, proxy := proxiedStore(t)
	now := keyward.TimeFromMillis(1000)
	n := 0
	contact := func(tx keyward.OwnerTx) error {
		n++
		id := "c" + string(rune('a'+n))
		return tx.CreateContact(ctx, &keyward.Contact{ID: id, OwnerID: "o1", IPID: keyward.IPTapkey, Identifier: &id, CreatedAt: now})
	}
	errRefused := errors.New("refused")
	rotations := refreshChain(t, db)
	cases := []struct {
		name  string
		run   func() error
		trips int
	}{
		{"a refresh token's rotation: BEGIN with the one statement that rotates, COMMIT", func() error {
			return db.InTx(ctx, func(tx keyward.Tx) error { return rotations(tx) })
		}, 2},
		{"an account's transaction: BEGIN with the account's lock, an insert, COMMIT", func() error {
			return db.InOwnerTx(ctx, "o1", contact)
		}, 3},
		{"a transaction that begins with an insert: BEGIN with it, COMMIT", func() error {
			return db.InTx(ctx, func(tx keyward.Tx) error { return tx.RecordLoginFailure(ctx, "ada@example.com", now) })
		}, 2},
		{"a transaction that begins with a list: BEGIN alone, the list, COMMIT", func() error {
			return db.InTx(ctx, func(tx keyward.Tx) error {
				_, err := tx.FindContacts(ctx, keyward.ContactFilter{OwnerID: "o1"})
				return err
			})
		}, 3},
		{"a refused transaction: BEGIN with the account's lock, an insert, ROLLBACK", func() error {
			err := db.InOwnerTx(ctx, "o1", func(tx keyward.OwnerTx) error {
				if err := contact(tx); err != nil {
					return err
				}
				return errRefused
			})
			if !errors.Is(err, errRefused) {
				return err
			}
			return nil
		}, 3},
	}
	for _, c := range cases {
		if err := c.run(); err != nil { // warms the statements
			t.Fatalf("%s: %v", c.name, err)
		}
		before := proxy.count()
		if err := c.run(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := proxy.count() - before; got != c.trips {
			t.Errorf("%s: %d round trips, want %d", c.name, got, c.trips)
		}
	}
	// A first statement that fails fails its transaction, which leaves the one connection usable.
	var pe *pgconn.PgError
	if err := db.InNewOwnerTx(ctx, &keyward.Owner{ID: "o1", Name: "Again", Active: true, CreatedAt: now}, func(keyward.OwnerTx) error { return nil }); !errors.As(err, &pe) || pe.Code != "23505" {
		t.Errorf("a second account o1: %v, want the unique violation", err)
	}
	// A transaction whose function ignored a failed statement is not committed: PostgreSQL
	// answers its COMMIT with ROLLBACK, and the commit fails.
	err := db.InTx(ctx, func(tx keyward.Tx) error {
		if err := tx.RecordLoginFailure(ctx, "ada@example.com", now); err != nil {
			return err
		}
		_ = sqlstore.Exec(ctx, tx, `SELECT 1 / 0`)
		return nil
	})
	if !errors.Is(err, pgx.ErrTxCommitRollback) {
		t.Errorf("a transaction with a failed statement committed: %v, want %v", err, pgx.ErrTxCommitRollback)
	}
	if err := db.InOwnerTx(ctx, "o1", func(tx keyward.OwnerTx) error { return nil }); err != nil {
		t.Errorf("the transaction after a failed one: %v", err)
	}
	ids := contactIDs(t, db)
	// Four runs stored a contact; the last two, refused, rolled theirs back.
	if want := []string{"cb", "cc"}; !slices.Equal(ids, want) {
		t.Errorf("contacts stored %v, want %v", ids, want)
	}
	if failures, err := db.Direct().CountLoginFailures(ctx, "ada@example.com", keyward.TimeFromMillis(0)); err != nil || failures != 2 {
		t.Errorf("login failures stored: %d, %v; want 2, none of the transaction that did not commit", failures, err)
	}
}

// TestSavepointsTravelWithTheJobsFirstStatement_Postgres counts the round trips of a batch of an
// account's transactions (accountQueues) on the wire: each job's savepoint goes with its first
// statement, the account's lock; a job that fails is rolled back to its savepoint and the jobs
// around it are kept.
func TestSavepointsTravelWithTheJobsFirstStatement_Postgres(t *testing.T) {
	ctx := context.Background()
	db, proxy := proxiedStore(t)
	now := keyward.TimeFromMillis(1000)
	errRefused := errors.New("refused")
	n := 0
	batch := func() []error {
		t.Helper()
		errs := make([]error, 5)
		var wg sync.WaitGroup
		// The first holds the queue while the other four queue behind it, in order.
		wg.Go(func() {
			errs[0] = db.InOwnerTx(ctx, "o1", func(keyward.OwnerTx) error { time.Sleep(300 * time.Millisecond); return nil })
		})
		time.Sleep(50 * time.Millisecond)
		for i := 1; i < 5; i++ {
			n++
			id := fmt.Sprintf("c%02d", n)
			wg.Go(func() {
				errs[i] = db.InOwnerTx(ctx, "o1", func(tx keyward.OwnerTx) error {
					err := tx.CreateContact(ctx, &keyward.Contact{ID: id, OwnerID: "o1", IPID: keyward.IPTapkey, Identifier: &id, CreatedAt: now})
					if err == nil && i == 3 {
						err = errRefused
					}
					return err
				})
			})
			time.Sleep(20 * time.Millisecond)
		}
		wg.Wait()
		return errs
	}
	batch() // warms the statements
	before := proxy.count()
	errs := batch()
	// The first alone: BEGIN with the lock, COMMIT. Then the batch: each job its savepoint with
	// the lock, then the insert; the refused one's ROLLBACK TO; one COMMIT.
	if got, want := proxy.count()-before, 2+(4*2+1+1); got != want {
		t.Errorf("%d round trips, want %d", got, want)
	}
	for i, err := range errs {
		switch {
		case i == 3 && !errors.Is(err, errRefused):
			t.Errorf("transaction %d: %v, want its refusal", i, err)
		case i != 3 && err != nil:
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	ids := contactIDs(t, db)
	if want := []string{"c01", "c02", "c04", "c05", "c06", "c08"}; !slices.Equal(ids, want) {
		t.Errorf("contacts stored %v, want %v: the refused jobs' undone, the others kept", ids, want)
	}
}

// contactIDs lists the ids of account o1's contacts.
func contactIDs(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	list, err := db.Direct().FindContacts(context.Background(), keyward.ContactFilter{OwnerID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	return ids
}

// proxiedStore is a migrated store on a fresh PostgreSQL database, with the account o1, reached
// through a turnCounter. It has one connection for its transactions, so that pgx's statement
// cache, which prepares a statement on its first use in a round trip of its own, is warm for
// counted runs, and no standing cache, whose watch would look at the database's sessions.
func proxiedStore(t *testing.T) (*sqlstore.DB, *turnCounter) {
	t.Helper()
	ctx := context.Background()
	dsn := sqltest.DSN(t, sqlstore.Postgres)
	migrated, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	migrated.Close()
	proxy := startTurnCounter(t, dsn)
	db, err := sqlstore.OpenPool(ctx, proxy.dsn, sqlstore.Pool{MaxConns: 1, NoStandingCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	owner := &keyward.Owner{ID: "o1", Name: "One", Active: true, CreatedAt: keyward.TimeFromMillis(1000)}
	if err := db.InNewOwnerTx(ctx, owner, func(keyward.OwnerTx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	return db, proxy
}

// refreshChain stores a client, its user's token family and a refresh token, and returns what
// rotates the latest token of the chain, failing unless the rotation spent it.
func refreshChain(t *testing.T, db *sqlstore.DB) func(tx keyward.Tx) error {
	t.Helper()
	ctx := context.Background()
	now := keyward.TimeFromMillis(1000)
	s := db.Direct()
	c := &keyward.Client{ID: "app", Name: "App", GrantTypes: []string{keyward.GrantRefreshToken}, CreatedAt: now}
	for _, err := range []error{
		s.CreateUser(ctx, &keyward.User{ID: "u1", Email: "ada@example.com", Kind: keyward.UserPerson, Verified: true, CreatedAt: now}),
		s.CreateClient(ctx, c),
		s.CreateTokenFamily(ctx, &keyward.TokenFamily{ID: "fam", ClientID: c.ID, UserID: "u1", CreatedAt: now}),
		s.CreateRefreshToken(ctx, &keyward.RefreshToken{Hash: "rt0", FamilyID: "fam", ClientID: c.ID, UserID: "u1",
			Scopes: []string{keyward.ScopeOfflineAccess}, CreatedAt: now, ExpiresAt: keyward.TimeFromMillis(1e12)}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	return func(tx keyward.Tx) error {
		next := &keyward.RefreshToken{Hash: fmt.Sprintf("rt%d", n+1), CreatedAt: now, ExpiresAt: keyward.TimeFromMillis(1e12)}
		spent, fam, err := tx.RotateRefreshToken(ctx, fmt.Sprintf("rt%d", n), now, next)
		switch {
		case err != nil:
			return err
		case spent.UsedAt != nil || fam == nil:
			return fmt.Errorf("the rotation of rt%d answered %+v and family %+v, want it spent now", n, spent, fam)
		}
		n++
		return nil
	}
}

// turnCounter is a TCP proxy to a PostgreSQL server that counts round trips: the times a client
// speaks after the server did (or first), on every connection.
type turnCounter struct {
	dsn   string // the database's address through the proxy
	mu    sync.Mutex
	turns int
}

func startTurnCounter(t *testing.T, dsn string) *turnCounter {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	server := u.Host
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	u.Host = l.Addr().String()
	p := &turnCounter{dsn: u.String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.relay(c, server)
		}
	}()
	return p
}

// count is the turns so far: a turn is counted before the proxy passes the client's bytes on,
// so every turn of a transaction that returned is in it.
func (p *turnCounter) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.turns
}

// relay copies one connection both ways, counting the client's turns.
func (p *turnCounter) relay(client net.Conn, server string) {
	defer client.Close()
	up, err := net.Dial("tcp", server)
	if err != nil {
		return
	}
	defer up.Close()
	var mu sync.Mutex
	serverSpoke := true
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := up.Read(buf)
			if n > 0 {
				mu.Lock()
				serverSpoke = true
				mu.Unlock()
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				client.Close()
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			mu.Lock()
			if serverSpoke {
				serverSpoke = false
				p.mu.Lock()
				p.turns++
				p.mu.Unlock()
			}
			mu.Unlock()
			if _, werr := up.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // the client closed the connection, and the deferred closes end the other side
		}
	}
}
