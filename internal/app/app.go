// Package app wires Keyward together: the store, the services, the authorization server and the
// HTTP handlers, and runs the server until its context ends.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/keyward/keyward/api"
	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/apidocs"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/httpapi"
	"github.com/keyward/keyward/internal/i18n"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/mail"
	"github.com/keyward/keyward/internal/metrics"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/portal"
	"github.com/keyward/keyward/internal/readcache"
	"github.com/keyward/keyward/internal/requestid"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
)

// Main is one running Keyward server.
type Main struct {
	Config config.Config
	Logger *slog.Logger
	// Console gets what the operator must read as plain text rather than as escaped log
	// fields: the e-mails a server without --smtp-url does not send. Nil for none.
	Console io.Writer
	// Now is the server's clock (time.Now when nil): what it decides, issues and signs by. A
	// test sets it to run the server at another date, e.g. across a change of daylight saving.
	Now     func() time.Time
	Store   *sqlstore.DB
	Plans   *keyward.Plans
	Service *service.Service
	// Services is Service as the use cases by resource, which the adapters are handed.
	Services keyward.Services
	OAuth    *oauth.Server
	// Portal is the web portal under /portal.
	Portal *portal.Server
	// Metrics are the server's Prometheus metrics, served at /metrics on Config.MetricsAddr
	// (nil when no address is set).
	Metrics *metrics.Metrics
	// ReadCache keeps the answers of the API's reads of account data (httpapi's Cached
	// routes) until the account changes; nil when Config.ReadCacheMB turns it off.
	ReadCache *readcache.Cache
	// WrapHandler, when set, wraps the server's handler and the metrics handler before they
	// serve: the test harness puts its contract check there, so that every request of every
	// integration test passes it.
	WrapHandler func(http.Handler) http.Handler
	// RunTransactionsTwice is the store's Pool.RunTwice: the test harness sets it, so that a
	// transaction's function that would do something twice after a conflict does it in every
	// integration test on PostgreSQL.
	RunTransactionsTwice bool

	docs                      http.Handler // /docs: the contract as a page
	listener, metricsListener net.Listener
	server, metricsServer     *http.Server
}

