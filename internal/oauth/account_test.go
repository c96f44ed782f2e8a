package oauth_test

import (
	"context"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
)

// loginForm opens the sign-in page for a return path and returns its form, filled in.
func (b *browser) loginForm(ret, email, password string) url.Values {
	b.t.Helper()
	p := b.get("/account/login?return=" + url.QueryEscape(ret))
	if p.Status != http.StatusOK {
		b.t.Fatalf("login page: %d\n%s", p.Status, p.Body)
	}
	form := p.Form(b.t, "login")
	form.Set("email", email)
	form.Set("password", password)
	return form
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	ret := "/connect/authorize?client_id=web&state=a%2Bb"
	t.Run("OK", func(t *testing.T) {
		b := f.newBrowser(t)
		res := b.post("/account/login", b.loginForm(ret, "Alice@Example.com", alicePassword))
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != f.issuer()+ret {
			t.Fatalf("got %d %s\n%s", res.Status, res.Header.Get("Location"), res.Body)
		}
		cookie := res.Header.Get("Set-Cookie")
		if !regexp.MustCompile(`^kw_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax$`).MatchString(cookie) {
			t.Errorf("Set-Cookie %q", cookie)
		}
		if p := b.get("/account"); p.Text("signed-in") != "You are signed in as alice@example.com." {
			t.Errorf("account page: %d %s", p.Status, p.Body)
		}
	})
	t.Run("NoReturnGoesToAccount", func(t *testing.T) {
		b := f.newBrowser(t)
		form := b.loginForm("", "alice@example.com", alicePassword)
		if res := b.post("/account/login", form); res.Header.Get("Location") != f.issuer()+"/account" {
			t.Errorf("Location %q", res.Header.Get("Location"))
		}
	})
	refusals := []struct {
		name       string
		prepare    func(b *browser) url.Values
		wantStatus int
		wantError  string
	}{
		{"WrongPassword", func(b *browser) url.Values { return b.loginForm(ret, "alice@example.com", "wrong password") }, 400, "The e-mail address or the password is wrong."},
		{"UnknownAddress", func(b *browser) url.Values { return b.loginForm(ret, "nobody@example.com", alicePassword) }, 400, "The e-mail address or the password is wrong."},
		{"ServiceUser", func(b *browser) url.Values { return b.loginForm(ret, "svc@clients.invalid", alicePassword) }, 400, "The e-mail address or the password is wrong."},
		{"Missing", func(b *browser) url.Values { return b.loginForm(ret, "alice@example.com", "") }, 400, "Please enter your e-mail address and your password."},
		{"NoCookie", func(b *browser) url.Values {
			form := b.loginForm(ret, "alice@example.com", alicePassword)
			b.Client.Jar, _ = newJar()
			return form
		}, 400, "Your browser did not send our cookie back. Please allow cookies for this site and try again."},
		{"ForgedToken", func(b *browser) url.Values {
			form := b.loginForm(ret, "alice@example.com", alicePassword)
			form.Set("csrf_token", "forged")
			return form
		}, 400, "This form has expired or was sent from another site. Please try again."},
		{"TokenOfAnotherBrowser", func(b *browser) url.Values {
			b.get("/account/login")
			return f.newBrowser(t).loginForm(ret, "alice@example.com", alicePassword)
		}, 400, "This form has expired or was sent from another site. Please try again."},
		{"Unverified", func(b *browser) url.Values { return b.loginForm(ret, "bob@example.com", alicePassword) }, 403,
			"Your e-mail address has not been verified yet. Please open the link we sent to bob@example.com first."},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			b := f.newBrowser(t)
			res := b.post("/account/login", tt.prepare(b))
			got := []any{res.Status, res.Text("error"), res.Header.Get("Location"), res.Form(t, "login").Get("return")}
			if diff := cmp.Diff([]any{tt.wantStatus, tt.wantError, "", ret}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("UnverifiedCanResend", func(t *testing.T) {
		b := f.newBrowser(t)
		res := b.post("/account/login", b.loginForm(ret, "bob@example.com", alicePassword))
		sent := len(f.mail.messages())
		done := b.post("/account/verify/resend", res.Form(t, "resend"))
		if done.Status != 200 || done.Text("message") != "We sent a new verification link to bob@example.com." || len(f.mail.messages()) != sent+1 {
			t.Fatalf("got %d %q, %d mails", done.Status, done.Text("message"), len(f.mail.messages()))
		}
		forged := res.Form(t, "resend")
		forged.Set("resend_token", strings.Replace(forged.Get("resend_token"), bobID, aliceID, 1))
		if res := b.post("/account/verify/resend", forged); res.Status != 400 || len(f.mail.messages()) != sent+1 {
			t.Errorf("forged resend token: %d, %d mails", res.Status, len(f.mail.messages()))
		}
	})
}

func newJar() (http.CookieJar, error) { return cookiejar.New(nil) }

func htmlUnescape(s string) string { return html.UnescapeString(s) }

func TestLoginThrottling(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	for i := range 5 {
		if res := b.post("/account/login", b.loginForm("", "alice@example.com", "guess")); res.Text("error") != "The e-mail address or the password is wrong." {
			t.Fatalf("attempt %d: %q", i+1, res.Text("error"))
		}
	}
	throttled := "Too many failed sign-ins for this address. Please wait 15 minutes and try again."
	res := b.post("/account/login", b.loginForm("", "ALICE@example.com", alicePassword))
	if res.Status != 400 || res.Text("error") != throttled {
		t.Fatalf("sixth attempt with the right password: %d %q", res.Status, res.Text("error"))
	}
	if other := b.post("/account/login", b.loginForm("", "bob@example.com", "guess")); other.Text("error") == throttled {
		t.Error("another address is throttled too")
	}
	f.clock.Advance(15*time.Minute + time.Millisecond)
	if res := b.post("/account/login", b.loginForm("", "alice@example.com", alicePassword)); res.Status != http.StatusSeeOther {
		t.Errorf("after the window: %d %q", res.Status, res.Text("error"))
	}
}

func TestLoginReturn(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	tests := map[string]string{
		"/connect/authorize?client_id=x&state=a%2Bb": "/connect/authorize?client_id=x&state=a%2Bb",
		"/account":                "/account",
		"/account/":               "/account/",
		"/Connect/Authorize?x=1":  "/Connect/Authorize?x=1",
		"https://evil.example/":   "",
		"//evil.example/connect/": "",
		"/\\evil.example":         "",
		"/connect/../evil":        "",
		"/connect/%2e%2e/evil":    "",
		"/api/v1/Owners":          "",
		"javascript:alert(1)":     "",
		"/account/login#frag":     "",
		"connect/authorize":       "",
		"/accounts":               "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := b.loginForm(in, "", "").Get("return"); got != want {
				t.Errorf("return %q, want %q", got, want)
			}
		})
	}
}

