package client

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// LogEntries lists the account's access log.
func (a *Account) LogEntries(ctx context.Context, q *Query) ([]*keyward.LogEntry, error) {
	return list[keyward.LogEntry](ctx, a.c, a.path+"/LogEntries", q.values())
}

// BoundLockLogEntries lists one bound lock's access log.
func (a *Account) BoundLockLogEntries(ctx context.Context, boundLockID string, q *Query) ([]*keyward.LogEntry, error) {
	return list[keyward.LogEntry](ctx, a.c, a.path+"/BoundLocks"+seg(boundLockID)+"/LogEntries", q.values())
}
