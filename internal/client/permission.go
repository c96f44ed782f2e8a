package client

import (
	"context"
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// Permissions lists the account's permissions.
func (a *Account) Permissions(ctx context.Context, q *Query) ([]*keyward.Permission, error) {
	return list[keyward.Permission](ctx, a.c, a.path+"/Permissions", q.values())
}

// Permission reads one permission.
func (a *Account) Permission(ctx context.Context, id string) (*keyward.Permission, error) {
	return entity[keyward.Permission](ctx, a.c, http.MethodGet, a.path+"/Permissions"+seg(id), nil, nil)
}

// CreatePermission makes a contact an administrator of the account.
func (a *Account) CreatePermission(ctx context.Context, p keyward.PermissionCreate) (*keyward.Permission, error) {
	return entity[keyward.Permission](ctx, a.c, http.MethodPut, a.path+"/Permissions", nil, p)
}

// DeletePermission removes a permission.
func (a *Account) DeletePermission(ctx context.Context, id string) error {
	return noContent(ctx, a.c, http.MethodDelete, a.path+"/Permissions"+seg(id), nil)
}