func TestSecureCookies(t *testing.T) {
	store := openStore(t, sqlstore.SQLite)
	addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
	pages := newPages(t, account.Config{Issuer: "https://keyward.test", Logger: discardLogger(), Accounts: service.New(store, service.Config{})}, store)
	srv, err := oauth.New(context.Background(), oauth.Config{Issuer: "https://keyward.test", Logger: discardLogger(), Pages: pages}, store)
	if err != nil {
		t.Fatal(err)
	}
	rec := serveRecorder(srv, http.MethodGet, "/account/login", nil)
	cookie := rec.Header().Get("Set-Cookie")
	if !regexp.MustCompile(`^__Host-kw_presession=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; Secure; SameSite=Lax$`).MatchString(cookie) {
		t.Errorf("Set-Cookie %q", cookie)
	}
	if !strings.Contains(rec.Body.String(), `action="https://keyward.test/account/login"`) {
		t.Error("the form does not post to the issuer")
	}
	if got := rec.Result().StatusCode; got != 200 {
		t.Errorf("status %d", got)
	}
}

func TestSignup(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	open := func(email, password string) url.Values {
		p := b.get("/account/signup?return=" + url.QueryEscape("/connect/authorize?client_id=web"))
		form := p.Form(t, "signup")
		form.Set("email", email)
		form.Set("password", password)
		return form
	}
	res := b.post("/account/signup", open("carol@example.com", "long enough"))
	if res.Status != 200 || res.Text("message") != "We sent a link to carol@example.com. Open it to verify your address, then sign in." {
		t.Fatalf("got %d %q\n%s", res.Status, res.Text("message"), res.Body)
	}
	mails := f.mail.messages()
	if len(mails) != 1 || mails[0].To != "carol@example.com" || mails[0].Subject != "Verify your e-mail address" {
		t.Fatalf("mails %+v", mails)
	}
	link := regexp.MustCompile(`http://\S+/account/verify\?token=\S+`).FindString(mails[0].Body)
	if link == "" || !strings.HasPrefix(link, f.issuer()+"/account/verify?token=") {
		t.Fatalf("no verification link in %q", mails[0].Body)
	}
	carol, err := f.store.FindUserByEmail(context.Background(), "carol@example.com")
	if err != nil || carol.Verified || !service.PasswordMatches("long enough", carol.PasswordHash) {
		t.Fatalf("stored user %+v, %v", carol, err)
	}
	t.Run("Refusals", func(t *testing.T) {
		for _, tt := range []struct{ name, email, password, want string }{
			{"InUse", "ALICE@example.com", "long enough", "This e-mail address is already in use by another account."},
			{"BadAddress", "not an address", "long enough", "Please enter a valid e-mail address."},
			{"DisplayName", "Carol <c@example.com>", "long enough", "Please enter a valid e-mail address."},
			{"NoDot", "c@localhost", "long enough", "Please enter a valid e-mail address."},
			{"ShortPassword", "dave@example.com", "1234567", "The password must have at least 8 characters."},
			{"LongPassword", "dave@example.com", strings.Repeat("x", 1025), "The password must have at most 1024 characters."},
		} {
			t.Run(tt.name, func(t *testing.T) {
				res := b.post("/account/signup", open(tt.email, tt.password))
				if res.Status != 400 || res.Text("error") != tt.want {
					t.Errorf("got %d %q, want 400 %q", res.Status, res.Text("error"), tt.want)
				}
			})
		}
	})
	t.Run("LoginBeforeVerification", func(t *testing.T) {
		res := b.post("/account/login", b.loginForm("", "carol@example.com", "long enough"))
		if res.Status != 403 {
			t.Errorf("status %d", res.Status)
		}
	})
	t.Run("VerifyLink", func(t *testing.T) {
		tampered := strings.Replace(link, "token=", "token=x", 1)
		if res := b.get(tampered); res.Status != 400 || res.Text("message") != "This verification link is invalid or has expired. Sign in to get a new one." {
			t.Errorf("tampered link: %d %q", res.Status, res.Text("message"))
		}
		res := b.get(link)
		if res.Status != 200 || res.Text("message") != "Your e-mail address carol@example.com is verified. You can sign in now." {
			t.Fatalf("got %d %q", res.Status, res.Text("message"))
		}
		if u, _ := f.store.FindUserByEmail(context.Background(), "carol@example.com"); !u.Verified {
			t.Error("the user is not verified")
		}
		if res := b.post("/account/login", b.loginForm("", "carol@example.com", "long enough")); res.Status != http.StatusSeeOther {
			t.Errorf("login after verification: %d %q", res.Status, res.Text("error"))
		}
	})
	t.Run("ExpiredLink", func(t *testing.T) {
		link, err := account.VerificationLink(context.Background(), f.store, f.issuer(), "bob@example.com", t0)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(7*24*time.Hour + time.Second)
		defer f.clock.Advance(-7*24*time.Hour - time.Second)
		if res := b.get(link); res.Status != 400 {
			t.Errorf("expired link: %d", res.Status)
		}
	})
	t.Run("CSRF", func(t *testing.T) {
		form := open("erin@example.com", "long enough")
		form.Set("csrf_token", "x")
		if res := b.post("/account/signup", form); res.Status != 400 || res.Text("error") != "This form has expired or was sent from another site. Please try again." {
			t.Errorf("got %d %q", res.Status, res.Text("error"))
		}
	})
}

