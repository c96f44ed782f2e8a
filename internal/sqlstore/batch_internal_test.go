package sqlstore

import (
	"context"
	"errors"
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
