package oauth

import (
	"errors"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/keyward/keyward/internal/keyward"
)

// authorize serves /connect/authorize. It first refuses, with a JSON error and no redirect, every
// request that RFC 6749 §4.1.2.1 forbids redirecting: unparseable, no or an unknown client_id, no
// redirect_uri or one the client has not registered. The rest goes to op, which validates scopes,
// response type and PKCE and redirects its errors to the now trusted redirect_uri.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) error {
	req, err := op.ParseAuthorizeRequest(r, s.provider.Decoder())
	if err != nil {
		return invalidRequest("the authorization request parameters are malformed")
	}
	if req.ClientID == "" {
		return invalidRequest("client_id is missing")
	}
	client, err := s.store.FindClientByID(r.Context(), req.ClientID)
	if errors.Is(err, keyward.ErrNotFound) {
		return invalidRequest("the client '%s' is not registered", req.ClientID)
	}
	if err != nil {
		return err
	}
	if req.RedirectURI == "" {
		return invalidRequest("redirect_uri is missing")
	}
	if err := op.ValidateAuthReqRedirectURI(opClient{client}, req.RedirectURI, req.ResponseType); err != nil {
		return redirectURIError(err, req.RedirectURI, client.ID)
	}
	s.provider.ServeHTTP(w, r)
	return nil
}

// redirectURIError turns op's refusal of a redirect_uri into ours: op's description when it is an
// OAuth error, a server fault otherwise.
func redirectURIError(err error, uri, clientID string) error {
	oe, ok := errors.AsType[*oidc.Error](err)
	switch {
	case !ok || oe.ErrorType == oidc.ServerError:
		return err
	case oe.Description == "":
		return invalidRequest("the redirect_uri '%s' is not allowed for the client '%s'", uri, clientID)
	}
	return invalidRequest("%s", oe.Description)
}
