package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/keyward/keyward/internal/keyward"
)

// newProvider builds the op.Provider that serves the authorization endpoint. Its endpoint paths
// are ours, so that anything op derives from them (redirects, its own metadata) agrees with the
// discovery document; http issuers are allowed because the operator picks the issuer.
func newProvider(s *Server) (*op.Provider, error) {
	config := &op.Config{
		CodeMethodS256:  true,
		AuthMethodPost:  true,
		SupportedScopes: slices.Clone(keyward.KnownScopes),
	}
	return op.NewProvider(config, &opStorage{s: s}, op.StaticIssuer(s.cfg.Issuer),
		op.WithAllowInsecure(),
		op.WithCrypto(refusingCrypto{}),
		op.WithCustomAuthEndpoint(op.NewEndpoint(pathAuthorize)),
		op.WithCustomTokenEndpoint(op.NewEndpoint(pathToken)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(pathIntrospect)),
		op.WithCustomUserinfoEndpoint(op.NewEndpoint(pathUserinfo)),
		op.WithCustomRevocationEndpoint(op.NewEndpoint(pathRevocation)),
		op.WithCustomEndSessionEndpoint(op.NewEndpoint(pathEndSession)),
		op.WithCustomKeysEndpoint(op.NewEndpoint(pathJWKS)),
		op.WithCustomDeviceAuthorizationEndpoint(op.NewEndpoint(pathDeviceAuthz)),
	)
}

// refusingCrypto replaces op's opaque-token encryption. Keyward issues only JWT access tokens,
// and op's default Crypto uses Config.CryptoKey, all zeros unless set: with it, anyone could
// encrypt "tokenID:userID" and have op take it as a bearer token.
type refusingCrypto struct{}

var errNoOpaqueTokens = errors.New("oauth: opaque op tokens are not used")

func (refusingCrypto) Encrypt(string) (string, error) { return "", errNoOpaqueTokens }
func (refusingCrypto) Decrypt(string) (string, error) { return "", errNoOpaqueTokens }

// opStorage adapts the Server to op.Storage. Only what the authorization endpoint reaches does
// real work (clients, keys); the flows Keyward does not run through op refuse with an OAuth error,
// never with an internal one, so that op cannot turn them into a 500.
type opStorage struct{ s *Server }

var _ op.Storage = (*opStorage)(nil)

// notSupported is the refusal of a storage operation for a flow op never completes here.
func notSupported(what string) *oidc.Error {
	return oidc.ErrUnsupportedGrantType().WithDescription("%s are not supported by this server", what)
}

// CreateAuthRequest is the last step of op's authorization endpoint after all its validation; no
// authorization codes are issued, so it refuses with the RFC 6749 §4.1.2.1 error for that.
func (o *opStorage) CreateAuthRequest(context.Context, *oidc.AuthRequest, string) (op.AuthRequest, error) {
	return nil, &oidc.Error{ErrorType: "unsupported_response_type", Description: "this server does not issue authorization codes"}
}

// AuthRequestByID finds no request: none is ever created.
func (o *opStorage) AuthRequestByID(context.Context, string) (op.AuthRequest, error) {
	return nil, oidc.ErrInvalidRequest().WithDescription("unknown authorization request")
}

// AuthRequestByCode finds no code: none is ever issued.
func (o *opStorage) AuthRequestByCode(context.Context, string) (op.AuthRequest, error) {
	return nil, oidc.ErrInvalidGrant().WithDescription("unknown authorization code")
}

// SaveAuthCode refuses: no authorization codes are issued.
func (o *opStorage) SaveAuthCode(context.Context, string, string) error {
	return notSupported("authorization codes")
}

// DeleteAuthRequest refuses: there are no auth requests.
func (o *opStorage) DeleteAuthRequest(context.Context, string) error {
	return notSupported("authorization requests")
}

// CreateAccessToken refuses: access tokens are minted by Server.mintAccessToken only.
func (o *opStorage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return "", time.Time{}, notSupported("access tokens issued by op")
}