// Open connects and migrates the store, loads the signing keys and starts listening; the
// listener is bound before Open returns, so Addr is valid for ":0" addresses.
func (m *Main) Open(ctx context.Context) error {
	var err error
	// every line logged with a request's context names the request's id
	m.Logger = slog.New(requestid.NewLogHandler(cmp.Or(m.Logger, slog.Default()).Handler()))
	if m.listener, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("app: listen: %w", err)
	}
	if m.Config.Issuer == "" {
		m.Config.Issuer = "http://" + m.listener.Addr().String()
	}
	if m.Plans, err = config.LoadPlans(m.Config.Plans); err != nil {
		return err
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Store, err = sqlstore.OpenPool(ctx, m.Config.DB, sqlstore.Pool{MaxConns: m.Config.DBMaxConns,
		NoStandingCache: m.Config.NoStandingCache, RunTwice: m.RunTransactionsTwice}); err != nil {
		return err
	}
	if err := m.openMetrics(); err != nil {
		return err
	}
	m.Service = service.New(m.Store, m.serviceConfig())
	m.Services = m.Service.Services()
	m.collectPropagation()
	m.observeConflicts()
	mailer, err := m.mailer()
	if err != nil {
		return err
	}
	pages, err := account.New(ctx, account.Config{Issuer: m.Config.Issuer, Logger: m.Logger, Accounts: m.Service, Mailer: mailer, Now: m.Now}, m.Store)
	if err != nil {
		return err
	}
	oauthCfg := oauth.Config{Issuer: m.Config.Issuer, Logger: m.Logger, Accounts: m.Service, Pages: pages, Now: m.Now}
	if m.Metrics != nil {
		oauthCfg.ObserveToken = m.Metrics.ObserveToken
	}
	if m.OAuth, err = oauth.New(ctx, oauthCfg, m.Store); err != nil {
		return err
	}
	catalog, err := i18n.New()
	if err != nil {
		return err
	}
	apiCfg := httpapi.Config{Services: m.Services, Verifier: m.OAuth, Localizer: catalog, Logger: m.Logger, OpenAPI: api.OpenAPI}
	if m.Metrics != nil {
		apiCfg.ObserveRequest = m.Metrics.ObserveRequest
	}
	if size := m.Config.ReadCacheBytes(); size > 0 {
		m.ReadCache = readcache.New(size)
		apiCfg.ReadCache = m.ReadCache
		m.collectReadCache()
	}
	m.collectStanding()
	mgmt := httpapi.New(apiCfg)
	m.docs = apidocs.Deferred(api.OpenAPI)
	if m.Portal, err = portal.New(portal.Config{Issuer: m.Config.Issuer, Services: m.Services, Sessions: pages, Now: m.Now, Logger: m.Logger}); err != nil {
		return err
	}
	handler, err := m.edge(m.routes(mgmt, m.Portal, m.OAuth.Handler()))
	if err != nil {
		return err
	}
	m.server = &http.Server{
		Handler:           m.wrap(handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	return nil
}

// openMetrics listens on the metrics address, when one is set, and makes the metrics the API and
// the OAuth server report to. Metrics get a listener of their own so that they are not public
// with the API.
func (m *Main) openMetrics() error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	var err error
	if m.metricsListener, err = net.Listen("tcp", m.Config.MetricsAddr); err != nil {
		return fmt.Errorf("app: listen for metrics: %w", err)
	}
	m.Metrics = metrics.New(m.Store.SQL())
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Metrics.Handler())
	m.metricsServer = &http.Server{Handler: m.wrap(mux), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	return nil
}

// wrap applies WrapHandler, if any.
func (m *Main) wrap(h http.Handler) http.Handler {
	if m.WrapHandler == nil {
		return h
	}
	return m.WrapHandler(h)
}

// MetricsAddr is the address /metrics is served on, "" without metrics.
func (m *Main) MetricsAddr() string {
	if m.metricsListener == nil {
		return ""
	}
	return m.metricsListener.Addr().String()
}

// mailer is the relay of --smtp-url or, without one, a LogMailer that also prints each message
// on the console, where the operator of a server without mail finds the verification links.
func (m *Main) mailer() (mail.Mailer, error) {
	if m.Config.SMTPURL == "" {
		return mail.LogMailer{Logger: m.Logger, Console: m.Console}, nil
	}
	return mail.NewMailer(m.Config.SMTPURL, m.Logger)
}

// routes sends /api/ to the Management API and everything under /connect and /.well-known to
// the authorization server; the oauth handler also collapses "//connect/authorize".
func (m *Main) routes(api, site, auth http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/healthz" && r.Method == http.MethodGet:
			m.healthz(w, r)
		case strings.EqualFold(strings.Trim(r.URL.Path, "/"), "docs"):
			m.docs.ServeHTTP(w, r)
		case httpapi.OwnsPath(r.URL.EscapedPath()):
			api.ServeHTTP(w, r)
		case portal.OwnsPath(r.URL.Path):
			site.ServeHTTP(w, r)
		default:
			auth.ServeHTTP(w, r)
		}
	})
}

// healthz answers 200 when the database answers.
func (m *Main) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if _, err := m.Store.SchemaVersion(ctx); err != nil {
		m.Logger.ErrorContext(r.Context(), "health check failed", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"status":"unavailable"}` + "\n"))
		return
	}
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// Addr is the address the server listens on.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully: requests in flight get 15 seconds.
func (m *Main) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
	if m.metricsServer != nil {
		go m.serveMetrics()
		defer m.metricsServer.Close()
	}
	m.Logger.Info("keyward listening", "addr", m.Addr(), "issuer", m.Config.Issuer, "db", m.Store.Engine())
	select {
	case err := <-errc:
		return fmt.Errorf("app: serve: %w", err)
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := m.server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveMetrics serves /metrics until Run closes its server.
func (m *Main) serveMetrics() {
	if err := m.metricsServer.Serve(m.metricsListener); !errors.Is(err, http.ErrServerClosed) {
		m.Logger.Error("metrics: serve", "error", err)
	}
}

// Close releases the listener (already closed when Run returned) and the store.
func (m *Main) Close() error {
	if m.listener != nil {
		m.listener.Close()
	}
	if m.Store != nil {
		return m.Store.Close()
	}
	return nil
}
