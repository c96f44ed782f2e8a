package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// tokenRequest is a parsed POST /connect/token.
type tokenRequest struct {
	form  url.Values // the body parameters, each present at most once
	creds clientCredentials
}

// grantHandler issues a token for one grant type. It authenticates the client itself, because
// how a client authenticates depends on the grant (public clients send no secret).
type grantHandler func(ctx context.Context, req *tokenRequest) (*issuedToken, error)

// tokenResponse is the RFC 6749 §5.1 success body in the shape every Tapkey client parses
// (reference §2.3): token_type Bearer and expires_in an integer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
	IDToken      string `json:"id_token,omitempty"`
}

// token serves POST /connect/token: it parses the form and hands it to the grant's handler. A
// script of one of the client's origins may read the answer, refusals included (see withCORS).
func (s *Server) token(w http.ResponseWriter, r *http.Request) error {
	form, creds, err := clientForm(w, r)
	if err != nil {
		return err
	}
	if err := s.allowOrigin(r.Context(), creds.id); err != nil {
		return err
	}
	grantType := form.Get("grant_type")
	if grantType == "" {
		return invalidRequest("grant_type is missing")
	}
	grant, ok := s.grants[grantType]
	if !ok {
		return unsupportedGrantType("the grant type '%s' is not supported", grantType)
	}
	issued, err := grant(r.Context(), &tokenRequest{form: form, creds: creds})
	s.observeToken(grantType, err)
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:  issued.accessToken,
		TokenType:    "Bearer",
		ExpiresIn:    issued.expiresIn,
		RefreshToken: issued.refreshToken,
		Scope:        strings.Join(issued.scopes, " "),
		IDToken:      issued.idToken,
	})
	return nil
}

// observeToken reports a token request's outcome: "issued", the OAuth error code, or
// server_error for an internal failure.
func (s *Server) observeToken(grantType string, err error) {
	if s.cfg.ObserveToken == nil {
		return
	}
	outcome := "issued"
	var oe *oauthError
	switch {
	case errors.As(err, &oe):
		outcome = oe.code
	case err != nil:
		outcome = "server_error"
	}
	s.cfg.ObserveToken(grantType, outcome)
}

// clientCredentialsGrant issues a token to a confidential client for its own service user
// (RFC 6749 §4.4, decisions §3). No refresh token is issued (RFC 6749 §4.4.3).
func (s *Server) clientCredentialsGrant(ctx context.Context, req *tokenRequest) (*issuedToken, error) {
	client, err := s.authenticateClient(ctx, req.creds)
	if err != nil {
		return nil, err
	}
	if !client.AllowsGrant(keyward.GrantClientCredentials) {
		return nil, unauthorizedClient("the client '%s' is not registered for the client_credentials grant", client.ID)
	}
	if client.ServiceUserID == nil || *client.ServiceUserID == "" {
		s.log.ErrorContext(ctx, "oauth: client-credentials client has no service user", "client_id", client.ID)
		return nil, unauthorizedClient("the client '%s' has no service user to act as", client.ID)
	}
	scopes, err := grantScopes(client, req.form.Get("scope"), keyward.GrantClientCredentials)
	if err != nil {
		return nil, err
	}
	return s.mintAccessToken(ctx, *client.ServiceUserID, client.ID, scopes, "")
}

// grantScopes returns the scopes a token of a grant without a signed-in person gets (client
// credentials, token exchange): all the client's scopes but the OpenID ones when none are
// requested, else the requested ones (in request order, without repeats), each of which the
// client must have. The OpenID scopes are refused: they speak of a person who signed in.
func grantScopes(client *keyward.Client, scope, grant string) ([]string, error) {
	requested := splitScope(scope)
	if len(requested) == 0 {
		return slices.DeleteFunc(slices.Clone(client.Scopes), func(sc string) bool { return slices.Contains(keyward.OpenIDScopes, sc) }), nil
	}
	for _, sc := range requested {
		if slices.Contains(keyward.OpenIDScopes, sc) {
			return nil, invalidScope("the scope '%s' is not available with the %s grant: it needs a person who signs in (authorization_code)", sc, grant)
		}
	}
	return checkScopes(client, requested)
}

// checkScopes returns requested without repeats, refusing a scope that does not exist or that
// the client is not registered with (now: a client's changed scopes apply to the next request).
func checkScopes(client *keyward.Client, requested []string) ([]string, error) {
	granted := make([]string, 0, len(requested))
	for _, sc := range requested {
		switch {
		case slices.Contains(granted, sc):
			continue
		case client.AllowsScope(sc):
			granted = append(granted, sc)
		case !slices.Contains(keyward.ClientScopes(), sc):
			return nil, invalidScope("the scope '%s' does not exist", sc)
		default:
			return nil, invalidScope("the client '%s' is not allowed the scope '%s'", client.ID, sc)
		}
	}
	return granted, nil
}
