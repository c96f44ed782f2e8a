package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/mail"
	"github.com/keyward/keyward/internal/param"
	"github.com/keyward/keyward/internal/token"
)

// resendTokenLifetime bounds how long the "send the link again" button of a refused sign-in works.
const resendTokenLifetime = 15 * time.Minute

// LinkStore is the storage VerificationLink needs.
type LinkStore interface {
	FindUserByEmail(ctx context.Context, email string) (*keyward.User, error)
	GetSecret(ctx context.Context, name string, newValue func() string) (string, error)
}

// VerificationLink returns a new e-mail verification link for the user with the address email,
// valid for VerificationLinkLifetime from now, for the operator's
// `keyward admin user verification-link` when no mail server is configured. It signs with the
// secret every node shares, so the link works on any node of issuer. It returns
// keyward.ErrNotFound for an unknown address and an ErrInvalid *keyward.Error for a user who is
// verified already or has no address of their own (service and external users).
func VerificationLink(ctx context.Context, store LinkStore, issuer, email string, now time.Time) (string, error) {
	user, err := store.FindUserByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	switch {
	case user.Kind != keyward.UserPerson:
		return "", keyward.Invalidf("the user %s is a %s user, who signs in without an e-mail address", user.ID, user.Kind)
	case user.Verified:
		return "", keyward.Invalidf("the address %s of user %s is verified already", user.Email, user.ID)
	}
	key, err := store.GetSecret(ctx, secretVerify, func() string { return token.Random(32) })
	if err != nil {
		return "", fmt.Errorf("account: load secret %s: %w", secretVerify, err)
	}
	return verificationURL(issuer, []byte(key), user, now), nil
}

// verificationURL is the link that verifies user's current address until now+lifetime.
func verificationURL(issuer string, key []byte, user *keyward.User, now time.Time) string {
	token := signUserToken(key, "verify", user.ID, strings.ToLower(user.Email), now.Add(VerificationLinkLifetime))
	return issuer + pathVerify + "?token=" + url.QueryEscape(token)
}

// signUserToken returns "<userID>.<expiry>.<mac>"; the MAC covers the purpose, so that a resend
// token is never a verification token, and bound, the address a verification link is for.
func signUserToken(key []byte, purpose, userID, bound string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return userID + "." + e + "." + mac(key, purpose, userID, bound, e)
}

var errBadUserToken = errors.New("account: the token is malformed, forged or expired")

// openUserToken checks a signUserToken token and returns its user, loading it to learn the
// bound value (the address for "verify"; nothing for "resend").
func (s *Server) openUserToken(ctx context.Context, token, purpose string) (*keyward.User, error) {
	userID, rest, ok1 := strings.Cut(token, ".")
	e, sig, ok2 := strings.Cut(rest, ".")
	exp, err := strconv.ParseInt(e, 10, 64)
	if !ok1 || !ok2 || err != nil || s.cfg.Now().After(time.Unix(exp, 0)) {
		return nil, errBadUserToken
	}
	user, err := s.store.FindUserByID(ctx, userID)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, errBadUserToken
	}
	if err != nil {
		return nil, fmt.Errorf("account: find user of token: %w", err)
	}
	bound := ""
	if purpose == "verify" {
		bound = strings.ToLower(user.Email)
	}
	if !macEqual(sig, mac(s.secrets.verify, purpose, userID, bound, e)) {
		return nil, errBadUserToken
	}
	return user, nil
}

// sendVerification mails user a verification link, written in lang, the language of the
// request that asked for it.
func (s *Server) sendVerification(ctx context.Context, lang string, user *keyward.User) error {
	link := verificationURL(s.cfg.Issuer, s.secrets.verify, user, s.cfg.Now())
	if err := mail.SendVerification(ctx, s.cfg.Mailer, lang, user.Email, link); err != nil {
		return fmt.Errorf("account: send verification mail to user %s: %w", user.ID, err)
	}
	return nil
}

// linkSent renders the page that reports a verification link for the address email: the texts
// title and text when a relay delivered it, else titleNoMail and textNoMail, which tell where the
// link is instead. back is the page's link onward.
func (s *Server) linkSent(w http.ResponseWriter, r *http.Request, email, back, title, text, titleNoMail, textNoMail string) error {
	if !mail.Delivers(s.cfg.Mailer) {
		title, text = titleNoMail, textNoMail
	}
	return s.render(w, r, http.StatusOK, "message", pageData{Title: s.t(r, title),
		View: messageView{Text: s.t(r, text, email), LinkURL: back, LinkText: s.t(r, "page.link.login")}})
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
			return fmt.Errorf("account: verify user %s: %w", user.ID, err)
		}
		s.log.InfoContext(r.Context(), "account: e-mail address verified", "user_id", user.ID)
	}
	return s.render(w, r, http.StatusOK, "message", pageData{Title: s.t(r, "page.verify.doneTitle"),
		View: messageView{Text: s.t(r, "page.verify.doneText", user.Email), LinkURL: s.endpoint(pathLogin), LinkText: s.t(r, "page.link.login")}})
}
