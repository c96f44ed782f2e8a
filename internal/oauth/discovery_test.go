package oauth_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

func TestDiscovery(t *testing.T) {
	f := newFixture(t)
	iss := f.issuer()
	scopes := make([]any, len(keyward.ClientScopes()))
	for i, s := range keyward.ClientScopes() {
		scopes[i] = s
	}
	authMethods := []any{"client_secret_basic", "client_secret_post"}
	publicMethods := []any{"client_secret_basic", "client_secret_post", "none"}
	want := map[string]any{
		"issuer":                                         iss,
		"authorization_endpoint":                         iss + "/connect/authorize",
		"token_endpoint":                                 iss + "/connect/token",
		"jwks_uri":                                       iss + "/.well-known/jwks.json",
		"revocation_endpoint":                            iss + "/connect/revocation",
		"introspection_endpoint":                         iss + "/connect/introspect",
		"userinfo_endpoint":                              iss + "/connect/userinfo",
		"scopes_supported":                               scopes,
		"response_types_supported":                       []any{"code"},
		"response_modes_supported":                       []any{"query", "form_post"},
		"grant_types_supported":                          []any{"authorization_code", "client_credentials", "http://tapkey.net/oauth/token_exchange", "refresh_token"},
		"subject_types_supported":                        []any{"public"},
		"id_token_signing_alg_values_supported":          []any{"RS256"},
		"token_endpoint_auth_methods_supported":          publicMethods,
		"revocation_endpoint_auth_methods_supported":     publicMethods,
		"introspection_endpoint_auth_methods_supported":  authMethods,
		"code_challenge_methods_supported":               []any{"S256"},
		"claims_supported":                               []any{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "email", "email_verified"},
		"authorization_response_iss_parameter_supported": true,
		"prompt_values_supported":                        []any{"none", "login", "consent"},
		"request_uri_parameter_supported":                false,
	}
	for _, path := range []string{"/.well-known/openid-configuration", "/.WELL-KNOWN/OpenID-Configuration/"} {
		t.Run(path, func(t *testing.T) {
			status, header, body := f.do(t, http.MethodGet, path, "", "", "")
			if status != http.StatusOK {
				t.Fatalf("status %d, body %s", status, body)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("discovery document (-want +got):\n%s", diff)
			}
			if got["issuer"] != iss || iss[len(iss)-1] == '/' {
				t.Errorf("issuer %q is not exactly %q", got["issuer"], iss)
			}
			if got := header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin %q, want *", got)
			}
		})
	}
}

// TestServerMetadata checks the RFC 8414 document: the OpenID document without the members only
// OpenID Connect defines.
func TestServerMetadata(t *testing.T) {
	f := newFixture(t)
	_, _, oidc := f.do(t, http.MethodGet, "/.well-known/openid-configuration", "", "", "")
	var want map[string]any
	if err := json.Unmarshal([]byte(oidc), &want); err != nil {
		t.Fatal(err)
	}
	for _, openIDOnly := range []string{"userinfo_endpoint", "subject_types_supported", "id_token_signing_alg_values_supported",
		"claims_supported", "prompt_values_supported", "request_uri_parameter_supported"} {
		delete(want, openIDOnly)
	}
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/OAuth-Authorization-Server/"} {
		status, header, body := f.do(t, http.MethodGet, path, "", "", "")
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil || status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", path, diff)
		}
		if len(got) != 15 || got["issuer"] != f.issuer() || header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: %d members, issuer %v, CORS %q", path, len(got), got["issuer"], header.Get("Access-Control-Allow-Origin"))
		}
	}
}

func TestJWKS(t *testing.T) {
	f := newFixture(t)
	status, _, body := f.do(t, http.MethodGet, "/.well-known/jwks.json", "", "", "")
	if status != http.StatusOK {
		t.Fatalf("status %d, body %s", status, body)
	}
	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Keys) != 1 {
		t.Fatalf("%d keys, want 1", len(raw.Keys))
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := raw.Keys[0][private]; ok {
			t.Errorf("the JWKS publishes the private member %q", private)
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(body), &set); err != nil {
		t.Fatal(err)
	}
	k := set.Keys[0]
	got := []any{k.KeyID, k.Algorithm, k.Use, k.Key.(*rsa.PublicKey).Equal(&parsePrivateKey(t, testKeyPEM()).PublicKey)}
	if diff := cmp.Diff([]any{"kid-1", "RS256", "sig", true}, got); diff != "" {
		t.Errorf("key (-want +got):\n%s", diff)
	}

	// A token from the endpoint verifies against the published key alone.
	token := f.mustToken(t)
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(set.Key(headerOf(t, token)["kid"].(string))[0].Key); err != nil {
		t.Errorf("the token does not verify against the JWKS: %v", err)
	}
	if _, err := f.srv.VerifyAccessToken(context.Background(), token, ""); err != nil {
		t.Errorf("VerifyAccessToken: %v", err)
	}
}
