package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/keyward"
)

func TestClientCredentials(t *testing.T) {
	f := newFixture(t)
	styles := map[string]oauth2.AuthStyle{"InHeader": oauth2.AuthStyleInHeader, "InParams": oauth2.AuthStyleInParams}
	tests := []struct {
		name, id, secret string
		scopes           []string
		want             keyward.Principal
	}{
		{
			name: "AllScopesWhenNoneRequested", id: "svc", secret: svcSecret,
			want: keyward.Principal{UserID: svcUserID, Email: "svc@clients.invalid", Kind: keyward.PrincipalToken, UserKind: keyward.UserService, ClientID: "svc", Scopes: svcScopes},
		},
		{
			name: "RequestedSubset", id: "svc", secret: svcSecret, scopes: []string{"write:grants", "read:owneraccounts", "write:grants"},
			want: keyward.Principal{UserID: svcUserID, Email: "svc@clients.invalid", Kind: keyward.PrincipalToken, UserKind: keyward.UserService, ClientID: "svc", Scopes: []string{"write:grants", "read:owneraccounts"}},
		},
		{
			name: "ReadImpliedByRegisteredWrite", id: "svc", secret: svcSecret, scopes: []string{"read:grants"},
			want: keyward.Principal{UserID: svcUserID, Email: "svc@clients.invalid", Kind: keyward.PrincipalToken, UserKind: keyward.UserService, ClientID: "svc", Scopes: []string{"read:grants"}},
		},
		{
			name: "FormEncodedCredentials", id: specialID, secret: specialSecret,
			want: keyward.Principal{UserID: specialUserID, Email: specialID + "@clients.invalid", Kind: keyward.PrincipalToken, UserKind: keyward.UserService, ClientID: specialID, Scopes: []string{"read:logs"}},
		},
	}
	for _, tt := range tests {
		for styleName, style := range styles {
			t.Run(tt.name+"/"+styleName, func(t *testing.T) {
				cfg := clientcredentials.Config{ClientID: tt.id, ClientSecret: tt.secret, TokenURL: f.tokenURL(), Scopes: tt.scopes, AuthStyle: style}
				tok, err := cfg.Token(context.Background())
				if err != nil {
					t.Fatalf("Token: %v", err)
				}
				if tok.TokenType != "Bearer" || tok.Extra("expires_in") != 3600.0 {
					t.Errorf("token_type %q, expires_in %v; want Bearer, 3600", tok.TokenType, tok.Extra("expires_in"))
				}
				if got, want := tok.Extra("scope"), strings.Join(tt.want.Scopes, " "); got != want {
					t.Errorf("scope %q, want %q", got, want)
				}
				p, err := f.srv.VerifyAccessToken(context.Background(), tok.AccessToken, "")
				if err != nil {
					t.Fatalf("VerifyAccessToken: %v", err)
				}
				if diff := cmp.Diff(&tt.want, p); diff != "" {
					t.Errorf("principal (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestClientCredentialsResponse(t *testing.T) {
	f := newFixture(t)
	status, header, body := f.postForm(t, "/connect/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"svc"}, "client_secret": {svcSecret}, "scope": {"read:core:entities"},
	})
	if status != http.StatusOK {
		t.Fatalf("status %d, body %s", status, body)
	}
	for name, want := range map[string]string{"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "Pragma": "no-cache"} {
		if got := header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	var token string
	if err := json.Unmarshal(resp["access_token"], &token); err != nil {
		t.Fatalf("access_token: %v", err)
	}
	delete(resp, "access_token")
	got := map[string]string{}
	for k, v := range resp {
		got[k] = string(v)
	}
	want := map[string]string{"token_type": `"Bearer"`, "expires_in": "3600", "scope": `"read:core:entities"`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("response members other than access_token (-want +got):\n%s", diff)
	}

	wantHeader := map[string]any{"alg": "RS256", "kid": "kid-1", "typ": "at+jwt"}
	if diff := cmp.Diff(wantHeader, headerOf(t, token)); diff != "" {
		t.Errorf("JWT header (-want +got):\n%s", diff)
	}
	claims := claimsOf(t, token)
	jti, _ := claims["jti"].(string)
	if len(jti) != 36 {
		t.Errorf("jti %q is not a UUID", jti)
	}
	delete(claims, "jti")
	wantClaims := map[string]any{
		"iss": f.issuer(), "sub": svcUserID, "aud": []any{"tapkey_api"}, "client_id": "svc", "scope": "read:core:entities",
		"iat": float64(t0.Unix()), "nbf": float64(t0.Unix()), "exp": float64(t0.Add(time.Hour).Unix()),
	}
	if diff := cmp.Diff(wantClaims, claims); diff != "" {
		t.Errorf("JWT claims (-want +got):\n%s", diff)
	}
}

func TestTokenErrors(t *testing.T) {
	const authFailed = `{"error":"invalid_client","error_description":"client authentication failed: unknown client_id or wrong client_secret"}`
	cc := func(kv ...string) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name        string
		auth        string
		contentType string // default form
		body        string
		wantStatus  int
		wantBody    string
	}{
		{"WrongSecretBasic", basic("svc", "nope"), "", cc().Encode(), 401, authFailed},
		{"WrongSecretBody", "", "", cc("client_id", "svc", "client_secret", "nope").Encode(), 401, authFailed},
		{"UnknownClient", basic("ghost", svcSecret), "", cc().Encode(), 401, authFailed},
		{"ClientWithoutSecret", "", "", cc("client_id", "public", "client_secret", "x").Encode(), 401, authFailed},
		{"NoCredentials", "", "", cc().Encode(), 401,
			`{"error":"invalid_client","error_description":"the request carries no client credentials: send client_id and client_secret with HTTP Basic or in the body"}`},
		{"NoSecret", "", "", cc("client_id", "svc").Encode(), 401,
			`{"error":"invalid_client","error_description":"client_secret is missing"}`},
		{"MalformedBasic", "Basic !!!", "", cc().Encode(), 401,
			`{"error":"invalid_client","error_description":"the HTTP Basic credentials are not base64 of client_id:client_secret"}`},
		{"BasicNotFormEncoded", "Basic " + "c3ZjOiV6eg==", "", cc().Encode(), 401, // "svc:%zz"
			`{"error":"invalid_client","error_description":"the HTTP Basic client_secret is not form-url-encoded"}`},
		{"BasicAndBodySecret", basic("svc", svcSecret), "", cc("client_secret", svcSecret).Encode(), 400,
			`{"error":"invalid_request","error_description":"the client authenticated with both HTTP Basic and client_secret; RFC 6749 section 2.3 allows one method per request"}`},
		{"BasicAndOtherBodyClientID", basic("svc", svcSecret), "", cc("client_id", "code").Encode(), 400,
			`{"error":"invalid_request","error_description":"client_id 'code' in the body differs from the HTTP Basic client_id 'svc'"}`},
		{"GrantNotAllowed", basic("code", codeSecret), "", cc().Encode(), 400,
			`{"error":"unauthorized_client","error_description":"the client 'code' is not registered for the client_credentials grant"}`},
		{"NoServiceUser", basic("nouser", svcSecret), "", cc().Encode(), 400,
			`{"error":"unauthorized_client","error_description":"the client 'nouser' has no service user to act as"}`},
		{"ScopeNotAllowed", basic("svc", svcSecret), "", cc("scope", "read:grants read:logs write:owneraccounts").Encode(), 400,
			`{"error":"invalid_scope","error_description":"the client 'svc' is not allowed the scope 'read:logs'"}`},
		{"UnknownScope", basic("svc", svcSecret), "", cc("scope", `read:owneraccounts "bogus"`).Encode(), 400,
			`{"error":"invalid_scope","error_description":"the scope ''bogus'' does not exist"}`},
		{"UnsupportedGrant", basic("svc", svcSecret), "", url.Values{"grant_type": {"password"}}.Encode(), 400,
			`{"error":"unsupported_grant_type","error_description":"the grant type 'password' is not supported"}`},
		{"MissingGrantType", basic("svc", svcSecret), "", "", 400,
			`{"error":"invalid_request","error_description":"grant_type is missing"}`},
		{"RepeatedParameter", basic("svc", svcSecret), "", "grant_type=client_credentials&scope=a&scope=b", 400,
			`{"error":"invalid_request","error_description":"the parameter 'scope' is repeated; RFC 6749 section 3.2 allows each parameter once"}`},
		{"JSONBody", basic("svc", svcSecret), "application/json", `{"grant_type":"client_credentials"}`, 400,
			`{"error":"invalid_request","error_description":"the request body must be application/x-www-form-urlencoded"}`},
		{"MalformedForm", basic("svc", svcSecret), "", "grant_type=%zz", 400,
			`{"error":"invalid_request","error_description":"the request body is not valid form-url-encoded data"}`},
		{"BodyTooLarge", basic("svc", svcSecret), "", "grant_type=client_credentials&x=" + strings.Repeat("a", 70000), 400,
			`{"error":"invalid_request","error_description":"the request body is larger than 65536 bytes"}`},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.contentType
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			status, header, body := f.do(t, http.MethodPost, "/connect/token", tt.auth, ct, tt.body)
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("got %d %s\nwant %d %s", status, body, tt.wantStatus, tt.wantBody)
			}
			wantChallenge := ""
			if status == http.StatusUnauthorized {
				wantChallenge = `Basic realm="keyward", charset="UTF-8"`
			}
			if got := header.Get("WWW-Authenticate"); got != wantChallenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, wantChallenge)
			}
			if got := header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
		})
	}
}

