package oauth

import (
	"context"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// accessToken is the JWT type of access tokens (RFC 9068 §2.1). Requiring it keeps any other JWT
// signed with the same keys, such as an ID token, from passing as an access token.
var accessToken = token.Type{Typ: "at+jwt", Name: "access tokens"}

// accessClaims are the claims of a Keyward access token.
type accessClaims struct {
	Issuer    string         `json:"iss"`
	Subject   string         `json:"sub"`
	Audience  token.Audience `json:"aud"`
	ClientID  string         `json:"client_id"`
	Scope     string         `json:"scope"`
	IssuedAt  int64          `json:"iat"`
	NotBefore int64          `json:"nbf"`
	Expiry    int64          `json:"exp"`
	ID        string         `json:"jti"`
	// Family is the token family of a token issued through a code, a refresh or a token
	// exchange; revoking the family invalidates the token. Client-credentials tokens have none.
	Family string `json:"fam,omitempty"`
}

// issuedToken is what a grant hands to the token response.
type issuedToken struct {
	accessToken  string
	expiresIn    int64 // seconds
	refreshToken string
	idToken      string
	scopes       []string
}

// mintAccessToken signs an access token for subject, acting through clientID, with scopes, in
// the token family (or none for ""). Every grant issues its access tokens here, so that all of
// them have the shape VerifyAccessToken checks.
func (s *Server) mintAccessToken(ctx context.Context, subject, clientID string, scopes []string, family string) (*issuedToken, error) {
	now := s.cfg.Now()
	exp := now.Add(s.cfg.AccessTokenLifetime)
	claims := accessClaims{
		Issuer:    s.cfg.Issuer,
		Subject:   subject,
		Audience:  token.Audience{Audience},
		ClientID:  clientID,
		Scope:     strings.Join(scopes, " "),
		IssuedAt:  now.Unix(),
		NotBefore: now.Unix(),
		Expiry:    exp.Unix(),
		ID:        keyward.NewID(now),
		Family:    family,
	}
	signed, err := s.keys.Sign(ctx, accessToken, claims)
	if err != nil {
		return nil, err
	}
	return &issuedToken{accessToken: signed, expiresIn: int64(s.cfg.AccessTokenLifetime / time.Second), scopes: scopes}, nil
}
