package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/keyward/keyward/internal/keyward"
)

// accessTokenType is the JWS "typ" of access tokens (RFC 9068 §2.1). Requiring it keeps any other
// JWT signed with the same keys, such as an ID token, from passing as an access token.
const accessTokenType = "at+jwt"

// accessClaims are the claims of a Keyward access token.
type accessClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  audience `json:"aud"`
	ClientID  string   `json:"client_id"`
	Scope     string   `json:"scope"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	Expiry    int64    `json:"exp"`
	ID        string   `json:"jti"`
	// Family is the token family of a token issued through a code, a refresh or a token
	// exchange; revoking the family invalidates the token. Client-credentials tokens have none.
	Family string `json:"fam,omitempty"`
}

// audience is "aud": always written as an array, read as a string or an array (RFC 7519 §4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
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
func (s *Server) mintAccessToken(subject, clientID string, scopes []string, family string) (*issuedToken, error) {
	now := s.cfg.Now()
	exp := now.Add(s.cfg.AccessTokenLifetime)
	claims := accessClaims{
		Issuer:    s.cfg.Issuer,
		Subject:   subject,
		Audience:  audience{Audience},
		ClientID:  clientID,
		Scope:     strings.Join(scopes, " "),
		IssuedAt:  now.Unix(),
		NotBefore: now.Unix(),
		Expiry:    exp.Unix(),
		ID:        keyward.NewID(now),
		Family:    family,
	}
	token, err := s.sign(accessTokenType, claims)
	if err != nil {
		return nil, err
	}
	return &issuedToken{accessToken: token, expiresIn: int64(s.cfg.AccessTokenLifetime / time.Second), scopes: scopes}, nil
}

// sign serialises claims as a compact RS256 JWS with the newest key's kid and the JOSE type typ:
// at+jwt for access tokens, JWT for ID tokens, so that neither passes for the other.
func (s *Server) sign(typ string, claims any) (string, error) {
	key := s.keys.signer()
	if key == nil {
		return "", errors.New("oauth: no signing key is loaded")
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("oauth: encode claims: %w", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.RS256,
		Key:       jose.JSONWebKey{Key: key.private, KeyID: key.id, Algorithm: algRS256},
	}, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return "", fmt.Errorf("oauth: create signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("oauth: sign token: %w", err)
	}
	return jws.CompactSerialize()
}
