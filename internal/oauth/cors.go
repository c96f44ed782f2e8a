package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// corsPolicy says which scripts of other origins may read an endpoint's responses. None may
// ever send credentials (no Access-Control-Allow-Credentials): the endpoints that allow CORS
// take their credentials from the request itself, never from cookies.
type corsPolicy uint8

const (
	corsNone   corsPolicy = iota // the pages and introspection: same origin only
	corsPublic                   // the discovery documents and the JWKS: anyone
	corsClient                   // token, revocation, userinfo: the origins of the request's client
)

// corsMaxAge is how long a browser may cache a preflight answer.
const corsMaxAge = 10 * time.Minute

// corsHeaders are the request headers a script may send: client credentials or a bearer token,
// and the form's content type.
const corsHeaders = "Authorization, Content-Type"

// corsKey carries a corsRequest in the context of a corsClient request with an Origin.
type corsKey struct{}

// corsRequest is a cross-origin request whose response becomes readable for its origin once
// the handler has identified the client (allowOrigin).
type corsRequest struct {
	origin string
	header http.Header
}

// withCORS answers the preflight of an endpoint with a policy and marks its other responses.
// A preflight (OPTIONS) cannot say which client a token or revocation request is for, since the
// client is named in the body; it is allowed for any origin, which only lets the browser send
// what a plain form could send anyway, and the actual response is readable only by the origins
// of its client.
func withCORS(policy corsPolicy, methods []string, h http.Handler) http.Handler {
	if policy == corsNone {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			preflight(w, r, policy, methods)
			return
		}
		hdr := w.Header()
		origin := r.Header.Get("Origin")
		switch {
		case policy == corsPublic:
			hdr.Set("Access-Control-Allow-Origin", "*")
		case origin != "":
			hdr.Add("Vary", "Origin")
			r = r.WithContext(context.WithValue(r.Context(), corsKey{}, &corsRequest{origin: origin, header: hdr}))
		default:
			hdr.Add("Vary", "Origin")
		}
		h.ServeHTTP(w, r)
	})
}

// preflight answers OPTIONS with 204: for a CORS preflight the methods and headers a script may
// use, otherwise just Allow.
func preflight(w http.ResponseWriter, r *http.Request, policy corsPolicy, methods []string) {
	hdr := w.Header()
	hdr.Set("Allow", strings.Join(allowed(methods), ", "))
	origin := r.Header.Get("Origin")
	if origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		allowOrigin := origin
		if policy == corsPublic {
			allowOrigin = "*"
		} else {
			hdr.Add("Vary", "Origin")
		}
		hdr.Set("Access-Control-Allow-Origin", allowOrigin)
		hdr.Set("Access-Control-Allow-Methods", strings.Join(slices.DeleteFunc(allowed(methods), func(m string) bool { return m == http.MethodOptions }), ", "))
		hdr.Set("Access-Control-Allow-Headers", corsHeaders)
		hdr.Set("Access-Control-Max-Age", strconv.Itoa(int(corsMaxAge/time.Second)))
	}
	w.WriteHeader(http.StatusNoContent)
}

// allowOrigin makes the response of a cross-origin request readable by its origin when that is
// an allowed origin of the client with clientID. It looks the client up only for such requests.
func (s *Server) allowOrigin(ctx context.Context, clientID string) error {
	cr, _ := ctx.Value(corsKey{}).(*corsRequest)
	if cr == nil || clientID == "" {
		return nil
	}
	client, err := s.store.FindClientByID(ctx, clientID)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("oauth: find client %s for CORS: %w", clientID, err)
	}
	if slices.Contains(allowedOrigins(client), cr.origin) {
		cr.header.Set("Access-Control-Allow-Origin", cr.origin)
		cr.header.Set("Access-Control-Expose-Headers", "WWW-Authenticate")
	}
	return nil
}

// allowedOrigins are the origins of the client's http and https redirect URIs, then its extra
// allowed origins.
func allowedOrigins(c *keyward.Client) []string {
	var list []string
	for _, raw := range c.RedirectURIs {
		if o := originOf(raw); o != "" && !slices.Contains(list, o) {
			list = append(list, o)
		}
	}
	return append(list, c.AllowedOrigins...)
}

// originOf serialises the web origin of an http or https URL as browsers send it in Origin:
// lower-case scheme and host, the port only when it is not the scheme's default; "" for any
// other URL (a native app's custom scheme has no web origin).
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" || (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		return u.Scheme + "://" + host
	}
	return u.Scheme + "://" + host + ":" + port
}
