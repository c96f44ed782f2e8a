// Package oauth is Keyward's OAuth 2.0 authorization server: the /connect/* endpoints, the
// discovery document and the JWKS, client authentication, the signing keys kept in the database,
// and the verification of the access tokens it issues (it implements keyward.TokenVerifier).
//
// # Shape
//
// Server.Handler is our own http.Handler. It canonicalises the path (case, doubled and trailing
// slashes, decisions §1) and routes each endpoint to a handler of this package. Handlers are
// func(w, r) error; one writer, writeError, turns every error into the RFC 6749 §5.2 body
// {"error","error_description"}, so no response ever carries internal error text.
//
// The token endpoint dispatches on grant_type through Server.grants, a table of grantHandler
// functions. A grant type that is not in the table is refused with unsupported_grant_type, and
// the discovery document lists exactly the table's keys in grant_types_supported, so adding a
// grant is one handler and one table entry.
//
// github.com/zitadel/oidc/v3/pkg/op is used as a library, not as the front door: its Provider
// (built over opStorage, the adapter from op.Storage to our Store and key ring) serves the
// authorization endpoint once our own pre-checks have refused, as JSON and without a redirect,
// every request RFC 6749 §4.1.2.1 forbids redirecting (unknown client, missing or unregistered
// redirect_uri); op then validates the rest and redirects its refusals. The token, introspection,
// revocation and userinfo endpoints, the discovery document and the JWKS are ours: op's handlers
// write errors as text/plain, omit error_description, answer store failures with their internal
// text, log only through slog.Default, and stamp iat and expires_in from the wall clock instead
// of Config.Now. op's opaque-token Crypto is replaced by one that refuses everything, so that no
// token encrypted under op's default all-zero key is ever accepted.
//
// All access tokens are RS256 JWTs with the header typ "at+jwt" (RFC 9068), minted by
// Server.mintAccessToken and checked by VerifyAccessToken. Tokens of any other typ (for example
// future ID tokens, which op signs with the same key) are never accepted as access tokens.
//
// # Growing the package
//
// Authorization code with PKCE: opStorage.CreateAuthRequest today refuses with
// unsupported_response_type after op has validated the request. It will store the auth request
// (keyed by a random ID) and op redirects the browser to Client.LoginURL; the portal signs the
// user in and completes the request, then op's callback (mount it under
// /connect/authorize/callback) issues the code. Codes are stored as HashSecret(code), never in
// clear. The token side is a new grantHandler for "authorization_code" that authenticates the
// client (a secret for confidential clients, none for public ones), loads the code by its hash,
// checks client_id and redirect_uri, verifies code_verifier with op.AuthorizeCodeChallenge
// (S256 only), deletes the code and calls mintAccessToken. Public clients then authenticate with
// "none", which clientAuthMethods must list from that day on.
//
// Refresh tokens with rotation: issued only when offline_access was granted. A refresh token is a
// random secret stored as its hash together with a family ID; using it deletes it and issues a
// new one in the same family, and presenting an already-used token revokes the whole family
// (reuse detection). The "refresh_token" grantHandler ignores redirect_uri and code_verifier,
// which some Tapkey clients send on refresh (reference §2.3). /connect/revocation then revokes
// refresh families; access tokens stay self-contained and simply expire.
//
// Token exchange (http://tapkey.net/oauth/token_exchange): op knows only the RFC 8693 grant URN,
// so this Tapkey grant never reaches op. It is a grantHandler for keyward.GrantTokenExchange:
// a public client identified by client_id, the identity provider named by "provider", the
// subject_token verified as RS256 against the provider's registered public key, issuer and
// audience, the IdP user found or provisioned, and an access token minted for that user.
// Unknown extra parameters (audience, requested_token_type) are ignored.
package oauth
