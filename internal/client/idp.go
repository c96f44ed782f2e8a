package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/keyward/keyward/internal/keyward"
)

// IdentityProviders lists the account's external identity providers.
func (a *Account) IdentityProviders(ctx context.Context) ([]*keyward.IdentityProvider, error) {
	return list[keyward.IdentityProvider](ctx, a.c, a.path+"/IdentityProviders", nil)
}

// IdentityProvider reads one identity provider by its ipId.
func (a *Account) IdentityProvider(ctx context.Context, ipID string) (*keyward.IdentityProvider, error) {
	return entity[keyward.IdentityProvider](ctx, a.c, http.MethodGet, a.idp(ipID), nil, nil)
}

// CreateIdentityProvider registers an identity provider whose users sign in by token exchange.
func (a *Account) CreateIdentityProvider(ctx context.Context, p keyward.IdentityProviderCreate) (*keyward.IdentityProvider, error) {
	return entity[keyward.IdentityProvider](ctx, a.c, http.MethodPut, a.path+"/IdentityProviders", nil, p)
}

// DeleteIdentityProvider removes an identity provider.
func (a *Account) DeleteIdentityProvider(ctx context.Context, ipID string) error {
	return noContent(ctx, a.c, http.MethodDelete, a.idp(ipID), nil)
}

// IPUsers lists the users of an identity provider.
func (a *Account) IPUsers(ctx context.Context, ipID string, q *Query) ([]*keyward.IPUser, error) {
	return list[keyward.IPUser](ctx, a.c, a.idp(ipID)+"/Users", q.values())
}

// IPUser reads a user of an identity provider by Keyward's id.
func (a *Account) IPUser(ctx context.Context, ipID, id string) (*keyward.IPUser, error) {
	return entity[keyward.IPUser](ctx, a.c, http.MethodGet, a.idp(ipID)+"/Users"+seg(id), nil, nil)
}

// IPUserByIPUserID reads a user of an identity provider by the provider's own user id.
func (a *Account) IPUserByIPUserID(ctx context.Context, ipID, ipUserID string) (*keyward.IPUser, error) {
	return entity[keyward.IPUser](ctx, a.c, http.MethodGet, a.idp(ipID)+"/Users", url.Values{"ipUserId": {ipUserID}}, nil)
}

// CreateIPUser creates a user of an identity provider.
func (a *Account) CreateIPUser(ctx context.Context, ipID string, u keyward.IPUserCreate) (*keyward.IPUser, error) {
	return entity[keyward.IPUser](ctx, a.c, http.MethodPut, a.idp(ipID)+"/Users", nil, u)
}

// UpdateIPUser patches a user of an identity provider; nothing is patchable, so it answers the
// user unchanged or refuses a change of address.
func (a *Account) UpdateIPUser(ctx context.Context, ipID, id string, u keyward.IPUserUpdate) (*keyward.IPUser, error) {
	return entity[keyward.IPUser](ctx, a.c, http.MethodPatch, a.idp(ipID)+"/Users"+seg(id), nil, u)
}

// idp is the path of one identity provider.
func (a *Account) idp(ipID string) string { return a.path + "/IdentityProviders" + seg(ipID) }
