// Package config holds the server's settings: defaults, then command-line flags, then KEYWARD_*
// environment variables for what no flag set. It is validated once and passed down; there is no
// global configuration.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// Config is what `keyward serve` runs with.
type Config struct {
	Addr string // listen address; loopback by default so nothing is exposed by accident
	DB   string // sqlite:FILE or postgres://...
	// DBMaxConns caps the database connection pool; 0 picks the engine's default (see
	// sqlstore.Pool). Every connection of the pool is kept open while idle.
	DBMaxConns int
	Issuer     string // public base URL; defaults to http://Addr
	Plans      string // path of the plan catalog (JSON); "" for the built-in plans
	SMTPURL    string // smtp://user:pass@host:port?from=...; "" writes verification links to the log
	// MetricsAddr is where /metrics is served, apart from the API so that it is not public with
	// it; "" serves no metrics.
	MetricsAddr string
	// TrustedProxies are the networks (comma-separated CIDRs or addresses) of the reverse
	// proxies whose X-Forwarded-For and X-Forwarded-Proto the server believes; "" believes
	// none (see TrustedProxyPrefixes).
	TrustedProxies string
	// ReadCacheMB bounds the memory of the read cache, which keeps the answers of the API's
	// reads of account data until the account changes; 0 picks DefaultReadCacheMB, a negative
	// size turns the cache off.
	ReadCacheMB int
	// NoStandingCache has every token check read the token's standing from the database, also
	// while the node is the only process connected to its PostgreSQL database (see
	// sqlstore.Pool.NoStandingCache).
	NoStandingCache bool
	LogLevel        slog.Level
}

// DefaultReadCacheMB is the read cache's size when ReadCacheMB is 0: some thousand answers of a
// 100-entity list, a few hundred thousand of one entity.
const DefaultReadCacheMB = 32

// ReadCacheBytes is the read cache's bound in bytes, 0 when it is off.
func (c Config) ReadCacheBytes() int64 {
	switch {
	case c.ReadCacheMB < 0:
		return 0
	case c.ReadCacheMB == 0:
		return DefaultReadCacheMB << 20
	}
	return int64(c.ReadCacheMB) << 20
}

// Default returns the built-in settings.
func Default() Config {
	return Config{Addr: "127.0.0.1:8080", DB: "sqlite:keyward.db"}
}

// Bind registers the flags on fs, writing into c.
func (c *Config) Bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env KEYWARD_ADDR)")
	fs.StringVar(&c.DB, "db", c.DB, "database: sqlite:FILE or postgres://... (env KEYWARD_DB)")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", c.DBMaxConns, "database connections per process, all kept open (env KEYWARD_DB_MAX_CONNS; default 8 for SQLite, 16 for PostgreSQL)")
	fs.StringVar(&c.Issuer, "issuer", c.Issuer, "public base URL, the OAuth issuer (env KEYWARD_ISSUER; default http://ADDR)")
	fs.StringVar(&c.Plans, "plans", c.Plans, "plan catalog, a JSON file (env KEYWARD_PLANS; default: the built-in plans)")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "mail server for verification links, smtp://user:pass@host:587?from=noreply@example.com (env KEYWARD_SMTP_URL; default: print them on stderr and in the log)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "listen address of the Prometheus /metrics endpoint (env KEYWARD_METRICS_ADDR; default: no metrics)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "comma-separated networks (CIDR) of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (env KEYWARD_TRUSTED_PROXIES; default: none)")
	fs.IntVar(&c.ReadCacheMB, "read-cache-mb", c.ReadCacheMB, "memory of the read cache in MiB (env KEYWARD_READ_CACHE_MB; default 32, -1 turns it off)")
	fs.BoolVar(&c.NoStandingCache, "no-standing-cache", c.NoStandingCache, "read every token's standing from the database, also while this node is alone on its PostgreSQL database (env KEYWARD_NO_STANDING_CACHE=true)")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log level: DEBUG, INFO, WARN or ERROR (env KEYWARD_LOG_LEVEL)")
}