// CreateAccessAndRefreshTokens refuses, like CreateAccessToken.
func (o *opStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, notSupported("refresh tokens")
}

// TokenRequestByRefreshToken finds no refresh token: none is issued.
func (o *opStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, oidc.ErrInvalidGrant().WithDescription("unknown refresh token")
}

// TerminateSession refuses: there are no sessions.
func (o *opStorage) TerminateSession(context.Context, string, string) error {
	return notSupported("sessions")
}

// RevokeToken refuses: access tokens are self-contained and expire on their own.
func (o *opStorage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return &oidc.Error{ErrorType: "unsupported_token_type", Description: "access tokens cannot be revoked"}
}

// GetRefreshTokenInfo recognises no refresh token.
func (o *opStorage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey returns the key ring's newest key, for what op signs itself (ID tokens, later).
func (o *opStorage) SigningKey(context.Context) (op.SigningKey, error) {
	key := o.s.keys.signer()
	if key == nil {
		return nil, oidc.ErrServerError().WithDescription("no signing key is loaded")
	}
	return opSigningKey{key}, nil
}

// SignatureAlgorithms returns RS256, the only algorithm of the key ring.
func (o *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet returns the public keys op verifies its own tokens (id_token_hint) with.
func (o *opStorage) KeySet(context.Context) ([]op.Key, error) {
	var keys []op.Key
	for _, key := range o.s.keys.all() {
		keys = append(keys, opPublicKey{key})
	}
	return keys, nil
}

// GetClientByClientID returns the registered client. A missing client is a plain error and a
// store failure a server_error, as op.OPStorage requires.
func (o *opStorage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	client, err := o.s.store.FindClientByID(ctx, clientID)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, fmt.Errorf("oauth: client %s does not exist", clientID)
	}
	if err != nil {
		o.s.log.ErrorContext(ctx, "oauth: find client for op", "client_id", clientID, "error", err)
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return opClient{client}, nil
}

// AuthorizeClientIDSecret authenticates a confidential client like the token endpoint does. A
// refused client is a plain error and a store failure a server_error, as op.OPStorage requires.
func (o *opStorage) AuthorizeClientIDSecret(ctx context.Context, clientID, clientSecret string) error {
	_, err := o.s.authenticateClient(ctx, clientCredentials{id: clientID, secret: clientSecret})
	if _, refused := errors.AsType[*oauthError](err); err != nil && !refused {
		return oidc.ErrServerError().WithParent(err)
	}
	return err
}

// SetUserinfoFromScopes is deprecated in op and intentionally empty.
func (o *opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromToken refuses: /connect/userinfo is served by Server.userinfo.
func (o *opStorage) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return notSupported("op userinfo requests")
}

// SetIntrospectionFromToken refuses: /connect/introspect is served by Server.introspect.
func (o *opStorage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return notSupported("op introspection requests")
}

// GetPrivateClaimsFromScopes adds no claims.
func (o *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID refuses: clients do not authenticate with private_key_jwt.
func (o *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, oidc.ErrInvalidClient().WithDescription("clients do not authenticate with signed JWTs here")
}

// ValidateJWTProfileScopes refuses: the JWT bearer grant is not supported.
func (o *opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, notSupported("JWT bearer grants")
}

// Health reports op's readiness; the store's health is the application's concern.
func (o *opStorage) Health(context.Context) error { return nil }

// opSigningKey presents a signingKey to op's signer.
type opSigningKey struct{ k *signingKey }

func (k opSigningKey) ID() string                                  { return k.k.id }
func (k opSigningKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opSigningKey) Key() any                                    { return k.k.private }

// opPublicKey presents the public half of a signingKey to op's verifiers.
type opPublicKey struct{ k *signingKey }

func (k opPublicKey) ID() string                         { return k.k.id }
func (k opPublicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opPublicKey) Use() string                        { return "sig" }
func (k opPublicKey) Key() any                           { return &k.k.private.PublicKey }
