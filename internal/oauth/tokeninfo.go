package oauth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/param"
	"github.com/keyward/keyward/internal/token"
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
// client (a resource server). A token that does not verify, or whose family is revoked, is
// inactive whatever the reason. A refresh token is active only to the client it was issued to.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) error {
	form, creds, err := clientForm(w, r)
	if err != nil {
		return err
	}
	client, err := s.authenticateClient(r.Context(), creds)
	if err != nil {
		return err
	}
	token, err := tokenParam(form)
	if err != nil {
		return err
	}
	var info *introspection
	if looksLikeJWT(token) {
		info, err = s.introspectAccessToken(r.Context(), token)
	} else {
		info, err = s.introspectRefreshToken(r.Context(), token, client)
	}
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, http.StatusOK, info)
	return nil
}

func (s *Server) introspectAccessToken(ctx context.Context, token string) (*introspection, error) {
	user, claims, err := s.verifyToken(ctx, token)
	if keyward.ErrorOf(err) != nil {
		return &introspection{Active: false}, nil
	}
	if err != nil {
		return nil, err
	}
	return &introspection{
		Active: true, Scope: claims.Scope, ClientID: claims.ClientID, Username: user.Email, TokenType: "Bearer",
		Expiry: claims.Expiry, IssuedAt: claims.IssuedAt, NotBefore: claims.NotBefore, Subject: claims.Subject,
		Audience: claims.Audience, Issuer: claims.Issuer, ID: claims.ID,
	}, nil
}

func (s *Server) introspectRefreshToken(ctx context.Context, token string, client *keyward.Client) (*introspection, error) {
	rt, fam, err := s.findRefreshToken(ctx, token)
	if err != nil || rt == nil {
		return &introspection{Active: false}, err
	}
	if rt.ClientID != client.ID || rt.UsedAt != nil || fam.RevokedAt != nil || s.cfg.Now().After(rt.ExpiresAt.Time) {
		return &introspection{Active: false}, nil
	}
	user, err := s.store.FindUserByID(ctx, rt.UserID)
	if err != nil {
		return nil, fmt.Errorf("oauth: find refresh token user: %w", err)
	}
	return &introspection{
		Active: true, Scope: strings.Join(rt.Scopes, " "), ClientID: rt.ClientID, Username: user.Email, TokenType: "refresh_token",
		Expiry: rt.ExpiresAt.Unix(), IssuedAt: rt.CreatedAt.Unix(), Subject: rt.UserID, Issuer: s.cfg.Issuer,
	}, nil
}

// findRefreshToken returns a refresh token and its family, or nil when the token is unknown.
func (s *Server) findRefreshToken(ctx context.Context, refreshToken string) (*keyward.RefreshToken, *keyward.TokenFamily, error) {
	rt, err := s.store.FindRefreshToken(ctx, token.Hash(refreshToken))
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: find refresh token: %w", err)
	}
	fam, err := s.store.FindTokenFamily(ctx, rt.FamilyID)
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: find token family %s: %w", rt.FamilyID, err)
	}
	return rt, fam, nil
}

// looksLikeJWT tells access tokens (compact JWS) from refresh tokens (base64url, no dots).
func looksLikeJWT(token string) bool { return strings.Count(token, ".") == 2 }

// revoke serves POST /connect/revocation (RFC 7009) for any client, public ones by client_id.
// After a 200 the token is refused everywhere, on every node, since the state is in the
// database: a refresh token, or an access token of a token family (issued through a code, a
// refresh or a token exchange), revokes its whole family, so every access and refresh token of
// that authorization stops working; an access token without a family (client credentials) is
// recorded as revoked until it expires. An unknown, invalid or expired token is answered 200
// as §2.2 requires. A token issued to another client is refused with unauthorized_client (§2.1).
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) error {
	form, creds, err := clientForm(w, r)
	if err != nil {
		return err
	}
	if err := s.allowOrigin(r.Context(), creds.id); err != nil {
		return err
	}
	client, err := s.authenticateAnyClient(r.Context(), creds)
	if err != nil {
		return err
	}
	token, err := tokenParam(form)
	if err != nil {
		return err
	}
	target, err := s.revocationTarget(r.Context(), token)
	if err != nil {
		return err
	}
	if target != nil && target.clientID != client.ID {
		return unauthorizedClient("the token was issued to another client")
	}
	if target != nil {
		if err := s.revokeTarget(r.Context(), target); err != nil {
			return err
		}
	}
	noStore(w)
	w.WriteHeader(http.StatusOK)
	return nil
}

