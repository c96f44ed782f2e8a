package client

import (
	"context"
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// Owners lists the owner accounts the caller may manage.
func (c *Client) Owners(ctx context.Context, q *Query) ([]*keyward.Owner, error) {
	return list[keyward.Owner](ctx, c, "/Owners", q.values())
}

// CreateOwner creates an owner account whose Owner is the calling user.
func (c *Client) CreateOwner(ctx context.Context, o keyward.OwnerCreate) (*keyward.Owner, error) {
	return entity[keyward.Owner](ctx, c, http.MethodPut, "/Owners", nil, o)
}

// Owner reads the owner account.
func (a *Account) Owner(ctx context.Context) (*keyward.Owner, error) {
	return entity[keyward.Owner](ctx, a.c, http.MethodGet, a.path, nil, nil)
}

// UpdateOwner changes the owner account and returns it.
func (a *Account) UpdateOwner(ctx context.Context, u keyward.OwnerUpdate) (*keyward.Owner, error) {
	return entity[keyward.Owner](ctx, a.c, http.MethodPatch, a.path, nil, u)
}
