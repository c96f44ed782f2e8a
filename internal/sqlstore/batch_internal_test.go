package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestWriteQueue_WithdrawsAnEndedWaiter: a request whose context ends while its transaction
// waits for a running batch gets its context's error at once, and its transaction is withdrawn,
// so no later batch runs it.
func TestWriteQueue_WithdrawsAnEndedWaiter(t *testing.T) {
	q := newWriteQueue()
	q.slot <- struct{}{} // a batch is running
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- q.run(ctx, nil, func(*store) error { return errors.New("the withdrawn transaction ran") })
	}()
	for deadline := time.Now().Add(5 * time.Second); q.waiting() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the transaction did not queue")
		}
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want the context's error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter did not give up when its context ended")
	}
	if n := q.waiting(); n != 0 {
		t.Errorf("%d transactions still wait, want the ended one withdrawn", n)
	}
	<-q.slot
}

// waiting is how many transactions wait for a batch.
func (q *writeQueue) waiting() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// TestPoolWritesRunInTheQueue_SQLite: on SQLite a statement that writes outside a transaction,
// in either form (Exec, and the row of an INSERT … RETURNING), runs as a transaction of the
// write queue: while a batch holds the queue it waits there, not in SQLite's busy handler
// beside it (SQLite's lock is free meanwhile, so beside the queue it would run at once), and it
// is written once the queue lets it run. A read does not wait.
func TestPoolWritesRunInTheQueue_SQLite(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	release := db.writes.hold()
	done := make(chan error, 2)
	go func() {
		_, err := db.store.q.ExecContext(ctx, `INSERT INTO login_failures (email_key, failed_at) VALUES ($1, $2)`, "exec@example.com", 1)
		done <- err
	}()
	go func() {
		var key string
		err := db.store.q.QueryRowContext(ctx, `INSERT INTO login_failures (email_key, failed_at) VALUES ($1, $2) RETURNING email_key`,
			"row@example.com", 2).Scan(&key)
		if err == nil && key != "row@example.com" {
			err = fmt.Errorf("the row answered %q", key)
		}
		done <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); db.writes.waiting() != 2; time.Sleep(time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("a write outside a transaction ran beside the held queue (%v)", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes wait in the queue, want 2", db.writes.waiting())
		}
	}
	var n int
	if err := db.store.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a read while the queue is held: %d rows, %v; want 0 at once", n, err)
	}
	release()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.store.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d rows after the queue ran, %v; want 2", n, err)
	}
}
