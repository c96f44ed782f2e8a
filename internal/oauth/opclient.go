package oauth

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/keyward/keyward/internal/keyward"
)

// opClient presents a keyward.Client to op.
type opClient struct{ c *keyward.Client }

var _ op.Client = opClient{}

func (c opClient) GetID() string                    { return c.c.ID }
func (c opClient) RedirectURIs() []string           { return c.c.RedirectURIs }
func (c opClient) PostLogoutRedirectURIs() []string { return nil }

// ApplicationType makes public clients native, so that op applies RFC 8252's loopback and
// custom-scheme redirect rules to them, and confidential clients web.
func (c opClient) ApplicationType() op.ApplicationType {
	if c.c.Public || c.c.SecretHash == "" {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

// AuthMethod is none for public clients; confidential ones may use Basic or the body alike.
func (c opClient) AuthMethod() oidc.AuthMethod {
	if c.c.Public || c.c.SecretHash == "" {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

// ResponseTypes allows the code response type to clients registered for the code grant only.
func (c opClient) ResponseTypes() []oidc.ResponseType {
	if c.c.AllowsGrant(keyward.GrantAuthorizationCode) {
		return []oidc.ResponseType{oidc.ResponseTypeCode}
	}
	return nil
}

func (c opClient) GrantTypes() []oidc.GrantType {
	types := make([]oidc.GrantType, len(c.c.GrantTypes))
	for i, g := range c.c.GrantTypes {
		types[i] = oidc.GrantType(g)
	}
	return types
}

// LoginURL is where op would send the browser to sign in. opStorage.CreateAuthRequest stores no
// request, so op never redirects there.
func (c opClient) LoginURL(string) string { return "" }

func (c opClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c opClient) IDTokenLifetime() time.Duration       { return time.Hour }
func (c opClient) DevMode() bool                        { return false }
func (c opClient) IsScopeAllowed(scope string) bool     { return c.c.AllowsScope(scope) }
func (c opClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c opClient) ClockSkew() time.Duration             { return 0 }

func (c opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
