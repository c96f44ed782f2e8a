package apitest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

// FireGrants sends n grant requests at once, the i-th, req(i), through nodes[i%len(nodes)], and
// counts the answers by Outcome.
func FireGrants(nodes []*client.Account, n int, req func(i int) keyward.GrantCreate) map[string]int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := nodes[i%len(nodes)].CreateGrant(context.Background(), req(i))
			mu.Lock()
			counts[Outcome(err, 200)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}

// Outcome names the answer of a client call for counting: the status it expected when err is
// nil, the status and ErrorCode of a refusal ("400 Duplicate"), or the error of a call that got
// no answer.
func Outcome(err error, ok int) string {
	var e *client.Error
	switch {
	case err == nil:
		return fmt.Sprint(ok)
	case !errors.As(err, &e):
		return err.Error()
	case e.ErrorCode != "":
		return fmt.Sprintf("%d %s", e.Status, e.ErrorCode)
	}
	return fmt.Sprint(e.Status)
}
