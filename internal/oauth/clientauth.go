package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/param"
)

// clientCredentials are the client_id and client_secret of a request, from HTTP Basic or the body.
type clientCredentials struct{ id, secret string }

// clientForm reads the form of a client's request to the token, introspection or revocation
// endpoint, each value given once, and the credentials it carries.
func clientForm(w http.ResponseWriter, r *http.Request) (url.Values, clientCredentials, error) {
	form, err := param.SingleForm(w, r)
	if err != nil {
		return nil, clientCredentials{}, err
	}
	creds, err := clientCredentialsFrom(r, form)
	return form, creds, err
}

// clientCredentialsFrom reads the client's credentials (RFC 6749 §2.3.1). With HTTP Basic, both
// parts are form-url-decoded after the Base64 step, as the RFC requires and as Authlib and Spring
// encode them. Using Basic and client_secret together is refused: the RFC allows one method.
func clientCredentialsFrom(r *http.Request, form url.Values) (clientCredentials, error) {
	scheme, _, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return clientCredentials{id: form.Get("client_id"), secret: form.Get("client_secret")}, nil
	}
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return clientCredentials{}, invalidClient("the HTTP Basic credentials are not base64 of client_id:client_secret")
	}
	id, err := url.QueryUnescape(rawID)
	if err != nil {
		return clientCredentials{}, invalidClient("the HTTP Basic client_id is not form-url-encoded")
	}
	secret, err := url.QueryUnescape(rawSecret)
	if err != nil {
		return clientCredentials{}, invalidClient("the HTTP Basic client_secret is not form-url-encoded")
	}
	if err := param.CheckText("the HTTP Basic client_id", id); err != nil {
		return clientCredentials{}, err
	}
	if err := param.CheckText("the HTTP Basic client_secret", secret); err != nil {
		return clientCredentials{}, err
	}
	if form.Has("client_secret") {
		return clientCredentials{}, invalidRequest("the client authenticated with both HTTP Basic and client_secret; RFC 6749 section 2.3 allows one method per request")
	}
	if bodyID := form.Get("client_id"); bodyID != "" && bodyID != id {
		return clientCredentials{}, invalidRequest("client_id '%s' in the body differs from the HTTP Basic client_id '%s'", bodyID, id)
	}
	return clientCredentials{id: id, secret: secret}, nil
}

// authFailed is the one answer to an unknown client, a wrong secret and a public client, so that
// the response does not tell which client IDs exist.
func authFailed() error {
	return invalidClient("client authentication failed: unknown client_id or wrong client_secret")
}

// authenticateClient checks the credentials of a confidential client and returns it: a public
// client is refused as authenticateAnyClient refuses one that sends a secret.
func (s *Server) authenticateClient(ctx context.Context, creds clientCredentials) (*keyward.Client, error) {
	if creds.id == "" {
		return nil, invalidClient("the request carries no client credentials: send client_id and client_secret with HTTP Basic or in the body")
	}
	if creds.secret == "" {
		return nil, invalidClient("client_secret is missing")
	}
	return s.authenticateAnyClient(ctx, creds)
}

// authenticateAnyClient authenticates a confidential client by its secret and identifies a public
// client by its client_id alone (RFC 6749 §2.1, §3.2.1): public clients hold no secret, and what
// they may do is bounded by PKCE, the exchange JWT or the refresh token they present. A public
// client that sends a secret is refused like a wrong secret, so that a confidential client whose
// registration changed is noticed.
func (s *Server) authenticateAnyClient(ctx context.Context, creds clientCredentials) (*keyward.Client, error) {
	if creds.id == "" {
		return nil, invalidClient("the request carries no client_id: send it in the body, or with client_secret by HTTP Basic")
	}
	client, err := s.store.FindClientByID(ctx, creds.id)
	if errors.Is(err, keyward.ErrNotFound) {
		s.log.InfoContext(ctx, "oauth: client authentication failed", "client_id", creds.id, "reason", "unknown client")
		return nil, authFailed()
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: find client %s: %w", creds.id, err)
	}
	switch {
	case isPublic(client) && creds.secret == "":
		return client, nil
	case isPublic(client):
		s.log.InfoContext(ctx, "oauth: client authentication failed", "client_id", creds.id, "reason", "secret sent by a public client")
		return nil, authFailed()
	case creds.secret == "":
		return nil, invalidClient("client_secret is missing")
	case !secretMatches(creds.secret, client.SecretHash):
		s.log.InfoContext(ctx, "oauth: client authentication failed", "client_id", creds.id, "reason", "wrong secret")
		return nil, authFailed()
	}
	return client, nil
}

// isPublic reports whether a client has no secret: it authenticates with "none".
func isPublic(c *keyward.Client) bool { return c.Public || c.SecretHash == "" }
