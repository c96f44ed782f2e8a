package oauth_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

// htmlLang is the lang attribute of a page.
func htmlLang(p *page) string { return p.Find(`<html lang="([^"]*)">`) }

// loginTexts are the texts of the sign-in page, and the refusal of a wrong password.
type loginTexts struct {
	Lang, Title, Heading, EmailLabel, PasswordLabel, Submit, SignupPrompt, SignupLink, WrongPassword string
}

func TestLoginPage_Language(t *testing.T) {
	f := newFixture(t)
	english := loginTexts{"en", "Sign in · Keyward", "Sign in", "E-mail address", "Password", "Sign in", "No account yet?",
		"Create an account", "The e-mail address or the password is wrong."}
	tests := []struct {
		name, acceptLanguage string
		want                 loginTexts
	}{
		{"German", "de-DE,de;q=0.9,en;q=0.8", loginTexts{"de", "Anmelden · Keyward", "Anmelden", "E-Mail-Adresse", "Passwort", "Anmelden",
			"Noch kein Konto?", "Konto erstellen", "Die E-Mail-Adresse oder das Passwort ist falsch."}},
		{"French", "fr", loginTexts{"fr", "Connexion · Keyward", "Connexion", "Adresse e-mail", "Mot de passe", "Se connecter",
			"Vous n'avez pas encore de compte\u00a0?", "Créer un compte", "L'adresse e-mail ou le mot de passe est incorrect."}},
		{"English", "", english},
		{"Unsupported", "ja-JP", english},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.newBrowser(t)
			b.Lang = tt.acceptLanguage
			p := b.get("/account/login")
			form := p.Form(t, "login")
			form.Set("email", "nobody@example.com")
			form.Set("password", "wrong password")
			refused := b.post("/account/login", form)
			got := loginTexts{htmlLang(p), p.Find(`<title>([^<]*)</title>`), p.Find(`<h1>([^<]*)</h1>`),
				p.Find(`<label for="email">([^<]*)</label>`), p.Find(`<label for="password">([^<]*)</label>`),
				p.Find(`<button type="submit">([^<]*)</button>`), p.Find(`<p class="foot">([^<]*) <a`), p.Text("signup-link"),
				refused.Text("error")}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sign-in page (-want +got):\n%s", diff)
			}
			if htmlLang(refused) != tt.want.Lang {
				t.Errorf("the refusal has lang %q, want %q", htmlLang(refused), tt.want.Lang)
			}
		})
	}
}

func TestConsentPage_Language(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, aliceID)
	b.Lang = "fr-CH, en;q=0.5"
	p := b.consent(authorizeURL("client_id", "web", "redirect_uri", webCallback, "response_type", "code", "scope", "read:owneraccounts write:grants"))
	var scopes [][]string
	for _, m := range regexp.MustCompile(`<li data-scope="([^"]*)">([^<]*) <code>`).FindAllStringSubmatch(p.Body, -1) {
		scopes = append(scopes, []string{m[1], html.UnescapeString(m[2])})
	}
	got := []any{htmlLang(p), p.Find(`<h1>([^<]*)</h1>`), p.Text("intro"), scopes, p.Text("allow"), p.Text("deny")}
	want := []any{"fr", "Autoriser l'accès\u00a0?", "Web App souhaite accéder à votre compte Keyward.",
		[][]string{{"read:owneraccounts", "Consulter vos comptes propriétaire"}, {"write:grants", "Consulter, créer et révoquer des autorisations d'accès"}},
		"Autoriser", "Refuser"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("consent page (-want +got):\n%s", diff)
	}
}

// TestErrorPage_Language shows the page in Spanish; the OAuth error itself stays in English, as
// the JSON endpoints give it.
func TestErrorPage_Language(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	b.Lang = "es-419"
	p := b.get(authorizeURL("client_id", "ghost", "redirect_uri", webCallback, "response_type", "code"))
	got := []any{p.Status, htmlLang(p), p.Find(`<h1>([^<]*)</h1>`), p.Text("message"), p.Text("code"), p.Text("description")}
	want := []any{400, "es", "No se puede completar esta solicitud",
		"La aplicación que le ha redirigido aquí ha realizado una solicitud que este servidor no puede aceptar.",
		"Código de error: invalid_request", "the client 'ghost' is not registered"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error page (-want +got):\n%s", diff)
	}
}

