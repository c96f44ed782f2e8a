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

// SeekLogEntries lists a page of the account's or one bound lock's log by keyset: the portal's
// log pages and its CSV export, which must reach the end of a large log as fast as its start.
func (s *Service) SeekLogEntries(ctx context.Context, ownerID string, boundLockID *string, seek keyward.LogSeek, q *keyward.Query) ([]*keyward.LogEntry, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the log entries", keyward.ScopeReadLogs, ""}); err != nil {
		return nil, err
	}
	switch {
	case q == nil || q.Top == nil:
		return nil, keyward.Invalidf("a keyset page of the log needs $top")
	case len(q.OrderBy) > 0 || q.Skip > 0:
		return nil, keyward.Invalidf("a keyset page of the log is in the order of receipt and takes neither $orderby nor $skip")
	}
	if boundLockID != nil {
		if _, err := s.findBoundLock(ctx, s.data, ownerID, *boundLockID); err != nil {
			return nil, err
		}
	}
	return s.findLogEntries(ctx, keyward.LogEntryFilter{OwnerID: ownerID, BoundLockID: boundLockID, Query: q, Seek: &seek})
}

func (s *Service) findLogEntries(ctx context.Context, f keyward.LogEntryFilter) ([]*keyward.LogEntry, error) {
	if err := checkNoExpand(f.Query); err != nil {
		return nil, err
	}
	return s.data.FindLogEntries(ctx, f)
}
