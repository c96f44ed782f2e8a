package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/param"
)

// request is one request to a portal page: the signed-in session, its language, the context
// that carries the session principal for the service, and for a POST the checked form.
type request struct {
	w    http.ResponseWriter
	r    *http.Request
	ctx  context.Context
	se   *account.Session
	csrf string
	lang string
	form url.Values // the POST body; nil for GET
}

// value is the first value of a form field, trimmed.
func (rq *request) value(name string) string { return strings.TrimSpace(rq.form.Get(name)) }

// query is the first value of a query parameter, trimmed.
func (rq *request) query(name string) string { return strings.TrimSpace(rq.r.URL.Query().Get(name)) }

// handlerFunc serves one page and returns its error, which handle shows.
type handlerFunc func(rq *request) error

// errSignedOut ends a request whose browser is not signed in: handle sends it to the sign-in
// page, which comes back here.
var errSignedOut = errors.New("portal: signed out")

// handle adapts a page: it checks the query, signs the browser in or sends it to the sign-in
// page, reads and CSRF-checks a POST's form, runs fn for the session principal and shows fn's
// error as the error page (errorPage).
func (s *Server) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := &request{w: w, r: r, ctx: r.Context(), lang: s.lang(r)}
		err := s.prepare(rq)
		if err == nil {
			err = fn(rq)
		}
		switch {
		case err == nil:
		case errors.Is(err, errSignedOut):
			ret := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				ret = Root
			}
			http.Redirect(w, r, s.cfg.Sessions.LoginURL(ret), http.StatusSeeOther)
		default:
			s.errorPage(rq, err)
		}
	})
}

// prepare fills rq: the query must be valid text, the browser signed in, a POST's form valid
// and carrying the session's CSRF token.
func (s *Server) prepare(rq *request) error {
	if _, err := param.Query(rq.r); err != nil {
		return err
	}
	se, err := s.cfg.Sessions.Current(rq.r)
	if err != nil {
		return err
	}
	if se == nil {
		return errSignedOut
	}
	rq.se, rq.csrf = se, s.cfg.Sessions.FormToken(se)
	rq.ctx = keyward.NewContextWithPrincipal(rq.r.Context(), keyward.SessionPrincipal(se.User))
	if rq.r.Method != http.MethodPost {
		return nil
	}
	if rq.form, err = param.Form(rq.w, rq.r); err != nil {
		return err
	}
	if !s.cfg.Sessions.FormTokenValid(se, rq.form.Get("csrf_token")) {
		s.log.InfoContext(rq.ctx, "portal: form refused", "path", rq.r.URL.Path, "reason", "wrong CSRF token")
		return errFormExpired
	}
	return nil
}

// errFormExpired is a form whose CSRF token does not belong to the session.
var errFormExpired = errors.New("portal: form token refused")

// lang is the language the user picked, else the best match of Accept-Language.
func (s *Server) lang(r *http.Request) string { return account.Language(s.catalog, r) }

// errorView is the data of the error page.
type errorView struct {
	Text, Code, Details string
}

// errorPage is the one place where an error becomes a page: a malformed parameter is 400 with
// its description, a refused form token 400, a domain error the status of its kind
// (Kind.Status, as the API) with its localized text and code, anything else a logged 500
// without internal text.
func (s *Server) errorPage(rq *request, err error) {
	status, v := http.StatusInternalServerError, errorView{Text: s.t(rq, "page.error.server")}
	if pe, ok := errors.AsType[*param.Error](err); ok {
		status, v = http.StatusBadRequest, errorView{Text: s.t(rq, "page.error.invalid"), Details: pe.Description}
	} else if errors.Is(err, errFormExpired) {
		status, v = http.StatusBadRequest, errorView{Text: s.t(rq, "page.form.expired")}
	} else if e := keyward.ErrorOf(err); e != nil && e.Kind != keyward.KindInternal {
		status, v = e.Kind.Status(), errorView{Text: s.userText(rq, e), Code: e.Code}
		s.log.InfoContext(rq.ctx, "portal: refused", "method", rq.r.Method, "path", rq.r.URL.Path, "error", err)
	} else {
		s.log.ErrorContext(rq.ctx, "portal: page failed", "method", rq.r.Method, "path", rq.r.URL.Path, "error", err)
	}
	if err := s.render(rq, status, "error", pageData{Title: s.t(rq, "page.error.title"), View: v}); err != nil {
		s.log.ErrorContext(rq.ctx, "portal: render error page", "error", err)
		http.Error(rq.w, s.t(rq, "page.error.server"), http.StatusInternalServerError)
	}
}

// userText is what a user reads of a domain error: its code's localized message (the API's
// UserErrorMessage), else the text of its kind.
func (s *Server) userText(rq *request, e *keyward.Error) string {
	if msg := s.catalog.UserMessage(rq.lang, e); msg != "" {
		return msg
	}
	return s.t(rq, account.KindTextKey(e.Kind))
}
