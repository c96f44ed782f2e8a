package sqlstore_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

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
	dsn := sqltest.DSN(t, sqlstore.Postgres)
	migrated, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	migrated.Close()
	proxy := startTurnCounter(t, dsn)
	// One connection for the transactions, so that pgx's statement cache, which prepares a
	// statement on its first use in a round trip of its own, is warm for the counted runs; no
	// standing cache, whose watch would look at the database's sessions meanwhile.
	db, err := sqlstore.OpenPool(ctx, proxy.dsn, sqlstore.Pool{MaxConns: 1, NoStandingCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := keyward.TimeFromMillis(1000)
	if err := db.InNewOwnerTx(ctx, &keyward.Owner{ID: "o1", Name: "One", Active: true, CreatedAt: now}, func(keyward.OwnerTx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	n := 0
	contact := func(tx keyward.OwnerTx) error {
		n++
		id := "c" + string(rune('a'+n))
		return tx.CreateContact(ctx, &keyward.Contact{ID: id, OwnerID: "o1", IPID: keyward.IPTapkey, Identifier: &id, CreatedAt: now})
	}
	errRefused := errors.New("refused")
	cases := []struct {
		name  string
		run   func() error
		trips int
	}{
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
	if err := db.InNewOwnerTx(ctx, &keyward.Owner{ID: "o1", Name: "Again", Active: true, CreatedAt: now}, func(keyward.OwnerTx) error { return nil }); err == nil {
		t.Error("a second account o1 was stored")
	}
	if err := db.InOwnerTx(ctx, "o1", func(tx keyward.OwnerTx) error { return nil }); err != nil {
		t.Errorf("the transaction after a failed one: %v", err)
	}
	list, err := db.Direct().FindContacts(ctx, keyward.ContactFilter{OwnerID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	// Four runs stored a contact; the last two, refused, rolled theirs back.
	if want := []string{"cb", "cc"}; !slices.Equal(ids, want) {
		t.Errorf("contacts stored %v, want %v", ids, want)
	}
	if failures, err := db.Direct().CountLoginFailures(ctx, "ada@example.com", keyward.TimeFromMillis(0)); err != nil || failures != 2 {
		t.Errorf("login failures stored: %d, %v; want 2", failures, err)
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

func (p *turnCounter) count() int {
	time.Sleep(20 * time.Millisecond) // the last answer's bytes are through the proxy
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
