package oauth

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/param"
)

// defaultReturn is where a sign-in without a return path lands.
const defaultReturn = pathAccount

// loginView is the data of the sign-in page.
type loginView struct {
	Action, CSRF, Return, Email, SignupURL string
	Resend                                 *resendView
}

// resendView is the "send the link again" button of a sign-in refused for an unverified address.
type resendView struct{ Action, Token string }

// showLogin renders the sign-in page with a fresh CSRF token bound to the pre-session cookie.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, v loginView, errText string) error {
	v.Action, v.CSRF = s.endpoint(pathLogin), s.csrfToken(s.preSession(w, r))
	if s.cfg.Accounts != nil {
		v.SignupURL = s.endpoint(pathSignup) + returnQuery(v.Return)
	}
	return s.render(w, r, status, "login", pageData{Title: s.t(r, "page.login.title"), Error: errText, View: v})
}

// returnQuery is "?return=..." for a non-empty return path.
func returnQuery(ret string) string {
	if ret == "" {
		return ""
	}
	return "?return=" + url.QueryEscape(ret)
}

// loginPage serves GET /account/login.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	return s.showLogin(w, r, http.StatusOK, loginView{Return: safeReturn(r.URL.Query().Get("return"))}, "")
}

// login serves POST /account/login: CSRF, throttling, password, verified address, then a new
// session and a redirect to the return path. Refusals show the form again with status 400 (403
// for an unverified address, the status of the seed's EmailNotVerified); 429 is not used,
// because a browser shows these pages whatever the status and the text says what to do.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	form, err := param.SingleForm(w, r)
	if err != nil {
		return err
	}
	v := loginView{Return: safeReturn(form.Get("return")), Email: strings.TrimSpace(form.Get("email"))}
	if text := s.formRefusal(r, s.cookie(r, preSessionCookie), form); text != "" {
		return s.showLogin(w, r, http.StatusBadRequest, v, text)
	}
	password := form.Get("password")
	if v.Email == "" || password == "" {
		return s.showLogin(w, r, http.StatusBadRequest, v, s.t(r, "page.login.missing"))
	}
	if s.cfg.Accounts == nil {
		return errors.New("oauth: no Accounts to sign in with")
	}
	user, err := s.cfg.Accounts.SignIn(r.Context(), v.Email, password, clientNetwork(r.RemoteAddr))
	if errors.Is(err, keyward.ErrEmailNotVerified) {
		return s.refuseUnverified(w, r, v)
	}
	if text := s.signInRefusal(r, err); text != "" {
		return s.showLogin(w, r, http.StatusBadRequest, v, text)
	}
	if err != nil {
		return err
	}
	if err := s.startSession(w, r, user); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "oauth: user signed in", "user_id", user.ID)
	http.Redirect(w, r, s.endpoint(cmp.Or(v.Return, defaultReturn)), http.StatusSeeOther)
	return nil
}

// formRefusal checks a pre-session form's CSRF token and returns the text to show when it fails.
func (s *Server) formRefusal(r *http.Request, binding string, form url.Values) string {
	switch {
	case binding == "":
		s.log.InfoContext(r.Context(), "oauth: form refused", "path", r.URL.Path, "reason", "no cookie")
		return s.t(r, "page.form.cookies")
	case !s.checkCSRF(binding, form.Get("csrf_token")):
		s.log.InfoContext(r.Context(), "oauth: form refused", "path", r.URL.Path, "reason", "wrong CSRF token")
		return s.t(r, "page.form.expired")
	}
	return ""
}

// signInRefusal is the sign-in page's text for a refused sign-in, "" for any other error.
func (s *Server) signInRefusal(r *http.Request, err error) string {
	key := ""
	switch {
	case errors.Is(err, keyward.ErrSignInFailed):
		key = "page.login.failed"
	case errors.Is(err, keyward.ErrSignInThrottled):
		key = "page.login.throttled"
	default:
		return ""
	}
	s.log.InfoContext(r.Context(), "oauth: sign-in refused", "error", err)
	return s.t(r, key)
}

// refuseUnverified shows the sign-in page refused for an unverified address, with a button that
// mails the link again.
func (s *Server) refuseUnverified(w http.ResponseWriter, r *http.Request, v loginView) error {
	user, err := s.store.FindUserByEmail(r.Context(), v.Email)
	if err != nil {
		return fmt.Errorf("oauth: find unverified user: %w", err)
	}
	exp := s.cfg.Now().Add(resendTokenLifetime)
	v.Resend = &resendView{Action: s.endpoint(pathResend), Token: signUserToken(s.secrets.verify, "resend", user.ID, "", exp)}
	return s.showLogin(w, r, http.StatusForbidden, v, s.t(r, "page.login.unverified", user.Email))
}

