package apitest

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// AsUser is ctx of a user's token holding scopes, for calling the service directly, as the
// API's bearer middleware would after checking the token.
func AsUser(ctx context.Context, u *keyward.User, scopes ...string) context.Context {
	return keyward.NewContextWithPrincipal(ctx, keyward.TokenPrincipal(u, "", scopes))
}
