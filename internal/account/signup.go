package account

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/param"
)

// signupView is the data of the sign-up page.
type signupView struct{ Action, CSRF, Return, Email, LoginURL string }

func (s *Server) showSignup(w http.ResponseWriter, r *http.Request, status int, v signupView, errText string) error {
	v.Action, v.CSRF, v.LoginURL = s.endpoint(pathSignup), s.csrfToken(s.preSession(w, r)), s.LoginURL(v.Return)
	return s.render(w, r, status, "signup", pageData{Title: s.t(r, "page.signup.title"), Error: errText, View: v})
}

// signupOff is the answer of the sign-up paths on a server with NoSignUp.
func (s *Server) signupOff(r *http.Request) error {
	return &pageError{status: http.StatusNotFound, title: s.t(r, "page.error.title"), view: messageView{Text: s.t(r, "page.error.signupOff")}}
}

// signupPage serves GET /account/signup.
func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.NoSignUp {
		return s.signupOff(r)
	}
	return s.showSignup(w, r, http.StatusOK, signupView{Return: safeReturn(r.URL.Query().Get("return"))}, "")
}

// signup serves POST /account/signup: the form's CSRF token, address and password, then the
// sign-up limit, an unverified user created through Accounts, and the verification link mailed
// in the language of the request.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.NoSignUp {
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
		return fmt.Errorf("account: create user: %w", err)
	}
	s.log.InfoContext(r.Context(), "account: user signed up", "user_id", user.ID)
	if err := s.sendVerification(r.Context(), s.lang(r), user); err != nil {
		return err
	}
	return s.linkSent(w, r, user.Email, s.LoginURL(v.Return),
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
			s.log.InfoContext(r.Context(), "account: sign-up refused", "error", err)
			return s.t(r, key)
		}
	}
	return ""
}