// resend serves POST /account/verify/resend, the button of a sign-in refused for an unverified
// address. Its token proves that the password was right a moment ago, so that nobody can make
// the server mail arbitrary addresses.
func (s *Server) resend(w http.ResponseWriter, r *http.Request) error {
	form, err := param.SingleForm(w, r)
	if err != nil {
		return err
	}
	if text := s.formRefusal(r, s.cookie(r, preSessionCookie), form); text != "" {
		return &pageError{status: http.StatusBadRequest, title: s.t(r, "page.error.title"), view: messageView{Text: text, LinkURL: s.endpoint(pathLogin), LinkText: s.t(r, "page.link.login")}}
	}
	user, err := s.openUserToken(r.Context(), form.Get("resend_token"), "resend")
	if errors.Is(err, errBadUserToken) {
		return &pageError{status: http.StatusBadRequest, title: s.t(r, "page.error.title"), view: messageView{Text: s.t(r, "page.form.expired"), LinkURL: s.endpoint(pathLogin), LinkText: s.t(r, "page.link.login")}}
	}
	if err != nil {
		return err
	}
	if !user.Verified {
		if err := s.sendVerification(r.Context(), s.lang(r), user); err != nil {
			return err
		}
	}
	return s.linkSent(w, r, user.Email, s.endpoint(pathLogin),
		"page.resend.doneTitle", "page.resend.doneText", "page.resend.doneTitleNoMail", "page.resend.doneTextNoMail")
}

// verifyEmail serves GET /account/verify?token=...: the link of the verification e-mail.
func (s *Server) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	user, err := s.openUserToken(r.Context(), r.URL.Query().Get("token"), "verify")
	if errors.Is(err, errBadUserToken) {
		return &pageError{status: http.StatusBadRequest, title: s.t(r, "page.verify.badTitle"), view: messageView{Text: s.t(r, "page.verify.badText"), LinkURL: s.endpoint(pathLogin), LinkText: s.t(r, "page.link.login")}}
	}
	if err != nil {
		return err
	}
	if !user.Verified {
		if err := s.store.SetUserVerified(r.Context(), user.ID); err != nil {
			return fmt.Errorf("oauth: verify user %s: %w", user.ID, err)
		}
		s.log.InfoContext(r.Context(), "oauth: e-mail address verified", "user_id", user.ID)
	}
	return s.render(w, r, http.StatusOK, "message", pageData{Title: s.t(r, "page.verify.doneTitle"),
		View: messageView{Text: s.t(r, "page.verify.doneText", user.Email), LinkURL: s.endpoint(pathLogin), LinkText: s.t(r, "page.link.login")}})
}

// signupView is the data of the sign-up page.
type signupView struct{ Action, CSRF, Return, Email, LoginURL string }

func (s *Server) showSignup(w http.ResponseWriter, r *http.Request, status int, v signupView, errText string) error {
	v.Action, v.CSRF, v.LoginURL = s.endpoint(pathSignup), s.csrfToken(s.preSession(w, r)), s.endpoint(pathLogin)+returnQuery(v.Return)
	return s.render(w, r, status, "signup", pageData{Title: s.t(r, "page.signup.title"), Error: errText, View: v})
}

// signupOff is the answer of the sign-up paths on a server without Accounts.
func (s *Server) signupOff(r *http.Request) error {
	return &pageError{status: http.StatusNotFound, title: s.t(r, "page.error.title"), view: messageView{Text: s.t(r, "page.error.signupOff")}}
}

// signupPage serves GET /account/signup.
func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Accounts == nil {
		return s.signupOff(r)
	}
	return s.showSignup(w, r, http.StatusOK, signupView{Return: safeReturn(r.URL.Query().Get("return"))}, "")
}

// signup serves POST /account/signup: the form's CSRF token, address and password, then the
// sign-up limit, an unverified user created through Accounts, and the verification link mailed
// in the language of the request.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Accounts == nil {
		return s.signupOff(r)
	}
	form, err := param.SingleForm(w, r)
	if err != nil {
		return err
	}
	v := signupView{Return: safeReturn(form.Get("return")), Email: strings.TrimSpace(form.Get("email"))}
	if text := s.formRefusal(r, s.cookie(r, preSessionCookie), form); text != "" {
		return s.showSignup(w, r, http.StatusBadRequest, v, text)
	}
	user, err := s.cfg.Accounts.SignUp(r.Context(), v.Email, form.Get("password"), clientNetwork(r.RemoteAddr))
	if text := s.signUpRefusal(r, err); text != "" {
		return s.showSignup(w, r, http.StatusBadRequest, v, text)
	}
	if err != nil {
		return fmt.Errorf("oauth: create user: %w", err)
	}
	s.log.InfoContext(r.Context(), "oauth: user signed up", "user_id", user.ID)
	if err := s.sendVerification(r.Context(), s.lang(r), user); err != nil {
		return err
	}
	return s.linkSent(w, r, user.Email, s.endpoint(pathLogin)+returnQuery(v.Return),
		"page.signup.doneTitle", "page.signup.doneText", "page.signup.doneTitleNoMail", "page.signup.doneTextNoMail")
}

