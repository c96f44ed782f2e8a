package oauth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/param"
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

// endpoint is an Endpoint with its handler, which answers its own errors.
type endpoint struct {
	Endpoint
	handler http.Handler
}

// Endpoints lists the paths Handler serves.
func (s *Server) Endpoints() []Endpoint {
	var list []Endpoint
	for _, e := range s.endpoints() {
		list = append(list, e.Endpoint)
	}
	return list
}

// endpoints is the route table: the protocol endpoints, then, with Config.Pages, the
// authorization endpoint and its consent form and the account pages. Params name what each
// handler reads, so that a test can send every one of them malformed; parameters that are only
// ignored are not listed.
func (s *Server) endpoints() []endpoint {
	post, getCORS, postCORS := []string{http.MethodPost}, []string{http.MethodGet, http.MethodOptions}, []string{http.MethodPost, http.MethodOptions}
	clientAuth := []string{"client_id", "client_secret"}
	token := append(slices.Clone(clientAuth), "grant_type", "scope", "code", "redirect_uri", "code_verifier", "refresh_token",
		"provider", "subject_token", "subject_token_type")
	list := []endpoint{
		s.json(Endpoint{pathToken, postCORS, token, false}, s.token, corsClient),
		s.json(Endpoint{pathIntrospect, post, append(slices.Clone(clientAuth), "token"), false}, s.introspect, corsNone),
		s.json(Endpoint{pathRevocation, postCORS, append(slices.Clone(clientAuth), "token"), false}, s.revoke, corsClient),
		s.json(Endpoint{pathUserinfo, []string{http.MethodGet, http.MethodPost, http.MethodOptions}, []string{"access_token"}, false}, s.userinfo, corsClient),
		s.json(Endpoint{pathDiscovery, getCORS, nil, false}, s.discovery, corsPublic),
		s.json(Endpoint{pathASMetadata, getCORS, nil, false}, s.serverMetadataDocument, corsPublic),
		s.json(Endpoint{pathJWKS, getCORS, nil, false}, s.jwks, corsPublic),
	}
	if s.pages == nil {
		return list
	}
	list = append(list,
		s.page(Endpoint{pathAuthorize, []string{http.MethodGet, http.MethodPost}, authParamNames(), true}, s.authorize),
		s.page(Endpoint{pathConsent, post, append(authParamNames(), "csrf_token", "decision"), true}, s.consent))
	for _, rt := range s.pages.Routes() {
		list = append(list, endpoint{Endpoint{rt.Path, rt.Methods, rt.Params, true}, rt.Handler})
	}
	return list
}

// json is a JSON endpoint: its errors are written by writeError, and its CORS policy applies.
func (s *Server) json(e Endpoint, fn handlerFunc, cors corsPolicy) endpoint {
	return endpoint{e, withCORS(cors, e.Methods, s.handle(param.Checked(fn)))}
}

// page is an endpoint of the authorization server that answers with pages, whose errors the
// account pages show.
func (s *Server) page(e Endpoint, fn handlerFunc) endpoint {
	return endpoint{e, s.pages.Handle(param.Checked(fn))}
}

// route is one endpoint as Handler serves it.
type route struct {
	methods []string
	handler http.Handler
}

// Handler returns the authorization server's HTTP handler, routing by the endpoints table.
// Paths match case-insensitively and tolerate doubled and trailing slashes (decisions §1). Any
// other path is a JSON 404 and a wrong method a JSON 400 with an Allow header, both in RFC 6749
// §5.2 form. Every request's query passes param.Query before its handler runs, and every form
// is read by param.Form, so no handler sees text the database cannot store.
func (s *Server) Handler() http.Handler {
	routes := map[string]route{}
	for _, e := range s.endpoints() {
		routes[e.Path] = route{methods: e.Methods, handler: e.handler}
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
