package apitest

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// AsUser is ctx of a signed-in user holding scopes, for calling the service directly, as the
// API's bearer middleware would after checking the user's token.
func AsUser(ctx context.Context, u *keyward.User, scopes ...string) context.Context {
	return keyward.NewContextWithPrincipal(ctx, &keyward.Principal{UserID: u.ID, Email: u.Email, Kind: u.Kind, Scopes: scopes})
}
