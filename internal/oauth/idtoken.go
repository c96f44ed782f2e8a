package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"slices"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// idToken is the JWT type of ID tokens; access tokens have at+jwt, which the verifier requires,
// so an ID token is never accepted as an access token.
var idToken = token.Type{Typ: "JWT", Name: "ID tokens"}

// idClaims are the claims of an OpenID Connect ID token (Core §2) for the authorization-code
// flow: aud is the client, azp repeats it, at_hash binds the access token issued with it.
type idClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	Expiry   int64  `json:"exp"`
	IssuedAt int64  `json:"iat"`
	AuthTime int64  `json:"auth_time"`
	Nonce    string `json:"nonce,omitempty"`
	AtHash   string `json:"at_hash"`
	AZP      string `json:"azp"`
	userClaims
}

// userClaims are the claims about the user that userinfo and ID tokens carry; a claim without
// a value is left out, and no address is called verified unless there is one.
type userClaims struct {
	Email         string `json:"email,omitempty"`
	EmailVerified *bool  `json:"email_verified,omitempty"`
}

// claimsFor returns the user claims the scopes grant: the e-mail claims with "email" (Core §5.4),
// or, for an access token of plain OAuth (no "openid"), as Keyward answered such tokens before
// OpenID Connect: userinfo gives their address. "profile" adds nothing, because Keyward keeps no
// names or pictures.
func claimsFor(user *keyward.User, scopes []string) userClaims {
	plainOAuth := !slices.Contains(scopes, keyward.ScopeOpenID)
	if user.Email == "" || (!plainOAuth && !slices.Contains(scopes, keyward.ScopeEmail)) {
		return userClaims{}
	}
	verified := user.Verified
	return userClaims{Email: user.Email, EmailVerified: &verified}
}

// atHash is the at_hash of an access token (Core §3.1.3.6): the base64url left half of its
// SHA-256.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// idTokenGrant is what an ID token is issued for: when the user signed in, and the nonce of the
// authorization request ("" on refresh, OIDC Core §12.2).
type idTokenGrant struct {
	authTime keyward.Time
	nonce    string
}

// mintIDToken signs the ID token that accompanies accessToken.
func (s *Server) mintIDToken(ctx context.Context, user *keyward.User, clientID string, scopes []string, accessToken string, g idTokenGrant) (string, error) {
	now := s.cfg.Now()
	claims := idClaims{
		Issuer: s.cfg.Issuer, Subject: user.ID, Audience: clientID, AZP: clientID,
		IssuedAt: now.Unix(), Expiry: now.Add(s.cfg.AccessTokenLifetime).Unix(), AuthTime: g.authTime.Unix(),
		Nonce: g.nonce, AtHash: atHash(accessToken), userClaims: claimsFor(user, scopes),
	}
	return s.keys.Sign(ctx, idToken, claims)
}