func TestTokenErrorThroughClientLibrary(t *testing.T) {
	f := newFixture(t)
	for name, style := range map[string]oauth2.AuthStyle{"InHeader": oauth2.AuthStyleInHeader, "InParams": oauth2.AuthStyleInParams} {
		t.Run(name, func(t *testing.T) {
			cfg := clientcredentials.Config{ClientID: "svc", ClientSecret: "wrong", TokenURL: f.tokenURL(), AuthStyle: style}
			_, err := cfg.Token(context.Background())
			re, ok := errors.AsType[*oauth2.RetrieveError](err)
			if !ok {
				t.Fatalf("error %v is not a RetrieveError", err)
			}
			got := []any{re.Response.StatusCode, re.ErrorCode, string(re.Body)}
			want := []any{401, "invalid_client", `{"error":"invalid_client","error_description":"client authentication failed: unknown client_id or wrong client_secret"}` + "\n"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestTokenStoreFailureIsGeneric: a store that fails (here: its database is closed) is a
// server_error without the store's words.
func TestTokenStoreFailureIsGeneric(t *testing.T) {
	f := newFixture(t)
	must(f.store.Close())
	status, _, body := f.postForm(t, "/connect/token", basic("svc", svcSecret), url.Values{"grant_type": {"client_credentials"}})
	want := `{"error":"server_error","error_description":"the server failed to process the request"}`
	if status != http.StatusInternalServerError || body != want {
		t.Errorf("got %d %s, want 500 %s", status, body, want)
	}
}

func TestTokenMethodAndPath(t *testing.T) {
	f := newFixture(t)
	t.Run("GetIs400", func(t *testing.T) {
		status, header, body := f.do(t, http.MethodGet, "/connect/token", "", "", "")
		want := `{"error":"invalid_request","error_description":"the method GET is not allowed; this endpoint accepts POST, OPTIONS"}`
		if status != http.StatusBadRequest || body != want || header.Get("Allow") != "POST, OPTIONS" {
			t.Errorf("got %d %s Allow %q, want 400 %s Allow POST, OPTIONS", status, body, header.Get("Allow"), want)
		}
	})
	t.Run("CanonicalPath", func(t *testing.T) {
		status, _, body := f.postForm(t, "//Connect//TOKEN/", basic("svc", svcSecret), url.Values{"grant_type": {"client_credentials"}})
		if status != http.StatusOK {
			t.Errorf("got %d %s, want 200", status, body)
		}
	})
}
