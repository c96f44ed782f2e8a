package oauth

import (
	"net/http"
	"slices"
	"strings"
)

// route is one endpoint: the methods it accepts and its handler.
type route struct {
	methods []string
	handler http.Handler
}

// Handler returns the authorization server's HTTP handler. The JSON endpoints are
// /connect/token, /connect/introspect, /connect/revocation, /connect/userinfo,
// /.well-known/openid-configuration and /.well-known/jwks.json; the pages are
// /connect/authorize and /connect/consent and the account pages under /account (sign-in,
// sign-up, verification, sign-out). Paths match case-insensitively and tolerate doubled and
// trailing slashes (decisions §1); any other path is a JSON 404 and a wrong method a JSON 405,
// both in RFC 6749 §5.2 form.
func (s *Server) Handler() http.Handler {
	post, get := []string{http.MethodPost}, []string{http.MethodGet}
	getPost := []string{http.MethodGet, http.MethodPost}
	routes := map[string]route{
		pathToken:      {post, s.handle(s.token)},
		pathIntrospect: {post, s.handle(s.introspect)},
		pathRevocation: {post, s.handle(s.revoke)},
		pathUserinfo:   {getPost, s.handle(s.userinfo)},
		pathDiscovery:  {get, publicDocument(s.handle(s.discovery))},
		pathJWKS:       {get, publicDocument(s.handle(s.jwks))},
		pathAuthorize:  {getPost, s.page(s.authorize)},
		pathConsent:    {post, s.page(s.consent)},
		pathAccount:    {get, s.page(s.accountPage)},
		pathLogin:      {getPost, s.page(byMethod(s.loginPage, s.login))},
		pathSignup:     {getPost, s.page(byMethod(s.signupPage, s.signup))},
		pathLogout:     {post, s.page(s.logout)},
		pathVerify:     {get, s.page(s.verifyEmail)},
		pathResend:     {post, s.page(s.resend)},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := routes[canonicalPath(r.URL.Path)]
		switch {
		case !ok:
			s.writeError(w, r, notFound(r.URL.Path))
		case !allows(rt.methods, r.Method):
			s.writeError(w, r, methodNotAllowed(rt.methods))
		default:
			rt.handler.ServeHTTP(w, withPath(r, canonicalPath(r.URL.Path)))
		}
	})
}

// byMethod serves a page's GET (and HEAD) with get and its POST with post.
func byMethod(get, post func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
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

// publicDocument lets browser applications (SPAs using PKCE) read the discovery document and the
// JWKS from another origin; both are public.
func publicDocument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		h.ServeHTTP(w, r)
	})
}
