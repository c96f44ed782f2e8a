package oauth

import (
	"net/http"
	"slices"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// Endpoint paths (decisions §1). They are also the canonical, lower-case form that requests are
// routed by.
const (
	pathAuthorize  = "/connect/authorize"
	pathConsent    = "/connect/consent"
	pathToken      = "/connect/token"
	pathRevocation = "/connect/revocation"
	pathIntrospect = "/connect/introspect"
	pathUserinfo   = "/connect/userinfo"
	pathDiscovery  = "/.well-known/openid-configuration"
	pathASMetadata = "/.well-known/oauth-authorization-server"
	pathJWKS       = "/.well-known/jwks.json"
)

// clientAuthMethods are the client authentication methods of RFC 6749 §2.3.1; Spring picks
// client_secret_basic when it is listed, IdentityModel posts the secret in the body.
// Introspection is for confidential clients only.
func clientAuthMethods() []string { return []string{"client_secret_basic", "client_secret_post"} }

// publicAuthMethods add "none": public clients (PKCE, token exchange) identify themselves by
// client_id at the token and revocation endpoints.
func publicAuthMethods() []string { return append(clientAuthMethods(), "none") }

// serverMetadata is the OAuth 2.0 Authorization Server Metadata (RFC 8414 §2), served at
// /.well-known/oauth-authorization-server and the first part of the OpenID document.
type serverMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	RevocationAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	AuthorizationResponseISS          bool     `json:"authorization_response_iss_parameter_supported"`
}

// openIDMetadata is the OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3): the server
// metadata plus the members that only OpenID Connect defines, with the ones the Tapkey client
// libraries need (reference §2.4). request_uri_parameter_supported defaults to true, so it is
// stated false.
type openIDMetadata struct {
	serverMetadata
	UserinfoEndpoint                 string   `json:"userinfo_endpoint"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ClaimsSupported                  []string `json:"claims_supported"`
	PromptValuesSupported            []string `json:"prompt_values_supported"`
	RequestURIParameterSupported     bool     `json:"request_uri_parameter_supported"`
}

// claimsSupported are the claims that ID tokens and userinfo carry.
func claimsSupported() []string {
	return []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "email", "email_verified"}
}

// metadata is the RFC 8414 document. grant_types_supported lists exactly the grants the token
// endpoint serves, so the document never promises a grant that is refused.
func (s *Server) metadata() serverMetadata {
	return serverMetadata{
		Issuer:                            s.cfg.Issuer,
		AuthorizationEndpoint:             s.endpoint(pathAuthorize),
		TokenEndpoint:                     s.endpoint(pathToken),
		JWKSURI:                           s.endpoint(pathJWKS),
		RevocationEndpoint:                s.endpoint(pathRevocation),
		IntrospectionEndpoint:             s.endpoint(pathIntrospect),
		ScopesSupported:                   keyward.ClientScopes(),
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query", "form_post"},
		GrantTypesSupported:               s.grantTypes(),
		TokenEndpointAuthMethodsSupported: publicAuthMethods(),
		RevocationAuthMethodsSupported:    publicAuthMethods(),
		IntrospectionAuthMethodsSupported: clientAuthMethods(),
		CodeChallengeMethodsSupported:     []string{"S256"},
		AuthorizationResponseISS:          true,
	}
}

// serverMetadataDocument serves GET /.well-known/oauth-authorization-server (RFC 8414 §3).
func (s *Server) serverMetadataDocument(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, s.metadata())
	return nil
}

// discovery serves GET /.well-known/openid-configuration.
func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, openIDMetadata{
		serverMetadata:                   s.metadata(),
		UserinfoEndpoint:                 s.endpoint(pathUserinfo),
		SubjectTypesSupported:            []string{"public"},
		IDTokenSigningAlgValuesSupported: []string{token.Algorithm},
		ClaimsSupported:                  claimsSupported(),
		PromptValuesSupported:            promptValues(),
	})
	return nil
}

// grantTypes returns the grant types of the token endpoint, sorted.
func (s *Server) grantTypes() []string {
	types := make([]string, 0, len(s.grants))
	for t := range s.grants {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// jwks serves GET /.well-known/jwks.json: the public half of every stored signing key.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.keys.JWKS(r.Context()))
	return nil
}
