package service

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// FindLogEntries lists the access log of an owner account (scope read:logs, any role).
func (s *Service) FindLogEntries(ctx context.Context, ownerID string, q *keyward.Query) ([]*keyward.LogEntry, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the log entries", keyward.ScopeReadLogs, ""}); err != nil {
		return nil, err
	}
	return s.findLogEntries(ctx, keyward.LogEntryFilter{OwnerID: ownerID, Query: q})
}

// FindBoundLockLogEntries lists the access log of one bound lock of the account.
func (s *Service) FindBoundLockLogEntries(ctx context.Context, ownerID, boundLockID string, q *keyward.Query) ([]*keyward.LogEntry, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list a bound lock's log entries", keyward.ScopeReadLogs, ""}); err != nil {
		return nil, err
	}
	if _, err := s.findBoundLock(ctx, s.data, ownerID, boundLockID); err != nil {
		return nil, err
	}
	return s.findLogEntries(ctx, keyward.LogEntryFilter{OwnerID: ownerID, BoundLockID: &boundLockID, Query: q})
}

func (s *Service) findLogEntries(ctx context.Context, f keyward.LogEntryFilter) ([]*keyward.LogEntry, error) {
	if err := checkNoExpand(f.Query); err != nil {
		return nil, err
	}
	return s.data.FindLogEntries(ctx, f)
}
