package app

import (
	"net/http"
	"net/netip"
	"testing"
)

// TestForwardedFor: the client is the rightmost address of X-Forwarded-For that is not a
// trusted proxy; what the client wrote left of it changes nothing.
func TestForwardedFor(t *testing.T) {
	e := edge{proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}
	for _, tt := range []struct {
		name   string
		header []string
		want   string // "" for none: the peer stays the client
	}{
		{"None", nil, ""},
		{"One", []string{"198.51.100.7"}, "198.51.100.7"},
		{"SpoofedLeft", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"ProxyChain", []string{"6.6.6.6, 198.51.100.7, 10.1.1.1, 10.2.2.2"}, "198.51.100.7"},
		{"SeveralHeaders", []string{"6.6.6.6", "198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
		{"AllTrusted", []string{"10.9.9.9, 10.1.1.1"}, "10.9.9.9"},
		{"IPv6", []string{"2001:db8::5, fd00::1"}, "2001:db8::5"},
		{"Mapped", []string{"::ffff:198.51.100.7"}, "198.51.100.7"},
		{"GarbageLeftIgnored", []string{"not an address, 198.51.100.7"}, "198.51.100.7"},
		{"GarbageRightmost", []string{"198.51.100.7, unknown"}, ""},
		{"WithPort", []string{"198.51.100.7:4711"}, ""},
		{"Empty", []string{""}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := e.forwardedFor(http.Header{"X-Forwarded-For": tt.header})
			if tt.want == "" {
				if ok {
					t.Fatalf("forwardedFor(%q) = %v, want none", tt.header, got)
				}
				return
			}
			if !ok || got != netip.MustParseAddr(tt.want) {
				t.Fatalf("forwardedFor(%q) = %v %v, want %s", tt.header, got, ok, tt.want)
			}
		})
	}
}

func TestForwardedProto(t *testing.T) {
	for _, tt := range []struct {
		header []string
		want   string
	}{{nil, ""}, {[]string{"https"}, "https"}, {[]string{"HTTP"}, "http"}, {[]string{"http", "https"}, ""}, {[]string{"ftp"}, ""}, {[]string{"http,https"}, ""}} {
		if got := forwardedProto(http.Header{"X-Forwarded-Proto": tt.header}); got != tt.want {
			t.Errorf("forwardedProto(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
