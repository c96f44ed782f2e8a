package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// TestClientGone_IsNotAServerError sends a write that has to wait for the account's lock (held
// by another transaction) and gives up on it: the server logs that the client left, at INFO, and
// no internal error.
func TestClientGone_IsNotAServerError(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		token := f.token("admin")
		held, release := make(chan struct{}), make(chan struct{})
		go func() {
			_ = f.m.Store.InOwnerTx(context.Background(), f.ids["o1"], func(keyward.OwnerTx) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "PUT", f.expand(f.base+"/api/v1/Owners/{o1}/Contacts"), strings.NewReader(`{"identifier":"late@example.com"}`))
		f.must(err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("the request did not wait for the lock: %v", err)
		}
		time.Sleep(200 * time.Millisecond) // let the server notice on its own
		close(release)
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(f.logs.String(), `"msg":"client closed the request before the answer"`) {
			if time.Now().After(deadline) {
				t.Fatalf("no log line says the client left:\n%s", f.logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		if logs := f.logs.String(); strings.Contains(logs, `"level":"ERROR"`) || strings.Contains(logs, `"status":500`) {
			t.Fatalf("a client that left was logged as a server error:\n%s", logs)
		}
	})
}