// revocation is what revoking a token stops: its family, or else the access token alone (jti
// until expiresAt).
type revocation struct {
	clientID  string
	family    string
	jti       string
	expiresAt time.Time
}

// revocationTarget returns what revoking token stops, or nil for a token this server does not
// recognise as live.
func (s *Server) revocationTarget(ctx context.Context, token string) (*revocation, error) {
	if looksLikeJWT(token) {
		_, claims, err := s.verifyToken(ctx, token)
		if keyward.ErrorOf(err) != nil {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		// Kept past exp by the verifier's leeway, so that no node still accepts the token.
		exp := time.Unix(claims.Expiry, 0).Add(clockLeeway)
		return &revocation{clientID: claims.ClientID, family: claims.Family, jti: claims.ID, expiresAt: exp}, nil
	}
	rt, _, err := s.findRefreshToken(ctx, token)
	if err != nil || rt == nil {
		return nil, err
	}
	return &revocation{clientID: rt.ClientID, family: rt.FamilyID}, nil
}

// revokeTarget revokes a family, or records a revoked access token and forgets the revoked
// tokens that have expired meanwhile, which keeps that table as small as the tokens alive.
func (s *Server) revokeTarget(ctx context.Context, target *revocation) error {
	now := s.now()
	if target.family != "" {
		if err := s.store.RevokeTokenFamily(ctx, target.family, now); err != nil {
			return fmt.Errorf("oauth: revoke token family %s: %w", target.family, err)
		}
		s.log.InfoContext(ctx, "oauth: token family revoked", "client_id", target.clientID, "family", target.family)
		return nil
	}
	err := s.store.InTx(ctx, func(tx keyward.Tx) error {
		if err := tx.PruneRevokedAccessTokens(ctx, now); err != nil {
			return err
		}
		return tx.RevokeAccessToken(ctx, target.jti, keyward.NewTime(target.expiresAt))
	})
	if err != nil {
		return fmt.Errorf("oauth: revoke access token %s: %w", target.jti, err)
	}
	s.log.InfoContext(ctx, "oauth: access token revoked", "client_id", target.clientID, "jti", target.jti)
	return nil
}

// tokenParam reads the "token" parameter of introspection and revocation requests.
func tokenParam(form url.Values) (string, error) {
	token := form.Get("token")
	if token == "" {
		return "", invalidRequest("token is missing")
	}
	return token, nil
}

// userinfoResponse is the OpenID Connect UserInfo response (Core §5.3.2).
type userinfoResponse struct {
	Subject string `json:"sub"`
	userClaims
}

// userinfo serves GET and POST /connect/userinfo with a bearer access token (RFC 6750). The
// claims follow the token's scopes (see claimsFor).
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) error {
	token, err := bearerFrom(w, r)
	if err != nil {
		return err
	}
	user, claims, err := s.verifyToken(r.Context(), token)
	if e := keyward.ErrorOf(err); e != nil {
		return invalidBearer("%s", cmp.Or(e.Details, e.Message))
	}
	if err != nil {
		return err
	}
	if err := s.allowOrigin(r.Context(), claims.ClientID); err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, http.StatusOK, userinfoResponse{Subject: user.ID, userClaims: claimsFor(user, splitScope(claims.Scope))})
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
	form, err := param.SingleForm(w, r)
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
