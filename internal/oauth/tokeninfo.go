package oauth

import (
	"cmp"
	"net/http"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// introspection is the RFC 7662 §2.2 response. An inactive token has only "active": false.
type introspection struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	Username  string   `json:"username,omitempty"`
	TokenType string   `json:"token_type,omitempty"`
	Expiry    int64    `json:"exp,omitempty"`
	IssuedAt  int64    `json:"iat,omitempty"`
	NotBefore int64    `json:"nbf,omitempty"`
	Subject   string   `json:"sub,omitempty"`
	Audience  []string `json:"aud,omitempty"`
	Issuer    string   `json:"iss,omitempty"`
	ID        string   `json:"jti,omitempty"`
}

// introspect serves POST /connect/introspect (RFC 7662) for any authenticated confidential
// client. A token that does not verify is inactive, whatever the reason.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) error {
	token, err := s.clientTokenRequest(w, r)
	if err != nil {
		return err
	}
	user, claims, err := s.verifyToken(r.Context(), token)
	if keyward.ErrorOf(err) != nil {
		noStore(w)
		writeJSON(w, http.StatusOK, introspection{Active: false})
		return nil
	}
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, http.StatusOK, introspection{
		Active: true, Scope: claims.Scope, ClientID: claims.ClientID, Username: user.Email, TokenType: "Bearer",
		Expiry: claims.Expiry, IssuedAt: claims.IssuedAt, NotBefore: claims.NotBefore, Subject: claims.Subject,
		Audience: claims.Audience, Issuer: claims.Issuer, ID: claims.ID,
	})
	return nil
}

// revoke serves POST /connect/revocation (RFC 7009). Access tokens are self-contained and cannot
// be revoked, which §2.2.1 answers with unsupported_token_type; a token this server does not
// recognise is answered 200, as §2.2 requires for invalid tokens.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) error {
	token, err := s.clientTokenRequest(w, r)
	if err != nil {
		return err
	}
	_, claims, err := s.verifyToken(r.Context(), token)
	if keyward.ErrorOf(err) != nil {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if err != nil {
		return err
	}
	return unsupportedTokenType("access tokens cannot be revoked; this one expires at %s", wireTime(time.Unix(claims.Expiry, 0)))
}

// clientTokenRequest reads the "token" parameter of a request that a confidential client
// authenticates, as introspection and revocation requests are.
func (s *Server) clientTokenRequest(w http.ResponseWriter, r *http.Request) (string, error) {
	form, err := parseTokenForm(w, r)
	if err != nil {
		return "", err
	}
	creds, err := clientCredentialsFrom(r, form)
	if err != nil {
		return "", err
	}
	if _, err := s.authenticateClient(r.Context(), creds); err != nil {
		return "", err
	}
	token := form.Get("token")
	if token == "" {
		return "", invalidRequest("token is missing")
	}
	return token, nil
}

// userinfoResponse is the OpenID Connect UserInfo response (Core §5.3.2).
type userinfoResponse struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
}

// userinfo serves GET and POST /connect/userinfo with a bearer access token (RFC 6750).
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) error {
	token, err := bearerFrom(w, r)
	if err != nil {
		return err
	}
	user, _, err := s.verifyToken(r.Context(), token)
	if e := keyward.ErrorOf(err); e != nil {
		return invalidBearer("%s", cmp.Or(e.Details, e.Message))
	}
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, http.StatusOK, userinfoResponse{Subject: user.ID, Email: user.Email, EmailVerified: user.Verified})
	return nil
}

// bearerFrom reads the access token from the Authorization header or, for POST, from the
// access_token body parameter (RFC 6750 §2.1, §2.2); using both is refused (RFC 6750 §2).
func bearerFrom(w http.ResponseWriter, r *http.Request) (string, error) {
	scheme, header, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	header = strings.TrimSpace(header)
	if !strings.EqualFold(scheme, "Bearer") {
		header = ""
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") == "" {
		return requireBearer(header)
	}
	form, err := parseTokenForm(w, r)
	if err != nil {
		return "", err
	}
	if form.Has("access_token") && header != "" {
		return "", invalidRequest("the access token was sent both in the Authorization header and in the body; RFC 6750 section 2 allows one method")
	}
	if header == "" {
		return requireBearer(form.Get("access_token"))
	}
	return header, nil
}

func requireBearer(token string) (string, error) {
	if token == "" {
		return "", missingBearer()
	}
	return token, nil
}
