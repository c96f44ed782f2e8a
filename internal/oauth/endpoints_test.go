package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

func TestAuthorize(t *testing.T) {
	f := newFixture(t)
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	const cb = "https://app.example/cb"
	opRedirectRefusal := `{"error":"invalid_request","error_description":"The requested redirect_uri is missing in the client configuration. If you have any questions, you may contact the administrator of the application."}`
	tests := []struct {
		name         string
		method       string
		query        string
		wantStatus   int
		wantBody     string // for 400s
		wantLocation string // for 302s
	}{
		{"ClientCredentialsClient", "GET", q("client_id", "svc", "redirect_uri", cb, "response_type", "code", "scope", "read:grants"), 400, opRedirectRefusal, ""},
		{"UnregisteredRedirect", "GET", q("client_id", "code", "redirect_uri", "https://evil.example/cb", "response_type", "code", "scope", "read:grants"), 400, opRedirectRefusal, ""},
		{"MissingClientID", "GET", q("redirect_uri", cb, "response_type", "code"), 400,
			`{"error":"invalid_request","error_description":"client_id is missing"}`, ""},
		{"UnknownClient", "GET", q("client_id", "ghost", "redirect_uri", cb, "response_type", "code"), 400,
			`{"error":"invalid_request","error_description":"the client 'ghost' is not registered"}`, ""},
		{"MissingRedirect", "GET", q("client_id", "code", "response_type", "code"), 400,
			`{"error":"invalid_request","error_description":"redirect_uri is missing"}`, ""},
		{"Malformed", "GET", q("client_id", "code", "redirect_uri", cb, "max_age", "soon"), 400,
			`{"error":"invalid_request","error_description":"the authorization request parameters are malformed"}`, ""},
		{"CodeFlowRefusedByRedirect", "GET", q("client_id", "code", "redirect_uri", cb, "response_type", "code", "scope", "read:grants", "state", "a+b/c="), 302, "",
			cb + "?error=unsupported_response_type&error_description=this+server+does+not+issue+authorization+codes&state=a%2Bb%2Fc%3D"},
		{"CodeFlowRefusedByRedirectPOST", "POST", q("client_id", "code", "redirect_uri", cb, "response_type", "code", "scope", "read:grants"), 302, "",
			cb + "?error=unsupported_response_type&error_description=this+server+does+not+issue+authorization+codes"},
		{"ImplicitRefused", "GET", q("client_id", "code", "redirect_uri", cb, "response_type", "token", "scope", "read:grants", "state", "s"), 302, "",
			cb + "?error=unauthorized_client&error_description=The+requested+response+type+is+missing+in+the+client+configuration.+If+you+have+any+questions%2C+you+may+contact+the+administrator+of+the+application.&state=s"},
		{"PUT", "PUT", "", 405, `{"error":"invalid_request","error_description":"this endpoint accepts only GET and POST"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, body, ct := "/connect/authorize?"+tt.query, "", ""
			if tt.method == http.MethodPost {
				path, body, ct = "/connect/authorize", tt.query, "application/x-www-form-urlencoded"
			}
			status, header, got := f.do(t, tt.method, path, "", ct, body)
			if status != tt.wantStatus {
				t.Fatalf("status %d (body %s), want %d", status, got, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusFound {
				if loc := header.Get("Location"); loc != tt.wantLocation {
					t.Errorf("Location %s\nwant     %s", loc, tt.wantLocation)
				}
				return
			}
			if got != tt.wantBody {
				t.Errorf("body %s\nwant %s", got, tt.wantBody)
			}
		})
	}
}

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

func TestRevocation(t *testing.T) {
	f := newFixture(t)
	token := f.mustToken(t)
	tests := []struct {
		name       string
		token      string
		wantStatus int
		wantBody   string
	}{
		{"AccessToken", token, 400, `{"error":"unsupported_token_type","error_description":"access tokens cannot be revoked; this one expires at ` +
			t0.Add(time.Hour).Format(keyward.WireTimeLayout) + `"}`},
		{"UnknownToken", "garbage", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.postForm(t, "/connect/revocation", "", url.Values{"token": {tt.token}, "client_id": {"svc"}, "client_secret": {svcSecret}})
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("got %d %q\nwant %d %q", status, body, tt.wantStatus, tt.wantBody)
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
	for _, path := range []string{"/connect/endsession", "/connect/authorize/callback", "/healthz", "/.well-known/keys", "/"} {
		t.Run(path, func(t *testing.T) {
			status, _, body := f.do(t, http.MethodGet, path, "", "", "")
			want := `{"error":"invalid_request","error_description":"there is no OAuth endpoint at ` + path + `"}`
			if status != http.StatusNotFound || body != want {
				t.Errorf("got %d %s, want 404 %s", status, body, want)
			}
		})
	}
}
