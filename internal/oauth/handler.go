package oauth

import (
	"github.com/keyward/keyward/internal/param"
	"net/http"
	"slices"
	"strings"
)

// handlerFunc is a handler that returns its error, which the adapter writes.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Endpoint describes one path of the authorization server: the methods it serves, the request
// parameters (query or form) its handler reads, and whether it answers with HTML pages rather
// than JSON. Handler routes by this table, and tests generate their requests from it.
type Endpoint struct {
	Path    string
	Methods []string
	Params  []string
	Page    bool
}

// endpoint is an Endpoint with its handler and its CORS policy.
type endpoint struct {
	Endpoint
	fn   handlerFunc
	cors corsPolicy
}

// Endpoints lists the paths Handler serves.
func (s *Server) Endpoints() []Endpoint {
	var list []Endpoint
	for _, e := range s.endpoints() {
		list = append(list, e.Endpoint)
	}
	return list
}

// endpoints is the route table. Params name what each handler reads, so that a test can send
// every one of them malformed; parameters that are only ignored are not listed.
func (s *Server) endpoints() []endpoint {
	get, post, getPost := []string{http.MethodGet}, []string{http.MethodPost}, []string{http.MethodGet, http.MethodPost}
	getCORS, postCORS, getPostCORS := []string{http.MethodGet, http.MethodOptions}, []string{http.MethodPost, http.MethodOptions},
		[]string{http.MethodGet, http.MethodPost, http.MethodOptions}
	clientAuth := []string{"client_id", "client_secret"}
	token := append(slices.Clone(clientAuth), "grant_type", "scope", "code", "redirect_uri", "code_verifier", "refresh_token",
		"provider", "subject_token", "subject_token_type")
	account := []string{"csrf_token", "return", "email", "password"}
	return []endpoint{
		{Endpoint{pathToken, postCORS, token, false}, s.token, corsClient},
		{Endpoint{pathIntrospect, post, append(slices.Clone(clientAuth), "token"), false}, s.introspect, corsNone},
		{Endpoint{pathRevocation, postCORS, append(slices.Clone(clientAuth), "token"), false}, s.revoke, corsClient},
		{Endpoint{pathUserinfo, getPostCORS, []string{"access_token"}, false}, s.userinfo, corsClient},
		{Endpoint{pathDiscovery, getCORS, nil, false}, s.discovery, corsPublic},
		{Endpoint{pathASMetadata, getCORS, nil, false}, s.serverMetadataDocument, corsPublic},
		{Endpoint{pathJWKS, getCORS, nil, false}, s.jwks, corsPublic},
		{Endpoint{pathAuthorize, getPost, authParamNames(), true}, s.authorize, corsNone},
		{Endpoint{pathConsent, post, append(authParamNames(), "csrf_token", "decision"), true}, s.consent, corsNone},
		{Endpoint{pathAccount, get, nil, true}, s.accountPage, corsNone},
		{Endpoint{pathLogin, getPost, account, true}, byMethod(s.loginPage, s.login), corsNone},
		{Endpoint{pathSignup, getPost, account, true}, byMethod(s.signupPage, s.signup), corsNone},
		{Endpoint{pathLogout, post, []string{"csrf_token", "return"}, true}, s.logout, corsNone},
		{Endpoint{pathVerify, get, []string{"token"}, true}, s.verifyEmail, corsNone},
		{Endpoint{pathResend, post, []string{"csrf_token", "resend_token"}, true}, s.resend, corsNone},
		{Endpoint{pathWithdraw, getPost, []string{"client_id", "csrf_token"}, true}, byMethod(s.withdrawPage, s.withdraw), corsNone},
	}
}

// route is one endpoint as Handler serves it.
type route struct {
	methods []string
	handler http.Handler
}

// Handler returns the authorization server's HTTP handler, routing by the endpoints table.
// Paths match case-insensitively and tolerate doubled and trailing slashes (decisions §1). Any
// other path is a JSON 404 and a wrong method a JSON 400 with an Allow header, both in RFC 6749
// §5.2 form. Every request's query passes checkParams before its handler runs, and every form
// is read by parseForm, so no handler sees text the database cannot store.
func (s *Server) Handler() http.Handler {
	routes := map[string]route{}
	for _, e := range s.endpoints() {
		adapt := s.handle
		if e.Page {
			adapt = s.page
		}
		routes[e.Path] = route{methods: e.Methods, handler: withCORS(e.cors, e.Methods, adapt(checkedQuery(e.fn)))}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := routes[canonicalPath(r.URL.Path)]
		switch {
		case !ok:
			s.writeError(w, r, notFound(r.URL.Path))
		case !allows(rt.methods, r.Method):
			s.writeError(w, r, methodNotAllowed(r.Method, allowed(rt.methods)))
		default:
			rt.handler.ServeHTTP(w, withPath(r, canonicalPath(r.URL.Path)))
		}
	})
}

// checkedQuery runs fn once the request's query has passed parseQuery, so that whatever a
// handler reads from the query is valid text.
func checkedQuery(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := param.Query(r); err != nil {
			return err
		}
		return fn(w, r)
	}
}

// byMethod serves a page's GET (and HEAD) with get and its POST with post.
func byMethod(get, post handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Method == http.MethodPost {
			return post(w, r)
		}
		return get(w, r)
	}
}

// allows reports whether method is accepted; HEAD is accepted wherever GET is.
func allows(methods []string, method string) bool {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	return slices.Contains(methods, method)
}

// allowed is the Allow header's list: the methods, with HEAD after GET.
func allowed(methods []string) []string {
	var list []string
	for _, m := range methods {
		list = append(list, m)
		if m == http.MethodGet {
			list = append(list, http.MethodHead)
		}
	}
	return list
}

// canonicalPath lower-cases a path and drops empty segments, so that "/Connect//Token/" is
// "/connect/token". Every OAuth path is literal, so lower-casing loses nothing.
func canonicalPath(p string) string {
	segments := strings.FieldsFunc(strings.ToLower(p), func(r rune) bool { return r == '/' })
	return "/" + strings.Join(segments, "/")
}

// withPath returns a shallow copy of r with the canonical path, as http.StripPrefix does, so
// that handlers see one spelling without the caller's request being modified.
func withPath(r *http.Request, path string) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = path, ""
	r2.URL = &u
	return r2
}
