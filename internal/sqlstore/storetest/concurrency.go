package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// testConcurrentBind binds one physical lock from many goroutines at once, each in its own
// transaction: the unique index lets exactly one win.
func testConcurrentBind(t *testing.T, s keyward.Store) {
	o := mkOwner(t, s, 1)
	phys := mkPhysicalLock(t, s, 2)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.InTx(ctx, func(tx keyward.Tx) error {
				return tx.CreateBoundLock(ctx, &keyward.BoundLock{ID: fmt.Sprintf("race-%02d", i), OwnerAccountID: o.ID,
					PhysicalLockID: phys.ID, BindDate: at(3), Active: true, CreatedAt: at(3)})
			})
		}()
	}
	wg.Wait()
	won, lost := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, keyward.ErrLockAlreadyBound):
			lost++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 || lost != n-1 {
		t.Fatalf("%d binds won and %d lost, want 1 and %d", won, lost, n-1)
	}
}
