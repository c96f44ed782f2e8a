package keyward_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// TestError_IsByIdentity: every copy matches the sentinel it was made from, through wrapping,
// and no other sentinel, even one with the same kind, code and message.
func TestError_IsByIdentity(t *testing.T) {
	twin := &keyward.Error{Kind: keyward.ErrNotFound.Kind, Message: keyward.ErrNotFound.Message}
	copies := map[string]error{
		"WithDetails":   keyward.ErrNotFound.WithDetails("grant %q does not exist", "g"),
		"WithCause":     keyward.ErrNotFound.WithCause(errors.New("sql: no rows")),
		"CopyOfACopy":   keyward.ErrNotFound.WithDetails("a").WithDetails("b").WithCause(errors.New("c")),
		"Wrapped":       fmt.Errorf("sqlstore: find: %w", keyward.ErrNotFound.WithDetails("x")),
		"TheSentinel":   keyward.ErrNotFound,
		"WithChallenge": keyward.ErrNotFound.WithChallenge(map[string]string{"error": "x"}),
	}
	for name, err := range copies {
		t.Run(name, func(t *testing.T) {
			if !errors.Is(err, keyward.ErrNotFound) {
				t.Errorf("%v does not match ErrNotFound", err)
			}
			if errors.Is(err, twin) || errors.Is(err, keyward.ErrInvalid) {
				t.Errorf("%v matches a sentinel it was not made from", err)
			}
		})
	}
	if keyward.ErrNotFound.WithDetails("x").Details != "x" || keyward.ErrNotFound.Details != "" {
		t.Fatal("WithDetails changed the sentinel")
	}
	if !errors.Is(keyward.InsufficientScope("write:grants"), keyward.ErrInsufficientScope) {
		t.Fatal("InsufficientScope does not match ErrInsufficientScope")
	}
}

// TestKind_Status is the one kind-to-status mapping of every adapter.
func TestKind_Status(t *testing.T) {
	want := map[keyward.Kind]int{keyward.KindInvalid: 400, keyward.KindUnauthorized: 401, keyward.KindPaymentRequired: 402,
		keyward.KindForbidden: 403, keyward.KindNotFound: 404, keyward.KindInternal: 500}
	for k, status := range want {
		if got := k.Status(); got != status {
			t.Errorf("%d.Status() = %d, want %d", k, got, status)
		}
	}
}
