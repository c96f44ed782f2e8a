package client

import (
	"context"
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// BoundCards lists the account's bound cards.
func (a *Account) BoundCards(ctx context.Context, q *Query) ([]*keyward.BoundCard, error) {
	return list[keyward.BoundCard](ctx, a.c, a.path+"/BoundCards", q.values())
}

// BoundCard reads one bound card.
func (a *Account) BoundCard(ctx context.Context, id string) (*keyward.BoundCard, error) {
	return entity[keyward.BoundCard](ctx, a.c, http.MethodGet, a.path+"/BoundCards"+seg(id), nil, nil)
}

// BindCard binds a registered card to the account by its id or uid.
func (a *Account) BindCard(ctx context.Context, r keyward.BindCardRequest) (*keyward.BoundCard, error) {
	return entity[keyward.BoundCard](ctx, a.c, http.MethodPut, a.path+"/BoundCards", nil, r)
}

// UpdateBoundCard changes a bound card; the route answers without the card, as Tapkey's does.
func (a *Account) UpdateBoundCard(ctx context.Context, id string, u keyward.BoundCardUpdate) error {
	return noContent(ctx, a.c, http.MethodPatch, a.path+"/BoundCards"+seg(id), u)
}