func TestSignupOff(t *testing.T) {
	store := openStore(t, sqlstore.SQLite)
	addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
	pages := newPages(t, account.Config{Issuer: "http://keyward.test", Logger: discardLogger(), Accounts: service.New(store, service.Config{}), NoSignUp: true}, store)
	srv, err := oauth.New(context.Background(), oauth.Config{Issuer: "http://keyward.test", Logger: discardLogger(), Pages: pages}, store)
	if err != nil {
		t.Fatal(err)
	}
	rec := serveRecorder(srv, http.MethodGet, "/account/signup", nil)
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "Sign-up is not available on this server.") {
		t.Errorf("got %d %s", rec.Code, rec.Body.String())
	}
	if rec := serveRecorder(srv, http.MethodGet, "/account/login", nil); strings.Contains(rec.Body.String(), "signup-link") {
		t.Error("the sign-in page links to the sign-up page")
	}
}

func TestVerificationLink(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	link, err := account.VerificationLink(ctx, f.store, f.issuer(), "BOB@example.com", t0)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(f.issuer()) + `/account/verify\?token=` + bobID + `\.\d+\.[A-Za-z0-9_-]{43}$`).MatchString(link) {
		t.Errorf("link %q", link)
	}
	if res := f.newBrowser(t).get(link); res.Status != 200 {
		t.Errorf("the link does not verify: %d", res.Status)
	}
	for _, tt := range []struct{ email, want string }{
		{"alice@example.com", "the address alice@example.com of user " + aliceID + " is verified already"},
		{"svc@clients.invalid", "the user " + svcUserID + " is a service user, who signs in without an e-mail address"},
	} {
		_, err := account.VerificationLink(ctx, f.store, f.issuer(), tt.email, t0)
		if e := keyward.ErrorOf(err); e == nil || e.Details != tt.want {
			t.Errorf("%s: %v, want %q", tt.email, err, tt.want)
		}
	}
	if _, err := account.VerificationLink(ctx, f.store, f.issuer(), "nobody@example.com", t0); keyward.ErrorOf(err) == nil || keyward.ErrorOf(err).Kind != keyward.KindNotFound {
		t.Errorf("unknown address: %v", err)
	}
}

