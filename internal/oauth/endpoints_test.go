package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

func TestIntrospect(t *testing.T) {
	f := newFixture(t)
	token := f.mustToken(t)
	t.Run("Active", func(t *testing.T) {
		status, _, body := f.postForm(t, "/connect/introspect", basic("svc", svcSecret), url.Values{"token": {token}})
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil || status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		want := map[string]any{
			"active": true, "scope": strings.Join(svcScopes, " "), "client_id": "svc", "username": "svc@clients.invalid",
			"token_type": "Bearer", "exp": float64(t0.Add(time.Hour).Unix()), "iat": float64(t0.Unix()), "nbf": float64(t0.Unix()),
			"sub": svcUserID, "aud": []any{"tapkey_api"}, "iss": f.issuer(), "jti": claimsOf(t, token)["jti"],
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	tests := []struct {
		name, auth string
		form       url.Values
		wantStatus int
		wantBody   string
	}{
		{"Inactive", basic("svc", svcSecret), url.Values{"token": {"garbage"}}, 200, `{"active":false}`},
		{"NoClientAuth", "", url.Values{"token": {token}}, 401,
			`{"error":"invalid_client","error_description":"the request carries no client credentials: send client_id and client_secret with HTTP Basic or in the body"}`},
		{"NoToken", basic("svc", svcSecret), url.Values{}, 400, `{"error":"invalid_request","error_description":"token is missing"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.postForm(t, "/connect/introspect", tt.auth, tt.form)
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("got %d %s\nwant %d %s", status, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestUserinfo(t *testing.T) {
	f := newFixture(t)
	token := f.mustToken(t)
	const info = `{"sub":"` + svcUserID + `","email":"svc@clients.invalid","email_verified":true}`
	tests := []struct {
		name, method, auth, contentType, body string
		wantStatus                            int
		wantChallenge, wantBody               string
	}{
		{"HeaderGET", "GET", "Bearer " + token, "", "", 200, "", info},
		{"HeaderPOST", "POST", "bearer " + token, "", "", 200, "", info},
		{"BodyPOST", "POST", "", "application/x-www-form-urlencoded", "access_token=" + token, 200, "", info},
		{"NoToken", "GET", "", "", "", 401, "Bearer", `{"error":"invalid_request","error_description":"no access token was sent"}`},
		{"BadToken", "GET", "Bearer abc", "", "", 401,
			`Bearer error="invalid_token", error_description="the token is malformed: a JWT has three dot-separated parts, this one has 1"`,
			`{"error":"invalid_token","error_description":"the token is malformed: a JWT has three dot-separated parts, this one has 1"}`},
		{"HeaderAndBody", "POST", "Bearer " + token, "application/x-www-form-urlencoded", "access_token=" + token, 400, "",
			`{"error":"invalid_request","error_description":"the access token was sent both in the Authorization header and in the body; RFC 6750 section 2 allows one method"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := f.do(t, tt.method, "/connect/userinfo", tt.auth, tt.contentType, tt.body)
			if status != tt.wantStatus || body != tt.wantBody || header.Get("WWW-Authenticate") != tt.wantChallenge {
				t.Errorf("got %d %s %q\nwant %d %s %q", status, body, header.Get("WWW-Authenticate"), tt.wantStatus, tt.wantBody, tt.wantChallenge)
			}
		})
	}
	t.Run("Expired", func(t *testing.T) {
		f.clock.Advance(2 * time.Hour)
		status, header, _ := f.do(t, http.MethodGet, "/connect/userinfo", "Bearer "+token, "", "")
		want := `Bearer error="invalid_token", error_description="the access token expired at ` + t0.Add(time.Hour).Format(keyward.WireTimeLayout) + `"`
		if status != http.StatusUnauthorized || header.Get("WWW-Authenticate") != want {
			t.Errorf("got %d %q, want 401 %q", status, header.Get("WWW-Authenticate"), want)
		}
	})
}

func TestUnknownPaths(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/connect/endsession", "/connect/authorize/callback", "/healthz", "/.well-known/keys", "/", "/account/unknown"} {
		t.Run(path, func(t *testing.T) {
			status, _, body := f.do(t, http.MethodGet, path, "", "", "")
			want := `{"error":"invalid_request","error_description":"there is no OAuth endpoint at ` + path + `"}`
			if status != http.StatusNotFound || body != want {
				t.Errorf("got %d %s, want 404 %s", status, body, want)
			}
		})
	}
}

// TestWrongMethods sends every endpoint every method it does not serve: each answer is a 400
// with the Allow header and an RFC 6749 body, never a plain-text error.
func TestWrongMethods(t *testing.T) {
	f := newFixture(t)
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, "PROPFIND"}
	for _, ep := range f.srv.Endpoints() {
		var allow []string
		for _, m := range ep.Methods {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
		for _, method := range methods {
			if slices.Contains(allow, method) {
				continue
			}
			t.Run(method+" "+ep.Path, func(t *testing.T) {
				status, header, body := f.do(t, method, ep.Path, "", "", "")
				want := `{"error":"invalid_request","error_description":"the method ` + method + ` is not allowed; this endpoint accepts ` + strings.Join(allow, ", ") + `"}`
				if method == http.MethodHead {
					want = ""
				}
				got := []any{status, header.Get("Allow"), header.Get("Content-Type"), body}
				if diff := cmp.Diff([]any{400, strings.Join(allow, ", "), "application/json; charset=utf-8", want}, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}
