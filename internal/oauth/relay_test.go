package oauth_test

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/mail"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore"
)

// newFixtureWithoutRelay is newFixture with the mailer of a server without --smtp-url.
func newFixtureWithoutRelay(t *testing.T, console io.Writer) *fixture {
	t.Helper()
	store := openStore(t, sqlstore.SQLite)
	addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
	clk := apitest.NewClock(t0)
	return startServer(t, store, clk, &outbox{}, func(issuer string) oauth.Config {
		return fixtureConfig(t, issuer, store, clk, mail.LogMailer{Logger: discardLogger(), Console: console})
	})
}

// TestSignup_WithoutMailRelay: without a relay the pages say where the link is instead of
// claiming a mail, and the console shows the link as a plain line that works.
func TestSignup_WithoutMailRelay(t *testing.T) {
	console := &apitest.Output{}
	f := newFixtureWithoutRelay(t, console)
	tests := []struct{ lang, email, title, text string }{
		{"en", "dora@example.com", "Get the link from the server console",
			"This server has no mail relay, so no e-mail was sent. The verification link for dora@example.com is printed on the server's console (its standard error output), where whoever runs the server can copy it. Open it to verify your address, then sign in."},
		{"de", "emil@example.com", "Den Link finden Sie in der Serverkonsole",
			"Dieser Server hat kein Mail-Relay, daher wurde keine E-Mail gesendet. Der Bestätigungslink für emil@example.com steht in der Konsole des Servers (seiner Standardfehlerausgabe); wer den Server betreibt, kann ihn dort kopieren. Öffnen Sie ihn, um Ihre Adresse zu bestätigen, und melden Sie sich dann an."},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			b := f.newBrowser(t)
			b.Lang = tt.lang
			form := b.get("/account/signup").Form(t, "signup")
			form.Set("email", tt.email)
			form.Set("password", "long enough")
			res := b.post("/account/signup", form)
			if got, want := []any{res.Status, res.Find(`<h1>([^<]*)</h1>`), res.Text("message")}, []any{200, tt.title, tt.text}; !cmp.Equal(want, got) {
				t.Errorf("got %q\nwant %q", got, want)
			}
			_, mail, found := strings.Cut(console.String(), "---- e-mail to "+tt.email+", not sent: no mail relay is configured (--smtp-url) ----\n")
			link := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(f.issuer()) + `/account/verify\?token=\S+$`).FindString(mail)
			if !found || link == "" {
				t.Fatalf("console %q has no plain link for %s", console.String(), tt.email)
			}
			if res := b.get(link); res.Status != 200 {
				t.Errorf("the console's link: %d %s", res.Status, res.Text("message"))
			}
		})
	}
	t.Run("Resend", func(t *testing.T) {
		b := f.newBrowser(t)
		refused := b.post("/account/login", b.loginForm("", "bob@example.com", alicePassword))
		done := b.post("/account/verify/resend", refused.Form(t, "resend"))
		want := []any{200, "New link on the server console", "This server has no mail relay, so no e-mail was sent. A new verification link for bob@example.com is printed on the server's console (its standard error output), where whoever runs the server can copy it."}
		if got := []any{done.Status, done.Find(`<h1>([^<]*)</h1>`), done.Text("message")}; !cmp.Equal(want, got) {
			t.Errorf("got %q\nwant %q", got, want)
		}
		if !strings.Contains(console.String(), "---- e-mail to bob@example.com, not sent") {
			t.Errorf("console %q has no mail to bob", console.String())
		}
	})
}
