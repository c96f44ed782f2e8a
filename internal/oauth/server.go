package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// Lifetimes of what the server issues. Access tokens follow the IdentityServer default that
// Tapkey clients are written against (reference §2.3); the others are Keyward's choice.
const (
	// DefaultAccessTokenLifetime is the lifetime of an access token when Config leaves it zero.
	DefaultAccessTokenLifetime = time.Hour
	// DefaultRefreshTokenLifetime is how long an unused refresh token stays valid. Each use
	// rotates it, so a client that refreshes at least monthly stays signed in.
	DefaultRefreshTokenLifetime = 30 * 24 * time.Hour
	// AuthCodeLifetime is the lifetime of an authorization code: the browser hands it to the
	// client at once, so a minute is plenty (RFC 6749 §4.1.2 recommends at most ten).
	AuthCodeLifetime = 60 * time.Second
)

// Audience is the "aud" of every access token Keyward issues and the audience VerifyAccessToken
// requires; Tapkey's mobile clients ask for it by this name (reference §2.6).
const Audience = "tapkey_api"

// Store is the storage the authorization server needs; keyward.Store implements it. Lookups of
// a missing row return an error matching keyward.ErrNotFound.
type Store interface {
	FindClientByID(ctx context.Context, id string) (*keyward.Client, error)
	FindUserByID(ctx context.Context, id string) (*keyward.User, error)
	CreateSigningKey(ctx context.Context, k *keyward.SigningKey) error
	FindSigningKeys(ctx context.Context) ([]*keyward.SigningKey, error)

	FindTokenFamily(ctx context.Context, id string) (*keyward.TokenFamily, error)
	RevokeTokenFamily(ctx context.Context, id string, at keyward.Time) error
	FindRefreshToken(ctx context.Context, hash string) (*keyward.RefreshToken, error)
	FindIdentityProvider(ctx context.Context, ipID string) (*keyward.IdentityProvider, error)
	CheckAccessToken(ctx context.Context, c keyward.TokenCheck) (*keyward.TokenStanding, error)
	FindConsent(ctx context.Context, userID, clientID string) (*keyward.Consent, error)

	// InTx runs fn in one transaction, committed when fn returns nil. Issuing a code, redeeming
	// it and rotating a refresh token each write several rows that must land together.
	InTx(ctx context.Context, fn func(tx keyward.Tx) error) error
}

// Accounts is what the authorization server asks of the business layer: creating users is a
// business rule and lives in the service, which the application hands in here.
type Accounts interface {
	// ProvisionIPUser returns the user of identity provider ipID with the external id ipUserID,
	// creating it on first use; token exchange signs that user in.
	ProvisionIPUser(ctx context.Context, ipID, ipUserID string) (*keyward.IPUser, error)
}

// Config configures a Server. Issuer is required; the other fields have defaults.
type Config struct {
	// Issuer is the public base URL, exactly as it appears in "iss" and in the discovery
	// document: http or https, no trailing slash, no query (decisions §1). Endpoints are
	// advertised as Issuer + "/connect/token" etc. but served at the root of Handler, so a path in
	// the issuer is for a reverse proxy that strips it.
	Issuer string
	// AccessTokenLifetime defaults to DefaultAccessTokenLifetime.
	AccessTokenLifetime time.Duration
	// RefreshTokenLifetime defaults to DefaultRefreshTokenLifetime.
	RefreshTokenLifetime time.Duration
	// Now is the clock for minting and verifying tokens; it defaults to time.Now.
	Now func() time.Time
	// ObserveToken, when set, is told of every token request of a supported grant type: the
	// grant type and "issued", or the OAuth error code it was refused with (metrics).
	ObserveToken func(grantType, outcome string)
	// Logger receives server-side failures and key events; it defaults to slog.Default().
	Logger *slog.Logger
	// Accounts creates identity-provider users on token exchange. Without it, the token-exchange
	// grant is not offered.
	Accounts Accounts
	// Pages are the sign-in and consent pages with the browser sessions. Without them, neither
	// /connect/authorize with its consent form nor the /account pages are served (a server that
	// only issues and verifies tokens).
	Pages *account.Server
}

// Server is Keyward's authorization server. It is safe for concurrent use.
type Server struct {
	cfg    Config
	store  Store
	log    *slog.Logger
	keys   *token.Keys
	grants map[string]grantHandler
	pages  *account.Server // nil without Config.Pages
}

// New validates cfg, loads the signing keys from store (creating one when there is none) and
// builds the server. Several nodes may call New at the same time on one
// database (see token.Load).
func New(ctx context.Context, cfg Config, store Store) (*Server, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: store, log: cfg.Logger, pages: cfg.Pages}
	if s.keys, err = token.Load(ctx, store, cfg.Now, cfg.Logger); err != nil {
		return nil, err
	}
	s.grants = map[string]grantHandler{
		keyward.GrantClientCredentials: s.clientCredentialsGrant,
		keyward.GrantAuthorizationCode: s.authorizationCodeGrant,
		keyward.GrantRefreshToken:      s.refreshTokenGrant,
	}
	if cfg.Accounts != nil {
		s.grants[keyward.GrantTokenExchange] = s.tokenExchangeGrant
	}
	return s, nil
}

func withDefaults(cfg Config) (Config, error) {
	if err := validateIssuer(cfg.Issuer); err != nil {
		return cfg, err
	}
	if cfg.AccessTokenLifetime < 0 || cfg.RefreshTokenLifetime < 0 {
		return cfg, fmt.Errorf("oauth: token lifetimes %s and %s must not be negative", cfg.AccessTokenLifetime, cfg.RefreshTokenLifetime)
	}
	if cfg.AccessTokenLifetime == 0 {
		cfg.AccessTokenLifetime = DefaultAccessTokenLifetime
	}
	if cfg.AccessTokenLifetime < time.Second {
		return cfg, fmt.Errorf("oauth: access token lifetime %s is shorter than a second", cfg.AccessTokenLifetime)
	}
	if cfg.RefreshTokenLifetime == 0 {
		cfg.RefreshTokenLifetime = DefaultRefreshTokenLifetime
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}

// validateIssuer enforces decisions §1: clients such as Spring compare the discovered issuer
// with the configured one character by character, so it must be a clean base URL.
func validateIssuer(issuer string) error {
	if issuer == "" {
		return errors.New("oauth: the issuer is empty")
	}
	u, err := url.Parse(issuer)
	if err != nil {
		return fmt.Errorf("oauth: issuer %q is not a URL: %w", issuer, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("oauth: issuer %q must use http or https", issuer)
	case u.Host == "":
		return fmt.Errorf("oauth: issuer %q has no host", issuer)
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(issuer, "?#"):
		return fmt.Errorf("oauth: issuer %q must not have a query or fragment", issuer)
	case strings.HasSuffix(issuer, "/"):
		return fmt.Errorf("oauth: issuer %q must not end with a slash", issuer)
	}
	return nil
}

// endpoint returns the absolute URL of an endpoint path.
func (s *Server) endpoint(path string) string { return s.cfg.Issuer + path }

// now returns the server's clock as a keyward.Time.
func (s *Server) now() keyward.Time { return keyward.NewTime(s.cfg.Now()) }