// ApplyEnv fills the settings whose flags were not given from KEYWARD_* variables (and
// KEYWARD_DB_FILE, a file holding the database address, for secrets mounted as files).
func (c *Config) ApplyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	env := func(flagName, name string, dst *string) {
		if v := getenv(name); v != "" && !set[flagName] {
			*dst = v
		}
	}
	env("addr", "KEYWARD_ADDR", &c.Addr)
	env("db", "KEYWARD_DB", &c.DB)
	env("issuer", "KEYWARD_ISSUER", &c.Issuer)
	env("plans", "KEYWARD_PLANS", &c.Plans)
	env("smtp-url", "KEYWARD_SMTP_URL", &c.SMTPURL)
	env("metrics-addr", "KEYWARD_METRICS_ADDR", &c.MetricsAddr)
	env("trusted-proxies", "KEYWARD_TRUSTED_PROXIES", &c.TrustedProxies)
	if path := getenv("KEYWARD_DB_FILE"); path != "" && !set["db"] && getenv("KEYWARD_DB") == "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("config: KEYWARD_DB_FILE: %w", err)
		}
		c.DB = strings.TrimSpace(string(b))
	}
	if v := getenv("KEYWARD_DB_MAX_CONNS"); v != "" && !set["db-max-conns"] {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("config: KEYWARD_DB_MAX_CONNS: %q is not a number", v)
		}
		c.DBMaxConns = n
	}
	if v := getenv("KEYWARD_READ_CACHE_MB"); v != "" && !set["read-cache-mb"] {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("config: KEYWARD_READ_CACHE_MB: %q is not a number", v)
		}
		c.ReadCacheMB = n
	}
	if v := getenv("KEYWARD_NO_STANDING_CACHE"); v != "" && !set["no-standing-cache"] {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("config: KEYWARD_NO_STANDING_CACHE: %q is not true or false", v)
		}
		c.NoStandingCache = b
	}
	if v := getenv("KEYWARD_LOG_LEVEL"); v != "" && !set["log-level"] {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return fmt.Errorf("config: KEYWARD_LOG_LEVEL: %w", err)
		}
	}
	return nil
}

// Validate checks the settings and derives the issuer from the address when it is unset. With
// port 0 the issuer is left empty: the server derives it once the port is known.
func (c *Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("config: --addr %q: %w", c.Addr, err)
	}
	if c.DB == "" {
		return errors.New("config: --db is empty")
	}
	if c.DBMaxConns < 0 {
		return fmt.Errorf("config: --db-max-conns %d: must be 0 (the default) or more", c.DBMaxConns)
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		return err
	}
	if c.Issuer == "" && port != "0" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			return fmt.Errorf("config: --addr %q listens on every interface; set --issuer to the public base URL", c.Addr)
		}
		c.Issuer = "http://" + net.JoinHostPort(host, port)
	}
	c.Issuer = strings.TrimRight(c.Issuer, "/")
	return nil
}

// TrustedProxyPrefixes parses TrustedProxies: CIDRs ("10.0.0.0/8", "fd00::/8") or single
// addresses ("192.0.2.7"), separated by commas and optional spaces; nil for none.
func (c Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var list []netip.Prefix
	for _, field := range strings.Split(c.TrustedProxies, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		p, err := netip.ParsePrefix(field)
		if err != nil {
			addr, aerr := netip.ParseAddr(field)
			if aerr != nil {
				return nil, fmt.Errorf("config: --trusted-proxies: %q is neither a CIDR nor an address", field)
			}
			p = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		list = append(list, p.Masked())
	}
	return list, nil
}

// Redacted returns the settings with the database and mail passwords hidden, for --print-config
// and logs.
func (c Config) Redacted() Config {
	c.DB, c.SMTPURL = redactPassword(c.DB), redactPassword(c.SMTPURL)
	return c
}

// redactPassword hides the password of a scheme://user:password@host address.
func redactPassword(addr string) string {
	if i := strings.Index(addr, "://"); i >= 0 {
		if at := strings.Index(addr[i+3:], "@"); at >= 0 {
			userinfo := addr[i+3 : i+3+at]
			if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
				return addr[:i+3] + user + ":xxxxx" + addr[i+3+at:]
			}
		}
	}
	return addr
}

// LoadPlans reads the plan catalog at path, or returns the built-in one for "".
func LoadPlans(path string) (*keyward.Plans, error) {
	if path == "" {
		return keyward.BuiltinPlans(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: plans: %w", err)
	}
	p, err := keyward.ParsePlans(b)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return p, nil
}
