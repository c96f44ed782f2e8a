package app

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/keyward/keyward/internal/requestid"
)

// hstsValue is the Strict-Transport-Security of an https issuer: a year, this host only (an
// operator whose subdomains are all https adds includeSubDomains at the proxy).
const hstsValue = "max-age=31536000"

// edge is what the server does for every request of every tree before routing it: the request
// id (X-Request-Id on the response, in the context, in every log line), the client's address as
// the trusted proxies report it, and HSTS under an https issuer. It wraps the whole handler once,
// so a tree added to routes gets all three without doing anything.
type edge struct {
	next    http.Handler
	proxies []netip.Prefix // the networks of the reverse proxies whose X-Forwarded-* headers are believed
	hsts    bool           // the issuer is https
}

func (e edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := incomingRequestID(r.Header)
	if id == "" {
		id = requestid.New()
	}
	w.Header().Set(requestid.Header, id)
	r = r.WithContext(requestid.With(r.Context(), id)) // a shallow copy: RemoteAddr may change below
	proto := ""
	if e.trusted(peerAddr(r.RemoteAddr)) {
		if client, ok := e.forwardedFor(r.Header); ok {
			r.RemoteAddr = client.String()
		}
		proto = forwardedProto(r.Header)
	}
	if e.hsts && proto != "http" {
		w.Header().Set("Strict-Transport-Security", hstsValue)
	}
	e.next.ServeHTTP(w, r)
}

// incomingRequestID is the client's X-Request-Id when there is exactly one and it is sane, so
// that a proxy's or a client's id ties its own logs to the server's; "" otherwise.
func incomingRequestID(h http.Header) string {
	if v := h.Values(requestid.Header); len(v) == 1 && requestid.Sane(v[0]) {
		return v[0]
	}
	return ""
}

// peerAddr is the address of the TCP peer, invalid when RemoteAddr is not host:port of an IP.
func peerAddr(remoteAddr string) netip.Addr {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap().WithZone("")
}

// trusted reports whether addr is one of the trusted proxies.
func (e edge) trusted(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	for _, p := range e.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// forwardedFor is the client's address from X-Forwarded-For, read from the right: each proxy
// appends the address it was reached from, so the rightmost address that is not a trusted proxy
// is the last one a trusted proxy wrote, and everything left of it is whatever the client sent.
// When every address is a trusted proxy, the leftmost is the client. ok is false (the peer stays
// the client) without the header or when that rightmost untrusted entry is not an address.
func (e edge) forwardedFor(h http.Header) (client netip.Addr, ok bool) {
	var hops []string
	for _, v := range h.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		client, ok = addr.Unmap().WithZone(""), true
		if !e.trusted(client) {
			return client, true
		}
	}
	return client, ok
}

// forwardedProto is the scheme a trusted proxy was reached by, "http" or "https", "" when the
// header is missing, repeated or anything else.
func forwardedProto(h http.Header) string {
	v := h.Values("X-Forwarded-Proto")
	if len(v) != 1 {
		return ""
	}
	switch p := strings.ToLower(strings.TrimSpace(v[0])); p {
	case "http", "https":
		return p
	}
	return ""
}

// maxHeaderBytes bounds a request's line and headers (net/http's default is 1 MiB): 64 KiB holds
// any bearer token, cookie and forwarding chain Keyward sees, and a larger head is answered
// 431 by net/http before any handler runs.
const maxHeaderBytes = 64 << 10

// edge wraps h in the edge of every tree, with the configured trusted proxies and HSTS when the
// issuer is https.
func (m *Main) edge(h http.Handler) (http.Handler, error) {
	proxies, err := m.Config.TrustedProxyPrefixes()
	if err != nil {
		return nil, err
	}
	return edge{next: h, proxies: proxies, hsts: strings.HasPrefix(m.Config.Issuer, "https://")}, nil
}
