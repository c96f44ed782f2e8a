package account

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
	if !s.cfg.NoSignUp {
		v.SignupURL = s.endpoint(pathSignup) + returnQuery(v.Return)
	}
	return s.render(w, r, status, "login", pageData{Title: s.t(r, "page.login.title"), Error: errText, View: v})
}

// LoginURL is the sign-in page that returns to the path ret on this server (see safeReturn)
// once the browser is signed in.
func (s *Server) LoginURL(ret string) string { return s.endpoint(pathLogin) + returnQuery(ret) }

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
	s.log.InfoContext(r.Context(), "account: user signed in", "user_id", user.ID)
	http.Redirect(w, r, s.endpoint(cmp.Or(v.Return, defaultReturn)), http.StatusSeeOther)
	return nil
}

// formRefusal checks a pre-session form's CSRF token and returns the text to show when it fails.
func (s *Server) formRefusal(r *http.Request, binding string, form url.Values) string {
	switch {
	case binding == "":
		s.log.InfoContext(r.Context(), "account: form refused", "path", r.URL.Path, "reason", "no cookie")
		return s.t(r, "page.form.cookies")
	case !s.checkCSRF(binding, form.Get("csrf_token")):
		s.log.InfoContext(r.Context(), "account: form refused", "path", r.URL.Path, "reason", "wrong CSRF token")
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
	s.log.InfoContext(r.Context(), "account: sign-in refused", "error", err)
	return s.t(r, key)
}

// refuseUnverified shows the sign-in page refused for an unverified address, with a button that
// mails the link again.
func (s *Server) refuseUnverified(w http.ResponseWriter, r *http.Request, v loginView) error {
	user, err := s.store.FindUserByEmail(r.Context(), v.Email)
	if err != nil {
		return fmt.Errorf("account: find unverified user: %w", err)
	}
	exp := s.cfg.Now().Add(resendTokenLifetime)
	v.Resend = &resendView{Action: s.endpoint(pathResend), Token: signUserToken(s.secrets.verify, "resend", user.ID, "", exp)}
	return s.showLogin(w, r, http.StatusForbidden, v, s.t(r, "page.login.unverified", user.Email))
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

// logout serves POST /account/logout. With a return path (the consent page's "not you?") it
// goes on to the sign-in page for that path; otherwise it says that the user is signed out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	form, err := param.SingleForm(w, r)
	if err != nil {
		return err
	}
	se, err := s.Current(r)
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
		s.log.InfoContext(r.Context(), "account: user signed out", "user_id", se.User.ID)
	}
	if ret := safeReturn(form.Get("return")); ret != "" {
		http.Redirect(w, r, s.LoginURL(ret), http.StatusSeeOther)
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
	if !strings.HasPrefix(lower, "/connect/") && !underTree(lower, pathAccount) && !underTree(lower, PortalPath) {
		return ""
	}
	return raw
}

// PortalPath is the root of the portal, a return path the sign-in page accepts.
const PortalPath = "/portal"

// underTree reports whether the lower-case path p is root or below it.
func underTree(p, root string) bool { return p == root || strings.HasPrefix(p, root+"/") }
