package client

import (
	"context"
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// BoundLocks lists the account's bound locks, unbound ones included.
func (a *Account) BoundLocks(ctx context.Context, q *Query) ([]*keyward.BoundLock, error) {
	return list[keyward.BoundLock](ctx, a.c, a.path+"/BoundLocks", q.values())
}

// BoundLock reads one bound lock with the named properties expanded
// (keyward.ExpandSupportedFeatures, ...).
func (a *Account) BoundLock(ctx context.Context, id string, expandNames ...string) (*keyward.BoundLock, error) {
	return entity[keyward.BoundLock](ctx, a.c, http.MethodGet, a.path+"/BoundLocks"+seg(id), expand(expandNames), nil)
}

// LockPropagation reads what a bound lock has not caught up with yet (Keyward extension).
func (a *Account) LockPropagation(ctx context.Context, id string) (*keyward.LockPropagation, error) {
	return entity[keyward.LockPropagation](ctx, a.c, http.MethodGet, a.path+"/BoundLocks"+seg(id)+"/Propagation", nil, nil)
}

// BindLock binds a registered lock to the account by its binding code.
func (a *Account) BindLock(ctx context.Context, r keyward.BindLockRequest) (*keyward.BoundLock, error) {
	return entity[keyward.BoundLock](ctx, a.c, http.MethodPut, a.path+"/BoundLocks", nil, r)
}

// UpdateBoundLock changes a bound lock and returns it.
func (a *Account) UpdateBoundLock(ctx context.Context, id string, u keyward.BoundLockUpdate) (*keyward.BoundLock, error) {
	return entity[keyward.BoundLock](ctx, a.c, http.MethodPatch, a.path+"/BoundLocks"+seg(id), nil, u)
}

// UnbindLock unbinds a lock, which revokes its grants.
func (a *Account) UnbindLock(ctx context.Context, id string) error {
	return noContent(ctx, a.c, http.MethodDelete, a.path+"/BoundLocks"+seg(id), nil)
}
