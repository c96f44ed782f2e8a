// Package account serves the pages a person uses in a browser and the sessions behind them:
// sign-in, sign-up and e-mail verification, the account page with the applications the person
// has authorized and the withdrawal of their access, and the page templates, their texts and
// their rendering, which the authorization server uses for its consent and form_post pages. The
// coming web portal uses the same sessions, forms and pages.
//
// # Dependency direction
//
// The authorization server (package oauth) imports this package, never the other way round: its
// authorization endpoint asks Server.Current who is signed in, sends a signed-out browser to
// Server.LoginURL, shows Server.Consent and answers its page errors through Server.Handle. The
// pages know nothing of the protocol beyond the paths a sign-in may return to (/connect/...) and
// the token families a withdrawal revokes in the store.
//
// # Sessions and forms
//
// A browser signs in at /account/login with e-mail and password, which Config.Accounts checks
// (the service's SignIn: Argon2id, and five failures per address within fifteen minutes block
// that address for the rest of the window). Sessions are random cookie values stored as their
// SHA-256 and last SessionLifetime. Every form carries a CSRF token: the HMAC of the pre-session
// cookie for the forms shown before sign-in, of the session cookie for consent, withdrawal and
// sign-out. Cookies are HttpOnly and SameSite=Lax, and Secure with the __Host- prefix under an
// https issuer.
//
// # Pages
//
// Pages are html/template files embedded from pages/, parsed once per process, run no script
// (except the self-submitting form_post page, allowed by hash), cannot be framed, and take every
// user-facing string from the i18n catalogs ("page.*", "scope.*"), in the language the request's
// Accept-Language prefers. Handlers are func(w, r) error; Handle is the one place that turns an
// error into a page: a refusal into its page, a protocol error or a malformed parameter into the
// error page with its code, anything else into a generic page without internal text.
//
// Sign-up creates users through Config.Accounts (the service's SignUp, which also limits
// sign-ups to ten per client network, the TCP peer's address or an IPv6 /64, and hour) and mails
// a signed verification link, in the language of the sign-up request, through Config.Mailer;
// unverified users cannot sign in (the seed's EmailNotVerified).
package account