func TestLogout(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	form := b.get("/account").Form(t, "logout")
	t.Run("ForgedToken", func(t *testing.T) {
		if res := b.post("/account/logout", url.Values{"csrf_token": {"x"}}); res.Status != 400 {
			t.Errorf("status %d", res.Status)
		}
		if res := b.get("/account"); res.Status != 200 {
			t.Errorf("signed out by a forged form: %d", res.Status)
		}
	})
	res := b.post("/account/logout", form)
	if res.Status != 200 || res.Text("message") != "You are signed out." || !strings.Contains(res.Header.Get("Set-Cookie"), "kw_session=; Path=/; Max-Age=0") {
		t.Fatalf("got %d %q %q", res.Status, res.Text("message"), res.Header.Get("Set-Cookie"))
	}
	if res := b.get("/account"); res.Status != http.StatusFound || res.Header.Get("Location") != f.issuer()+"/account/login?return=%2Faccount" {
		t.Errorf("account page after logout: %d %s", res.Status, res.Header.Get("Location"))
	}
	t.Run("FromConsentPage", func(t *testing.T) {
		b := f.signIn(t, aliceID)
		target := authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts")
		p := b.consent(target)
		form := url.Values{"csrf_token": {p.Form(t, "consent").Get("csrf_token")}, "return": {""}}
		m := regexp.MustCompile(`name="return" value="([^"]*)"`).FindStringSubmatch(p.Body)
		form.Set("return", htmlUnescape(m[1]))
		res := b.post("/account/logout", form)
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != f.issuer()+"/account/login?return="+url.QueryEscape(target) {
			t.Errorf("got %d %s", res.Status, res.Header.Get("Location"))
		}
	})
}
