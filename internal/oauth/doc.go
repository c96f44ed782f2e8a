// Package oauth is Keyward's OAuth 2.0 authorization server: the /connect/* endpoints, the
// discovery document and the JWKS, client authentication, PKCE, codes and refresh tokens, and
// the verification of the access tokens it issues (it implements keyward.TokenVerifier).
//
// # Shape
//
// Server.Handler is our own http.Handler. It canonicalises the path (case, doubled and trailing
// slashes, decisions §1) and routes each endpoint to a handler of this package. Handlers are
// func(w, r) error. The JSON endpoints have one writer, writeError, that turns every error into
// the RFC 6749 §5.2 body {"error","error_description"}; the pages have one, account.Server.Handle,
// that shows a refusal on the message page and a server fault as a generic page. No response ever
// carries internal error text.
//
// The token endpoint dispatches on grant_type through Server.grants, a table of grantHandler
// functions: client_credentials, authorization_code, refresh_token and, when Config.Accounts is
// set, Tapkey's token exchange. A grant type that is not in the table is refused with
// unsupported_grant_type, and the discovery document lists exactly the table's keys.
//
// # The authorization endpoint is ours
//
// /connect/authorize is written here rather than served by zitadel/oidc's op.Provider. The
// behaviour Keyward needs differs from op's in ways that are the point of the endpoint: op matches loopback redirect URIs of native clients on any port, while
// Keyward requires the exact registered string; op silently drops scopes a client may not have
// instead of answering invalid_scope; op accepts PKCE "plain"; op needs stored auth requests
// and its own callback round trip, where Keyward's consent form carries the validated request
// and the consent handler validates it again. With those replaced, nothing of op would remain
// in use, so Keyward does not depend on it. The validation order is RFC 6749 §4.1.2.1's: client and
// redirect URI first, answered on an error page and never by redirect, then everything else
// answered through the redirect in the requested response mode (query or form_post) with
// "state" echoed byte for byte and "iss" added (RFC 9207).
//
// # Pages
//
// The sign-in, sign-up, verification and account pages, the browser sessions and the templates
// are package account's; Config.Pages hands them in. The authorization endpoint asks it who is
// signed in and shows its consent page, and Handler routes its pages beside the endpoints, so
// that one path table, one canonicalisation and one answer to unknown paths and wrong methods
// cover both.
//
// # Codes, families and refresh tokens
//
// Every authorization starts a keyward.TokenFamily. A code (32 random bytes, stored by hash,
// valid AuthCodeLifetime) is spent by the first presentation of its own client; presenting it
// again revokes its family. Access tokens issued through a code, a refresh or a token exchange
// carry the family in the "fam" claim, and VerifyAccessToken looks the family up (one primary
// key read) to refuse tokens whose family was revoked. Refresh tokens, issued only with
// offline_access, rotate on every use within the family; a spent refresh token presented again
// revokes the family (RFC 9700 §4.14.2). /connect/revocation revokes the family of a refresh or
// access token; a client-credentials token has no family and is revoked by its jti, which the
// verifier looks up instead of a family.
//
// PKCE is S256 only. Public clients must use it; a confidential client may, and then the token
// endpoint requires the verifier, while a verifier sent for a code issued without a challenge is
// refused (PKCE downgrade, RFC 9700 §4.8.2).
//
// # Token exchange
//
// Tapkey's http://tapkey.net/oauth/token_exchange grant verifies the subject_token as an RS256
// JWT against the public key of the identity provider named by "provider" (see
// ParseRSAPublicKeyPEM), checks iss, aud, exp, iat, nbf, a lifetime of at most
// MaxExchangeTokenLifetime and the ExchangeClientIDClaim, provisions the provider's user
// through Config.Accounts and issues a token acting for that user.
//
// All access tokens are RS256 JWTs with the header typ "at+jwt" (RFC 9068), minted by
// Server.mintAccessToken and checked by VerifyAccessToken; package token signs them and checks
// their signature and type. Tokens of any other typ are never accepted as access tokens.
//
// # OpenID Connect
//
// An authorization-code request with the scope openid also gets an ID token (typ "JWT"), minted
// by Server.mintIDToken; both kinds are signed by token.Keys.Sign. The family of an authorization
// remembers when the user signed in (auth_time), so that refreshes issue ID tokens with the
// original auth_time. prompt (none, login, consent) and max_age decide whether the browser
// signs in again; userinfo and ID tokens carry the claims of the granted scopes (claimsFor).
// Discovery is served as OpenID Provider Metadata and as RFC 8414 server metadata.
package oauth
