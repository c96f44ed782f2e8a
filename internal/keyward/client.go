package keyward

import "strings"

// Grant types an OAuth client may use.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantTokenExchange     = "http://tapkey.net/oauth/token_exchange"
)

// UserGrantTypes are the grant types a signed-in user may register a client with: the
// authorization code (with its refreshes) for an application people sign in to, and client
// credentials for a service of the user's own. The token exchange, which turns another
// identity provider's tokens into Keyward's, stays the operator's to register.
var UserGrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials}

// Client is a registered OAuth client. Its secret is stored only as a hash; a client-credentials
// client acts as its own service user (ServiceUserID).
type Client struct {
	ID            string
	Name          string
	SecretHash    string // "" for public clients
	GrantTypes    []string
	Scopes        []string
	RedirectURIs  []string
	Public        bool
	ServiceUserID *string
	OwnerUserID   *string // the user who manages the client
	LogoURL       string  // shown on the consent page
	// AllowedOrigins are web origins, besides those of the redirect URIs, whose scripts may read
	// the token, revocation and userinfo responses (CORS).
	AllowedOrigins []string
	CreatedAt      Time
}

// ClientCreate is an OAuth client to register; the secret arrives hashed. AdminOf, Role and
// OwnerEmail are the operator's: a user registers a client the user manages, which administers
// nothing until an Owner gives its service user a permission.
type ClientCreate struct {
	Name         string
	SecretHash   string
	GrantTypes   []string
	Scopes       []string
	RedirectURIs []string
	Public       bool
	AdminOf      string // owner account the client's service user administers, "" for none
	Role         Role   // the service user's role in AdminOf; "" means Admin
	OwnerEmail   string // the user who manages the client, "" for none
	LogoURL      string
	// AllowedOrigins are web origins besides those of the redirect URIs that may read the
	// token, revocation and userinfo responses (CORS).
	AllowedOrigins []string
}

// AllowsScope reports whether the client may request scope s: it was registered with s, or with
// the write scope that implies the read scope s.
func (c *Client) AllowsScope(s string) bool {
	return contains(c.Scopes, s) || (strings.HasPrefix(s, "read:") && contains(c.Scopes, "write:"+strings.TrimPrefix(s, "read:")))
}

// AllowsGrant reports whether the client may use grant type g.
func (c *Client) AllowsGrant(g string) bool { return contains(c.GrantTypes, g) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// SigningKey is a token-signing key. Keys live in the database so that every node of a cluster
// signs and verifies with the same set.
type SigningKey struct {
	ID            string
	Algorithm     string // "RS256"
	PrivateKeyPEM string // PKCS#8
	CreatedAt     Time
}