// TestSignup_Language checks that the verification e-mail is written in the language of the
// sign-up request.
func TestSignup_Language(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	b.Lang = "it"
	form := b.get("/account/signup").Form(t, "signup")
	form.Set("email", "dora@example.com")
	form.Set("password", "long enough")
	res := b.post("/account/signup", form)
	if got, want := []any{res.Status, res.Find(`<h1>([^<]*)</h1>`), res.Text("message")}, []any{200, "Controllare la posta in arrivo",
		"Abbiamo inviato un link a dora@example.com. Aprirlo per verificare l'indirizzo, quindi accedere."}; !cmp.Equal(want, got) {
		t.Errorf("got %v, want %v", got, want)
	}
	mails := f.mail.messages()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	link := regexp.MustCompile(`http://\S+/account/verify\?token=\S+`).FindString(mails[0].Body)
	want := mailMessage{To: "dora@example.com", Subject: "Verifica dell'indirizzo e-mail",
		Body: "Buongiorno,\n\nLa preghiamo di aprire questo link per verificare il Suo indirizzo e-mail dora@example.com:\n\n" + link +
			"\n\nIl link è valido per 7 giorni. Se non ha creato un account, può ignorare questo messaggio.\n"}
	if diff := cmp.Diff(want, mails[0]); diff != "" || link == "" {
		t.Errorf("mail (-want +got):\n%s", diff)
	}
}

func TestSignupLimit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for range 9 {
		if err := f.store.RecordSignupAttempt(ctx, "127.0.0.1", keyward.NewTime(t0.Add(-59*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	signup := func(b *browser, email, password string) *page {
		form := b.get("/account/signup").Form(t, "signup")
		form.Set("email", email)
		form.Set("password", password)
		return b.post("/account/signup", form)
	}
	b := f.newBrowser(t)
	if res := signup(b, "tenth@example.com", "long enough"); res.Status != http.StatusOK {
		t.Fatalf("the tenth sign-up in the hour: %d %q", res.Status, res.Text("error"))
	}
	if n, err := f.store.CountSignupAttempts(ctx, "127.0.0.1", keyward.NewTime(t0.Add(-time.Hour))); err != nil || n != 10 {
		t.Fatalf("%d attempts recorded for 127.0.0.1 (%v), want 10", n, err)
	}
	refusals := []struct {
		name, lang, email, password string
		want                        string
	}{
		{"English", "", "eleventh@example.com", "long enough", "Too many sign-up attempts from your network. Please wait an hour and try again."},
		{"German", "de", "eleventh@example.com", "long enough",
			"Zu viele Registrierungsversuche aus Ihrem Netzwerk. Bitte warten Sie eine Stunde und versuchen Sie es dann erneut."},
		{"Dutch", "nl-BE", "eleventh@example.com", "long enough", "Te veel registratiepogingen vanaf uw netwerk. Wacht een uur en probeer het opnieuw."},
		{"FormChecksFirst", "", "eleventh@example.com", "short", "The password must have at least 8 characters."},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			b := f.newBrowser(t)
			b.Lang = tt.lang
			res := signup(b, tt.email, tt.password)
			if res.Status != http.StatusBadRequest || res.Text("error") != tt.want {
				t.Errorf("got %d %q, want 400 %q", res.Status, res.Text("error"), tt.want)
			}
		})
	}
	if _, err := f.store.FindUserByEmail(ctx, "eleventh@example.com"); err == nil || len(f.mail.messages()) != 1 {
		t.Errorf("a refused sign-up created the user (%v) or sent a mail (%d mails)", err, len(f.mail.messages()))
	}
	f.clock.Advance(time.Minute + time.Millisecond) // the nine early attempts leave the window
	if res := signup(b, "eleventh@example.com", "long enough"); res.Status != http.StatusOK {
		t.Errorf("after the window: %d %q", res.Status, res.Text("error"))
	}
}
