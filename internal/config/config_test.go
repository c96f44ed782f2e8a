package config

import (
	"flag"
	"io"
	"net/netip"
	"slices"
	"testing"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want Config
		err  string
	}{
		{name: "Defaults", want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:keyward.db", Issuer: "http://127.0.0.1:8080"}},
		{name: "FlagsWinOverEnv", args: []string{"--addr", "127.0.0.1:9000", "--issuer", "https://k.example/"},
			env:  map[string]string{"KEYWARD_ADDR": "127.0.0.1:1", "KEYWARD_DB": "postgres://u:pw@h/db"},
			want: Config{Addr: "127.0.0.1:9000", DB: "postgres://u:pw@h/db", Issuer: "https://k.example"}},
		{name: "MetricsAddrFromEnv", env: map[string]string{"KEYWARD_METRICS_ADDR": "127.0.0.1:9090"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:keyward.db", Issuer: "http://127.0.0.1:8080", MetricsAddr: "127.0.0.1:9090"}},
		{name: "TrustedProxiesFromEnv", env: map[string]string{"KEYWARD_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:keyward.db", Issuer: "http://127.0.0.1:8080", TrustedProxies: "10.0.0.0/8, 192.0.2.7"}},
		{name: "ReadCacheFromEnv", env: map[string]string{"KEYWARD_READ_CACHE_MB": "-1"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:keyward.db", Issuer: "http://127.0.0.1:8080", ReadCacheMB: -1}},
		{name: "ReadCacheFlagWins", args: []string{"--read-cache-mb", "8"}, env: map[string]string{"KEYWARD_READ_CACHE_MB": "-1"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:keyward.db", Issuer: "http://127.0.0.1:8080", ReadCacheMB: 8}},
		{name: "StandingCacheOffFromEnv", env: map[string]string{"KEYWARD_NO_STANDING_CACHE": "true"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:keyward.db", Issuer: "http://127.0.0.1:8080", NoStandingCache: true}},
		{name: "StandingCacheFlagWins", args: []string{"--no-standing-cache=false"}, env: map[string]string{"KEYWARD_NO_STANDING_CACHE": "true"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:keyward.db", Issuer: "http://127.0.0.1:8080"}},
		{name: "BadStandingCache", env: map[string]string{"KEYWARD_NO_STANDING_CACHE": "sometimes"},
			err: `config: KEYWARD_NO_STANDING_CACHE: "sometimes" is not true or false`},
		{name: "BadReadCache", env: map[string]string{"KEYWARD_READ_CACHE_MB": "lots"},
			err: `config: KEYWARD_READ_CACHE_MB: "lots" is not a number`},
		{name: "BadTrustedProxy", args: []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"},
			err: `config: --trusted-proxies: "proxy.local" is neither a CIDR nor an address`},
		{name: "AllInterfacesNeedIssuer", args: []string{"--addr", "0.0.0.0:80"},
			err: `config: --addr "0.0.0.0:80" listens on every interface; set --issuer to the public base URL`},
		{name: "BadAddr", env: map[string]string{"KEYWARD_ADDR": "nope"},
			err: `config: --addr "nope": address nope: missing port in address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c.Bind(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.ApplyEnv(fs, func(k string) string { return tt.env[k] })
			if err == nil {
				err = c.Validate()
			}
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c != tt.want {
				t.Fatalf("config = %+v, want %+v", c, tt.want)
			}
		})
	}
}

// TestTrustedProxyPrefixes: CIDRs are masked, single addresses are one-address networks, and
// IPv4-mapped IPv6 forms are the IPv4 networks a peer's address is compared with.
func TestTrustedProxyPrefixes(t *testing.T) {
	c := Config{TrustedProxies: " 10.1.2.3/8,192.0.2.7 ,, 2001:db8::1/64,::ffff:198.51.100.0/120,fd00::1"}
	got, err := c.TrustedProxyPrefixes()
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/64"), netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("fd00::1/128")}
	if !slices.Equal(got, want) {
		t.Fatalf("prefixes = %v, want %v", got, want)
	}
	if got, err := (Config{}).TrustedProxyPrefixes(); got != nil || err != nil {
		t.Fatalf("no proxies = %v, %v", got, err)
	}
}

func TestRedacted(t *testing.T) {
	c := Config{DB: "postgres://kw:secret@db:5432/kw", SMTPURL: "smtp://mail:pw@smtp.example:587?from=k@example.com"}
	r := c.Redacted()
	if r.DB != "postgres://kw:xxxxx@db:5432/kw" || r.SMTPURL != "smtp://mail:xxxxx@smtp.example:587?from=k@example.com" {
		t.Fatalf("Redacted = %+v", r)
	}
}

// TestReadCacheBytes: 0 is the default size, a negative size turns the cache off.
func TestReadCacheBytes(t *testing.T) {
	for mb, want := range map[int]int64{0: DefaultReadCacheMB << 20, -1: 0, 8: 8 << 20} {
		if got := (Config{ReadCacheMB: mb}).ReadCacheBytes(); got != want {
			t.Errorf("ReadCacheMB %d: %d bytes, want %d", mb, got, want)
		}
	}
}
