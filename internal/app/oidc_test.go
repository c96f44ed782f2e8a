package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
)

// TestOpenIDConnect signs Pat in through the pages of the running server and checks the ID
// tokens of the code flow and of a refresh with a strict OpenID Connect library, configured from
// the live discovery document and JWKS, on every engine.
func TestOpenIDConnect(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		secret, hash := oauth.NewClientSecret()
		e.addClient(t, keyward.ClientCreate{Name: "OIDC App", SecretHash: hash, GrantTypes: []string{keyward.GrantAuthorizationCode},
			Scopes: []string{"openid", "email", "read:owneraccounts", "offline_access"}, RedirectURIs: []string{webCB}})
		provider, err := oidc.NewProvider(ctx, e.base)
		e.must(err)
		clientID := e.clientIDs["oidc"]
		cfg := &oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: webCB, Endpoint: provider.Endpoint(),
			Scopes: []string{"openid", "email", "read:owneraccounts", "offline_access"}}
		verifier := provider.Verifier(&oidc.Config{ClientID: clientID})
		before := time.Now().Add(-time.Second)
		tok, err := cfg.Exchange(ctx, e.browser(t).authorize(cfg.AuthCodeURL("st", oidc.Nonce("nonce-1"))).Get("code"))
		e.must(err)
		idt, err := verifier.Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatalf("ID token refused: %v", err)
		}
		var claims struct {
			Email         string `json:"email"`
			EmailVerified bool   `json:"email_verified"`
			AuthTime      int64  `json:"auth_time"`
			AZP           string `json:"azp"`
		}
		e.must(idt.Claims(&claims))
		if idt.Nonce != "nonce-1" || idt.VerifyAccessToken(tok.AccessToken) != nil || claims.Email != patEmail || !claims.EmailVerified ||
			claims.AZP != clientID || claims.AuthTime < before.Unix() || claims.AuthTime > time.Now().Unix() {
			t.Errorf("ID token: nonce %q, claims %+v", idt.Nonce, claims)
		}
		info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		e.must(err)
		if info.Subject != idt.Subject || info.Email != patEmail {
			t.Errorf("userinfo %+v", info)
		}
		fresh, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
		e.must(err)
		again, err := verifier.Verify(ctx, fresh.Extra("id_token").(string))
		if err != nil {
			t.Fatalf("refreshed ID token refused: %v", err)
		}
		var refreshed struct {
			AuthTime int64 `json:"auth_time"`
		}
		e.must(again.Claims(&refreshed))
		if again.Nonce != "" || refreshed.AuthTime != claims.AuthTime || again.VerifyAccessToken(fresh.AccessToken) != nil || again.Subject != idt.Subject {
			t.Errorf("refreshed ID token: nonce %q, auth_time %d, want %d", again.Nonce, refreshed.AuthTime, claims.AuthTime)
		}
	})
}
