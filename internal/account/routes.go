package account

import (
	"net/http"

	"github.com/keyward/keyward/internal/param"
)

// Route is one page: its path, the methods it serves, the parameters (query or form) its
// handler reads, and the handler, which already answers its errors as pages. A server routes the
// pages by this table (the authorization server does, with its own endpoints), and tests
// generate their requests from it.
type Route struct {
	Path    string
	Methods []string
	Params  []string
	Handler http.Handler
}

// Routes lists the pages. Params name what each handler reads, so that a test can send every one
// of them malformed; parameters that are only ignored are not listed.
func (s *Server) Routes() []Route {
	get, post, getPost := []string{http.MethodGet}, []string{http.MethodPost}, []string{http.MethodGet, http.MethodPost}
	form := []string{"csrf_token", "return", "email", "password"}
	routes := []struct {
		path    string
		methods []string
		params  []string
		fn      handlerFunc
	}{
		{pathAccount, get, nil, s.accountPage},
		{pathLogin, getPost, form, byMethod(s.loginPage, s.login)},
		{pathSignup, getPost, form, byMethod(s.signupPage, s.signup)},
		{pathLogout, post, []string{"csrf_token", "return"}, s.logout},
		{pathVerify, get, []string{"token"}, s.verifyEmail},
		{pathResend, post, []string{"csrf_token", "resend_token"}, s.resend},
		{pathWithdraw, getPost, []string{"client_id", "csrf_token"}, byMethod(s.withdrawPage, s.withdraw)},
	}
	list := make([]Route, 0, len(routes))
	for _, rt := range routes {
		list = append(list, Route{Path: rt.path, Methods: rt.methods, Params: rt.params, Handler: s.Handle(param.Checked(rt.fn))})
	}
	return list
}

// handlerFunc is a page handler that returns its error, which Handle shows.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// byMethod serves a page's GET (and HEAD) with get and its POST with post.
func byMethod(get, post handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Method == http.MethodPost {
			return post(w, r)
		}
		return get(w, r)
	}
}

// RedirectStatus is 303 after a POST, so that the browser follows with a GET, and 302 otherwise.
func RedirectStatus(r *http.Request) int {
	if r.Method == http.MethodPost {
		return http.StatusSeeOther
	}
	return http.StatusFound
}
