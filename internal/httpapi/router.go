package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// Route is one entry of the route table as the outside sees it: the method and the pattern in its
// canonical casing (`/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}`). A test compares these
// with api/openapi.yaml.
type Route struct {
	Method  string
	Pattern string
	Public  bool   // served without a bearer token
	List    string // the entity an OData list route answers ("Contact"), "" for other routes
	// Cached is set on the reads whose answers the read cache keeps (readcache.go).
	Cached bool
}

// route is a Route with its handler and its pattern split into segments.
type route struct {
	Route
	handler handlerFunc
	segs    []segment
	// keep, on a Cached route, tells the requests whose answer may be kept: those whose answer
	// is a function of the account's data alone, not also of the clock.
	keep func(r *http.Request) bool
}

// segment is one pattern segment: a literal matched case-insensitively, or a named parameter
// (an ID) captured exactly as sent.
type segment struct {
	literal string
	param   string
}

// compileRoutes splits every pattern into segments once, at start-up.
func compileRoutes(table []route) []route {
	for i := range table {
		for _, p := range strings.Split(strings.Trim(table[i].Pattern, "/"), "/") {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
				table[i].segs = append(table[i].segs, segment{param: p[1 : len(p)-1]})
			} else {
				table[i].segs = append(table[i].segs, segment{literal: p})
			}
		}
	}
	return table
}

// Routes returns the route table, in registration order.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.Route
	}
	return out
}

// match finds the route for r and stores its parameters with r.SetPathValue. An unknown path and
// a known path with another method are both 404, because the seed allows no 405.
func (s *Server) match(r *http.Request) (*route, error) {
	segs, ok := splitPath(r.URL.EscapedPath())
	if ok {
		for i := range s.routes {
			rt := &s.routes[i]
			if rt.Method != r.Method {
				continue
			}
			if params, ok := rt.matchSegments(segs); ok {
				for j := 0; j+1 < len(params); j += 2 {
					r.SetPathValue(params[j], params[j+1])
				}
				return rt, nil
			}
		}
	}
	return nil, keyward.ErrNotFound.WithDetails("no route for %s %s", r.Method, r.URL.Path)
}

// splitPath cuts an escaped path into unescaped segments. Empty segments are dropped, which
// collapses doubled slashes and tolerates a trailing slash. Splitting before unescaping keeps an
// encoded slash inside an ID from creating a segment.
func splitPath(escaped string) ([]string, bool) {
	var segs []string
	for _, p := range strings.Split(escaped, "/") {
		if p == "" {
			continue
		}
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, false
		}
		segs = append(segs, u)
	}
	return segs, true
}

// matchSegments compares literals case-insensitively and captures parameters verbatim, since IDs
// (and Base64 lock IDs) are case-sensitive. It returns name/value pairs.
func (rt *route) matchSegments(segs []string) ([]string, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var params []string
	for i, want := range rt.segs {
		if want.param != "" {
			params = append(params, want.param, segs[i])
		} else if !strings.EqualFold(want.literal, segs[i]) {
			return nil, false
		}
	}
	return params, true
}

// OwnsPath reports whether an escaped request path belongs to the Management API: its first
// non-empty segment is "api", in any case. The app dispatches with it rather than with a
// ServeMux pattern, because ServeMux is case-sensitive and answers doubled slashes with a 301,
// while decisions §1 wants both tolerated.
func OwnsPath(escapedPath string) bool {
	segs, ok := splitPath(escapedPath)
	return ok && len(segs) > 0 && strings.EqualFold(segs[0], "api")
}
