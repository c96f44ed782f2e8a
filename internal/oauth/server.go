package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/keyward/keyward/internal/keyward"
)

// DefaultAccessTokenLifetime is the lifetime of an access token when Config leaves it zero: one
// hour, the IdentityServer default that Tapkey clients are written against (reference §2.3).
const DefaultAccessTokenLifetime = time.Hour

// Audience is the "aud" of every access token Keyward issues and the audience VerifyAccessToken
// requires; Tapkey's mobile clients ask for it by this name (reference §2.6).
const Audience = "tapkey_api"

// Store is the storage the authorization server needs. keyward.Store implements it; tests pass a
// small fake. Lookups of a missing row return an error matching keyward.ErrNotFound.
type Store interface {
	FindClientByID(ctx context.Context, id string) (*keyward.Client, error)
	FindUserByID(ctx context.Context, id string) (*keyward.User, error)
	CreateSigningKey(ctx context.Context, k *keyward.SigningKey) error
	FindSigningKeys(ctx context.Context) ([]*keyward.SigningKey, error)
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
	// Now is the clock for minting and verifying tokens; it defaults to time.Now.
	Now func() time.Time
	// Logger receives server-side failures and key events; it defaults to slog.Default().
	Logger *slog.Logger
}

// Server is Keyward's authorization server. It is safe for concurrent use.
type Server struct {
	cfg      Config
	store    Store
	log      *slog.Logger
	keys     *keyRing
	grants   map[string]grantHandler
	provider *op.Provider
}

// New validates cfg, loads the signing keys from store (creating the first one when there is
// none) and builds the server. Several nodes may call New at the same time on one database; see
// keyRing for how they converge.
func New(ctx context.Context, cfg Config, store Store) (*Server, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: store, log: cfg.Logger}
	s.keys = newKeyRing(store, cfg.Now, cfg.Logger)
	if err := s.keys.ensure(ctx); err != nil {
		return nil, err
	}
	s.grants = map[string]grantHandler{
		keyward.GrantClientCredentials: s.clientCredentialsGrant,
	}
	if s.provider, err = newProvider(s); err != nil {
		return nil, fmt.Errorf("oauth: create provider: %w", err)
	}
	return s, nil
}

func withDefaults(cfg Config) (Config, error) {
	if err := validateIssuer(cfg.Issuer); err != nil {
		return cfg, err
	}
	if cfg.AccessTokenLifetime < 0 {
		return cfg, fmt.Errorf("oauth: access token lifetime %s is negative", cfg.AccessTokenLifetime)
	}
	if cfg.AccessTokenLifetime == 0 {
		cfg.AccessTokenLifetime = DefaultAccessTokenLifetime
	}
	if cfg.AccessTokenLifetime < time.Second {
		return cfg, fmt.Errorf("oauth: access token lifetime %s is shorter than a second", cfg.AccessTokenLifetime)
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
