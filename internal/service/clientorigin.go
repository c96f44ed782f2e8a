package service

import (
	"net/url"

	"github.com/keyward/keyward/internal/keyward"
)

// checkAllowedOrigins accepts web origins as a browser sends them in the Origin header:
// http or https, a host, an optional port, nothing else, in lower case, since they are compared
// with that header character by character. "*" and "null" are refused: an allowed origin
// names one site.
func checkAllowedOrigins(origins []string) error {
	for _, raw := range origins {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || u.Scheme+"://"+u.Host != raw || raw != lowerASCII(raw) {
			return keyward.Invalidf("allowed origin %q must be a web origin like https://app.example or http://localhost:3000, in lower case, without a path", raw)
		}
	}
	return nil
}

// lowerASCII lower-cases A-Z only, as origins are serialised.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
