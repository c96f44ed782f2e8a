package client

import (
	"context"
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// LockGroups lists the account's lock groups, deleted ones included.
func (a *Account) LockGroups(ctx context.Context, q *Query) ([]*keyward.LockGroup, error) {
	return list[keyward.LockGroup](ctx, a.c, a.path+"/LockGroups", q.values())
}

// LockGroup reads one lock group with the named properties expanded
// (keyward.ExpandSupportedFeatures, keyward.ExpandStatistics).
func (a *Account) LockGroup(ctx context.Context, id string, expandNames ...string) (*keyward.LockGroup, error) {
	return entity[keyward.LockGroup](ctx, a.c, http.MethodGet, a.path+"/LockGroups"+seg(id), expand(expandNames), nil)
}

// CreateLockGroup creates a lock group without members.
func (a *Account) CreateLockGroup(ctx context.Context, g keyward.LockGroupCreate) (*keyward.LockGroup, error) {
	return entity[keyward.LockGroup](ctx, a.c, http.MethodPut, a.path+"/LockGroups", nil, g)
}

// UpdateLockGroup changes a lock group and returns it.
func (a *Account) UpdateLockGroup(ctx context.Context, id string, u keyward.LockGroupUpdate) (*keyward.LockGroup, error) {
	return entity[keyward.LockGroup](ctx, a.c, http.MethodPatch, a.path+"/LockGroups"+seg(id), nil, u)
}

// DeleteLockGroup deletes a lock group, which revokes its grants.
func (a *Account) DeleteLockGroup(ctx context.Context, id string) error {
	return noContent(ctx, a.c, http.MethodDelete, a.path+"/LockGroups"+seg(id), nil)
}

// LockGroupMembers lists the bound locks of a group.
func (a *Account) LockGroupMembers(ctx context.Context, groupID string, q *Query) ([]*keyward.BoundLock, error) {
	return list[keyward.BoundLock](ctx, a.c, a.path+"/LockGroups"+seg(groupID)+"/BoundLocks", q.values())
}

// AddLockGroupMember adds a bound lock to a group and returns the group.
func (a *Account) AddLockGroupMember(ctx context.Context, groupID, boundLockID string) (*keyward.LockGroup, error) {
	return entity[keyward.LockGroup](ctx, a.c, http.MethodPut, a.path+"/LockGroups"+seg(groupID)+"/BoundLocks", nil,
		keyward.LockGroupMemberRequest{BoundLockID: boundLockID})
}

// RemoveLockGroupMember removes a bound lock from a group.
func (a *Account) RemoveLockGroupMember(ctx context.Context, groupID, boundLockID string) error {
	return noContent(ctx, a.c, http.MethodDelete, a.path+"/LockGroups"+seg(groupID)+"/BoundLocks"+seg(boundLockID), nil)
}
