package sqlstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWriteQueue lets one holder in at a time, lets the next in when it gives the turn back, gives
// up when the waiter's context ends, and lets everything through when there is no queue.
func TestWriteQueue(t *testing.T) {
	q := newWriteQueue()
	release, err := q.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := q.acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second acquire while the first holds the turn: %v, want the context's deadline", err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := q.acquire(context.Background())
		if err == nil {
			r()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("the waiter got in (%v) before the holder gave the turn back", err)
	case <-time.After(20 * time.Millisecond):
	}
	release()
	if err := <-got; err != nil {
		t.Fatalf("the waiter after the release: %v", err)
	}
	var none *writeQueue
	r1, err1 := none.acquire(context.Background())
	r2, err2 := none.acquire(context.Background())
	if err1 != nil || err2 != nil {
		t.Fatalf("no queue: %v, %v; want both through", err1, err2)
	}
	r1()
	r2()
}
