package oauth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// challengeOf is the S256 code_challenge of a verifier.
func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-a-long-enough-verifier"

func TestAuthorizeErrorPage(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	tests := []struct {
		name, target, wantDescription string
	}{
		{"MissingClientID", authorizeURL("redirect_uri", webCallback, "response_type", "code"), "client_id is missing"},
		{"UnknownClient", authorizeURL("client_id", "ghost", "redirect_uri", webCallback, "response_type", "code"), "the client 'ghost' is not registered"},
		{"RepeatedClientID", "/connect/authorize?client_id=web&client_id=spa&redirect_uri=" + url.QueryEscape(webCallback), "the parameter 'client_id' is repeated"},
		{"MissingRedirectOfSeveral", authorizeURL("client_id", "web", "response_type", "code"), "redirect_uri is missing; the client 'web' has 2 registered redirect URIs, so the request must name one"},
		{"MissingRedirectOpenID", authorizeURL("client_id", "spa", "response_type", "code", "scope", "openid"), "redirect_uri is missing; an OpenID Connect request (scope openid) must send it"},
		{"RepeatedRedirect", "/connect/authorize?client_id=web&redirect_uri=" + url.QueryEscape(webCallback) + "&redirect_uri=" + url.QueryEscape(webCallback), "the parameter 'redirect_uri' is repeated"},
		{"RedirectPrefix", authorizeURL("client_id", "web", "redirect_uri", webCallback+"/evil"), "the redirect_uri '" + webCallback + "/evil' is not registered for the client 'web'; it must equal a registered URI exactly"},
		{"RedirectCase", authorizeURL("client_id", "web", "redirect_uri", "https://APP.example/cb"), "the redirect_uri 'https://APP.example/cb' is not registered for the client 'web'; it must equal a registered URI exactly"},
		{"RedirectTrailingSlash", authorizeURL("client_id", "web", "redirect_uri", webCallback+"/"), "the redirect_uri '" + webCallback + "/' is not registered for the client 'web'; it must equal a registered URI exactly"},
		{"RedirectShorter", authorizeURL("client_id", "web", "redirect_uri", "https://app.example/c"), "the redirect_uri 'https://app.example/c' is not registered for the client 'web'; it must equal a registered URI exactly"},
		{"RedirectExtraQuery", authorizeURL("client_id", "web", "redirect_uri", webCallback+"?next=https://evil.example"), "the redirect_uri '" + webCallback + "?next=https://evil.example' is not registered for the client 'web'; it must equal a registered URI exactly"},
		{"RedirectOpenRedirector", authorizeURL("client_id", "web", "redirect_uri", "https://evil.example/cb"), "the redirect_uri 'https://evil.example/cb' is not registered for the client 'web'; it must equal a registered URI exactly"},
		{"RedirectUserinfoTrick", authorizeURL("client_id", "web", "redirect_uri", "https://app.example@evil.example/cb"), "the redirect_uri 'https://app.example@evil.example/cb' is not registered for the client 'web'; it must equal a registered URI exactly"},
		{"LoopbackOtherPort", authorizeURL("client_id", "spa", "redirect_uri", "http://127.0.0.1:9999/callback"), "the redirect_uri 'http://127.0.0.1:9999/callback' is not registered for the client 'spa'; it must equal a registered URI exactly"},
		{"OtherClientsRedirect", authorizeURL("client_id", "web", "redirect_uri", spaCallback), "the redirect_uri '" + spaCallback + "' is not registered for the client 'web'; it must equal a registered URI exactly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get(tt.target)
			got := []any{p.Status, p.Header.Get("Location"), p.Text("code"), p.Text("description"), p.Header.Get("Content-Type")}
			want := []any{400, "", "Error: invalid_request", tt.wantDescription, "text/html; charset=utf-8"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthorizeErrorRedirect(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	redirect := func(code, description, state string) string {
		v := url.Values{"error": {code}, "error_description": {description}, "iss": {f.issuer()}}
		if state != "" {
			v.Set("state", state)
		}
		return webCallback + "?" + v.Encode()
	}
	spaRedirect := func(description string) string {
		return spaCallback + "?" + url.Values{"error": {"invalid_request"}, "error_description": {description}, "iss": {f.issuer()}}.Encode()
	}
	web := []string{"client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts", "state", "xyz"}
	spa := []string{"client_id", "spa", "redirect_uri", spaCallback, "response_type", "code", "scope", "read:core:entities"}
	with := func(base []string, kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(base); i += 2 {
			v.Set(base[i], base[i+1])
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
				continue
			}
			v.Set(kv[i], kv[i+1])
		}
		return "/connect/authorize?" + v.Encode()
	}
	tests := []struct{ name, target, want string }{
		{"ClientWithoutCodeGrant", with(web, "client_id", "ccweb"), redirect("unauthorized_client", "the client 'ccweb' is not registered for the authorization_code grant", "xyz")},
		{"MissingResponseType", with(web, "response_type", ""), redirect("invalid_request", "response_type is missing", "xyz")},
		{"ImplicitRefused", with(web, "response_type", "token"), redirect("unsupported_response_type", "the response_type 'token' is not supported; use code", "xyz")},
		{"HybridRefused", with(web, "response_type", "code id_token"), redirect("unsupported_response_type", "the response_type 'code id_token' is not supported; use code", "xyz")},
		{"MissingScope", with(web, "scope", ""), redirect("invalid_scope", "scope is missing: name the scopes the client needs, separated by spaces", "xyz")},
		{"ScopeNotAllowed", with(web, "scope", "read:owneraccounts read:logs"), redirect("invalid_scope", "the client 'web' is not allowed the scope 'read:logs'", "xyz")},
		{"UnknownScope", with(web, "scope", "phone"), redirect("invalid_scope", "the scope 'phone' does not exist", "xyz")},
		{"OpenIDNotRegistered", with(spa, "scope", "openid", "code_challenge", challengeOf(verifier), "code_challenge_method", "S256"), spaCallback + "?" + url.Values{"error": {"invalid_scope"}, "error_description": {"the client 'spa' is not allowed the scope 'openid'"}, "iss": {f.issuer()}}.Encode()},
		{"RequestObject", with(web, "request", "eyJ"), redirect("request_not_supported", "request objects (the request parameter) are not supported", "xyz")},
		{"RequestURI", with(web, "request_uri", "https://app.example/r"), redirect("request_uri_not_supported", "request objects by reference (the request_uri parameter) are not supported", "xyz")},
		{"UnknownPrompt", with(web, "prompt", "select_account"), redirect("invalid_request", "the prompt value 'select_account' is not supported; use none, login or consent", "xyz")},
		{"PromptNoneWithOthers", with(web, "prompt", "none consent"), redirect("invalid_request", "prompt=none cannot be combined with other prompt values", "xyz")},
		{"NegativeMaxAge", with(web, "max_age", "-1"), redirect("invalid_request", "max_age must be a non-negative number of seconds", "xyz")},
		{"TextMaxAge", with(web, "max_age", "1h"), redirect("invalid_request", "max_age must be a non-negative number of seconds", "xyz")},
		{"BadResponseMode", with(web, "response_mode", "fragment"), redirect("invalid_request", "the response_mode 'fragment' is not supported; use query or form_post", "xyz")},
		{"RepeatedScope", with(web) + "&scope=read:grants", redirect("invalid_request", "the parameter 'scope' is repeated; RFC 6749 section 3.1 allows each parameter once", "xyz")},
		{"NoStateNoStateEchoed", with(web, "state", "", "response_type", "token"), redirect("unsupported_response_type", "the response_type 'token' is not supported; use code", "")},
		{"PublicWithoutPKCE", with(spa), spaRedirect("the client 'spa' is public and must use PKCE: send code_challenge with code_challenge_method S256 (RFC 7636)")},
		{"PublicPlainPKCE", with(spa, "code_challenge", verifier, "code_challenge_method", "plain"), spaRedirect("code_challenge_method must be S256; plain is not supported")},
		{"PublicImplicitPlainPKCE", with(spa, "code_challenge", challengeOf(verifier)), spaRedirect("code_challenge_method must be S256; plain is not supported")},
		{"UnknownMethod", with(spa, "code_challenge", challengeOf(verifier), "code_challenge_method", "S512"), spaRedirect("code_challenge_method 'S512' is not supported; use S256")},
		{"MethodWithoutChallenge", with(spa, "code_challenge_method", "S256"), spaRedirect("code_challenge_method is set but code_challenge is missing")},
		{"MalformedChallenge", with(spa, "code_challenge", "short", "code_challenge_method", "S256"), spaRedirect("code_challenge must be the base64url SHA-256 of the code_verifier: 43 characters of A-Z a-z 0-9 - _")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get(tt.target)
			if p.Status != http.StatusFound || p.Header.Get("Location") != tt.want {
				t.Errorf("got %d Location %s\nwant 302 Location %s\n%s", p.Status, p.Header.Get("Location"), tt.want, p.Body)
			}
		})
	}
}

func TestAuthorizeSignedOut(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	target := authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts", "state", "s1", "utm", "ignored")
	wantReturn := "/connect/authorize?" + url.Values{"client_id": {"web"}, "redirect_uri": {webCallback}, "response_type": {"code"}, "scope": {"read:owneraccounts"}, "state": {"s1"}}.Encode()
	for _, path := range []string{target, "/" + target} {
		t.Run("GET"+path[:2], func(t *testing.T) {
			p := b.get(path)
			want := f.issuer() + "/account/login?return=" + url.QueryEscape(wantReturn)
			if p.Status != http.StatusFound || p.Header.Get("Location") != want {
				t.Errorf("got %d %s\nwant 302 %s", p.Status, p.Header.Get("Location"), want)
			}
		})
	}
	t.Run("POST", func(t *testing.T) {
		form, _ := url.ParseQuery(strings.TrimPrefix(target, "/connect/authorize?"))
		p := b.post("/connect/authorize", form)
		want := f.issuer() + "/account/login?return=" + url.QueryEscape(wantReturn)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != want {
			t.Errorf("got %d %s\nwant 303 %s", p.Status, p.Header.Get("Location"), want)
		}
	})
	t.Run("PromptNone", func(t *testing.T) {
		p := b.get(target + "&prompt=none")
		want := webCallback + "?" + url.Values{"error": {"login_required"}, "error_description": {"the user is not signed in and prompt=none forbids asking"}, "iss": {f.issuer()}, "state": {"s1"}}.Encode()
		if p.Header.Get("Location") != want {
			t.Errorf("Location %s\nwant     %s", p.Header.Get("Location"), want)
		}
	})
}

func TestConsentPage(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	state := "ab+c/d=="
	p := b.consent(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code",
		"scope", "read:owneraccounts write:grants offline_access read:owneraccounts", "state", state, "nonce", "n-1"))
	t.Run("Content", func(t *testing.T) {
		got := []string{p.Text("intro"), p.Header.Get("X-Frame-Options"), p.Header.Get("Cache-Control"), p.Header.Get("Referrer-Policy")}
		want := []string{"Web App wants to access your Keyward account.", "DENY", "no-store", "no-referrer"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		for _, s := range []string{
			`<img src="https://app.example/logo.png" alt="" id="logo">`,
			`<li data-scope="read:owneraccounts">View your owner accounts <code>read:owneraccounts</code></li>`,
			`<li data-scope="write:grants">View, create and revoke access permissions <code>write:grants</code></li>`,
			`<li data-scope="offline_access">Keep access while you are not using the application <code>offline_access</code></li>`,
			"Signed in as alice@example.com.",
		} {
			if !strings.Contains(p.Body, s) {
				t.Errorf("the consent page lacks %s", s)
			}
		}
		if n := strings.Count(p.Body, "<li data-scope="); n != 3 {
			t.Errorf("%d scopes listed, want 3", n)
		}
		csp := p.Header.Get("Content-Security-Policy")
		if !strings.HasPrefix(csp, "default-src 'none'; style-src 'sha256-") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
	})
	t.Run("AllowRedirectsWithCodeAndExactState", func(t *testing.T) {
		res := b.decide(p, "allow")
		loc := res.Redirect(t)
		q := loc.Query()
		if res.Status != http.StatusSeeOther || loc.Scheme+"://"+loc.Host+loc.Path != webCallback {
			t.Fatalf("got %d %s", res.Status, loc)
		}
		got := map[string]any{"state": q.Get("state"), "iss": q.Get("iss"), "scope": q.Get("scope"), "codeLength": len(q.Get("code"))}
		want := map[string]any{"state": state, "iss": f.issuer(), "scope": "read:owneraccounts write:grants offline_access", "codeLength": 43}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if !strings.Contains(loc.RawQuery, "state=ab%2Bc%2Fd%3D%3D") {
			t.Errorf("state is not URL-encoded exactly: %s", loc.RawQuery)
		}
	})
	t.Run("Deny", func(t *testing.T) {
		res := b.decide(p, "deny")
		want := webCallback + "?" + url.Values{"error": {"access_denied"}, "error_description": {"the user denied the authorization request"}, "iss": {f.issuer()}, "state": {state}}.Encode()
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("got %d %s\nwant 303 %s", res.Status, res.Header.Get("Location"), want)
		}
	})
	t.Run("RegisteredQueryIsKept", func(t *testing.T) {
		q := b.code(authorizeURL("client_id", "web", "redirect_uri", webCallback+"?tenant=1", "response_type", "code", "scope", "read:owneraccounts"))
		if q.Get("tenant") != "1" || q.Get("code") == "" {
			t.Errorf("redirect query %v, want tenant=1 and a code", q)
		}
	})
	t.Run("PromptNoneNeedsConsent", func(t *testing.T) {
		res := b.get(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts email", "prompt", "none"))
		want := webCallback + "?" + url.Values{"error": {"consent_required"}, "error_description": {"the user has not consented to email for this client and prompt=none forbids asking"}, "iss": {f.issuer()}}.Encode()
		if res.Header.Get("Location") != want {
			t.Errorf("Location %s\nwant     %s", res.Header.Get("Location"), want)
		}
	})
}

func TestConsentFormPost(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	p := b.consent(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "response_mode", "form_post", "scope", "read:owneraccounts", "state", "a+b"))
	res := b.decide(p, "allow")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d\n%s", res.Status, res.Body)
	}
	if !strings.Contains(res.Body, `<form method="post" action="https://app.example/cb" id="response">`) {
		t.Errorf("no form posting to the redirect URI:\n%s", res.Body)
	}
	fields := res.Form(t, "response")
	got := map[string]any{"state": fields.Get("state"), "iss": fields.Get("iss"), "scope": fields.Get("scope"), "codeLength": len(fields.Get("code"))}
	want := map[string]any{"state": "a+b", "iss": f.issuer(), "scope": "read:owneraccounts", "codeLength": 43}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'sha256-") || !strings.Contains(res.Body, "<script>document.forms[0].submit();</script>") {
		t.Errorf("the page does not submit itself: CSP %q", csp)
	}
	t.Run("ErrorsArePostedToo", func(t *testing.T) {
		res := b.get(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "token", "response_mode", "form_post", "scope", "read:owneraccounts"))
		fields := res.Form(t, "response")
		want := url.Values{"error": {"unsupported_response_type"}, "error_description": {"the response_type 'token' is not supported; use code"}, "iss": {f.issuer()}}
		if res.Status != http.StatusOK || !cmp.Equal(want, fields) {
			t.Errorf("got %d %v, want 200 %v", res.Status, fields, want)
		}
	})
}