// signUpRefusal is the sign-up page's text for a refused sign-up, "" for any other error.
func (s *Server) signUpRefusal(r *http.Request, err error) string {
	for sentinel, key := range map[*keyward.Error]string{
		keyward.ErrBadEmailAddress: "page.signup.badEmail", keyward.ErrPasswordTooShort: "page.signup.shortPass",
		keyward.ErrPasswordTooLong: "page.signup.longPass", keyward.ErrSignUpThrottled: "page.signup.throttled",
		keyward.ErrEmailAddressInUse: "page.signup.inUse",
	} {
		if errors.Is(err, sentinel) {
			s.log.InfoContext(r.Context(), "oauth: sign-up refused", "error", err)
			return s.t(r, key)
		}
	}
	if ke := keyward.ErrorOf(err); ke != nil && ke.Kind == keyward.KindInvalid {
		return ke.Error()
	}
	return ""
}

// clientNetwork is what sign-ups are counted by: the address of the TCP peer, because a
// forwarded-for header is whatever the client wrote, and of an IPv6 peer its /64, which a single
// subscriber usually holds whole and could otherwise rotate through.
func clientNetwork(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if addr = addr.Unmap().WithZone(""); addr.Is4() {
		return addr.String()
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return addr.String()
	}
	return p.String()
}

// accountView is the data of the account page.
type accountView struct {
	Email, CSRF, LogoutAction, WithdrawAction string
	Apps                                      []appView
}

// accountPage serves GET /account: who is signed in, the applications the user has authorized,
// each with a button to withdraw its access, and the sign-out button.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	se, err := s.currentSession(r)
	if err != nil {
		return err
	}
	if se == nil {
		http.Redirect(w, r, s.endpoint(pathLogin)+returnQuery(pathAccount), http.StatusFound)
		return nil
	}
	apps, err := s.authorizedApps(r, se.user.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "account", pageData{Title: s.t(r, "page.account.title"),
		View: accountView{Email: se.user.Email, CSRF: s.csrfToken(se.raw), LogoutAction: s.endpoint(pathLogout),
			WithdrawAction: s.endpoint(pathWithdraw), Apps: apps}})
}

// logout serves POST /account/logout. With a return path (the consent page's "not you?") it
// goes on to the sign-in page for that path; otherwise it says that the user is signed out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	form, err := param.SingleForm(w, r)
	if err != nil {
		return err
	}
	se, err := s.currentSession(r)
	if err != nil {
		return err
	}
	if se != nil {
		if text := s.formRefusal(r, se.raw, form); text != "" {
			return &pageError{status: http.StatusBadRequest, title: s.t(r, "page.error.title"), view: messageView{Text: text}}
		}
		if err := s.endSession(w, r, se); err != nil {
			return err
		}
		s.log.InfoContext(r.Context(), "oauth: user signed out", "user_id", se.user.ID)
	}
	if ret := safeReturn(form.Get("return")); ret != "" {
		http.Redirect(w, r, s.endpoint(pathLogin)+returnQuery(ret), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "message", pageData{Title: s.t(r, "page.logout.doneTitle"),
		View: messageView{Text: s.t(r, "page.logout.doneText"), LinkURL: s.endpoint(pathLogin), LinkText: s.t(r, "page.link.login")}})
}

// safeReturn returns raw when it is a path on this server under /connect/ or /account (with its
// query), and "" otherwise. Callers prefix it with the issuer, so the redirect stays on this
// origin whatever the path; the checks keep it to the pages a sign-in may lead to and refuse
// anything a browser could read as another host (a scheme, "//", a backslash).
func safeReturn(raw string) string {
	if raw == "" || len(raw) > 8192 || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || strings.ContainsAny(raw, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return ""
	}
	clean := path.Clean(u.Path)
	if clean != u.Path && clean+"/" != u.Path {
		return ""
	}
	lower := strings.ToLower(clean)
	if !strings.HasPrefix(lower, "/connect/") && lower != pathAccount && !strings.HasPrefix(lower, pathAccount+"/") {
		return ""
	}
	return raw
}
