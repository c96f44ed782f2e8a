package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// authenticate verifies the bearer token of r and returns r carrying the caller's Principal. The
// scope and permission checks happen later, in the Service.
func (s *Server) authenticate(r *http.Request) (*http.Request, error) {
	token, err := bearerToken(r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	p, err := s.verifier.VerifyAccessToken(r.Context(), token, r.PathValue("ownerId"))
	if err != nil {
		return nil, fmt.Errorf("httpapi: verify access token: %w", err)
	}
	if p == nil {
		return nil, errors.New("httpapi: token verifier returned no principal")
	}
	return r.WithContext(keyward.NewContextWithPrincipal(r.Context(), p)), nil
}

// bearerToken extracts the token of an RFC 6750 `Authorization: Bearer <token>` header. The scheme
// is case-insensitive (RFC 9110 §11.1); anything else in the header is an invalid token.
func bearerToken(header string) (string, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", keyward.ErrNoToken.WithDetails("the request has no Authorization header")
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", keyward.ErrInvalidToken.WithDetails("the Authorization header must use the Bearer scheme")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", keyward.ErrInvalidToken.WithDetails("the Authorization header has no token after Bearer")
	}
	if !isB64Token(token) {
		return "", keyward.ErrInvalidToken.WithDetails("the bearer token has characters outside the RFC 6750 token syntax")
	}
	return token, nil
}

// isB64Token reports whether t matches RFC 6750's b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=".
func isB64Token(t string) bool {
	body := strings.TrimRight(t, "=")
	if body == "" {
		return false
	}
	for _, c := range body {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("-._~+/", c):
		default:
			return false
		}
	}
	return true
}