func TestConsentCSRF(t *testing.T) {
	f := newFixture(t)
	alice := f.signIn(t, aliceID)
	mallory := f.signIn(t, bobID)
	target := authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts")
	form := alice.consent(target).Form(t, "consent")
	form.Set("decision", "allow")
	tests := []struct {
		name   string
		b      *browser
		mutate func(url.Values)
		want   string
	}{
		{"TokenOfAnotherSession", mallory, func(url.Values) {}, "This form has expired or was sent from another site. Please try again."},
		{"NoToken", alice, func(v url.Values) { v.Del("csrf_token") }, "This form has expired or was sent from another site. Please try again."},
		{"NoSession", f.newBrowser(t), func(url.Values) {}, "Your session has ended. Please go back to the application and start again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range form {
				v[k] = append([]string(nil), vs...)
			}
			tt.mutate(v)
			res := tt.b.post("/connect/consent", v)
			if res.Status != http.StatusBadRequest || res.Text("message") != tt.want || res.Header.Get("Location") != "" {
				t.Errorf("got %d %q Location %q, want 400 %q", res.Status, res.Text("message"), res.Header.Get("Location"), tt.want)
			}
		})
	}
	t.Run("TamperedParametersAreValidatedAgain", func(t *testing.T) {
		v := url.Values{}
		for k, vs := range form {
			v[k] = vs
		}
		v.Set("redirect_uri", "https://evil.example/cb")
		res := alice.post("/connect/consent", v)
		if res.Status != http.StatusBadRequest || res.Text("description") != "the redirect_uri 'https://evil.example/cb' is not registered for the client 'web'; it must equal a registered URI exactly" {
			t.Errorf("got %d %q", res.Status, res.Text("description"))
		}
	})
}

func TestAuthorizeUnverifiedSession(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, bobID)
	p := b.get(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts"))
	want := []any{403, "Your e-mail address has not been verified. Please open the link we sent you, then try again.", "Error: EmailNotVerified"}
	if diff := cmp.Diff(want, []any{p.Status, p.Text("message"), p.Text("code")}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
