// Package httpapi serves the Management API under /api/v1. It owns everything HTTP-shaped about
// the API: the case-insensitive route table, the bearer-token check, the JSON codec, and the one
// writer that turns every error into the seed's four-key error body. Business rules (scopes,
// permissions, plans) live behind the use-case interfaces of keyward.Services, which this package
// is handed; each handler uses the one interface of its resource.
package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/readcache"
	"github.com/keyward/keyward/internal/requestid"
)

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is zero: 1 MiB is far
// above any Management API body and small enough to refuse abuse early.
const DefaultMaxBodyBytes = 1 << 20

// Localizer supplies the localized UserErrorMessage of a domain error, by the same lookup the
// pages use. It is an interface so that this package does not depend on the catalog
// implementation; i18n.Catalog satisfies it.
type Localizer interface {
	// Match picks the supported language that best matches an Accept-Language header.
	Match(acceptLanguage string) string
	// UserMessage is the error's message in that language, "" for an error without a code.
	UserMessage(lang string, e *keyward.Error) string
}

// Config holds the Server's dependencies. Services (those of the Management API's resources) and
// Verifier are required; the rest have defaults, so tests set only what they assert on.
type Config struct {
	Services  keyward.Services
	Verifier  keyward.TokenVerifier
	Localizer Localizer    // nil: UserErrorMessage is always empty
	Logger    *slog.Logger // nil: slog.Default()

	// MaxBodyBytes limits request bodies; larger bodies are a 400. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// OpenAPI is the contract served as-is at GET /api/v1/openapi.yaml without a token. Nil
	// leaves that route answering 404.
	OpenAPI []byte
	// ObserveRequest, when set, is told of every answered request: the matched route's
	// "METHOD pattern" ("" when none matched), the status and the time it took (metrics).
	ObserveRequest func(route string, status int, d time.Duration)
	// ReadCache, when set, keeps the answers of the Cached routes (readcache.go); nil computes
	// every answer.
	ReadCache *readcache.Cache
}

// Server is the Management API's http.Handler. Build it with New; its only mutable state is the
// read cache, which is safe for concurrent use, so one Server serves any number of concurrent
// requests.
type Server struct {
	owners            keyward.OwnerService
	permissions       keyward.PermissionService
	locks             keyward.LockService
	lockGroups        keyward.LockGroupService
	contacts          keyward.ContactService
	cards             keyward.CardService
	grants            keyward.GrantService
	identityProviders keyward.IdentityProviderService
	logs              keyward.LogService
	devices           keyward.DeviceService
	mobiles           keyward.MobileService

	verifier  keyward.TokenVerifier
	localizer Localizer
	log       *slog.Logger
	maxBody   int64
	openAPI   []byte
	observe   func(route string, status int, d time.Duration)
	reads     *readcache.Cache
	routes    []route
}

// handlerFunc is the shape of every handler: it writes success itself and returns any error to
// the one error writer, so no handler ever writes an error status.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New builds a Server. It panics when a service or the Verifier is missing, because a server
// without them could only fail requests; that is a wiring bug to catch at start-up.
func New(cfg Config) *Server {
	if missing := missingDependency(cfg); missing != "" {
		panic("httpapi: New needs Config." + missing)
	}
	svc := cfg.Services
	s := &Server{
		owners:            svc.Owners,
		permissions:       svc.Permissions,
		locks:             svc.Locks,
		lockGroups:        svc.LockGroups,
		contacts:          svc.Contacts,
		cards:             svc.Cards,
		grants:            svc.Grants,
		identityProviders: svc.IdentityProviders,
		logs:              svc.Logs,
		devices:           svc.Devices,
		mobiles:           svc.Mobiles,

		verifier:  cfg.Verifier,
		localizer: cfg.Localizer,
		log:       cfg.Logger,
		maxBody:   cfg.MaxBodyBytes,
		openAPI:   cfg.OpenAPI,
		observe:   cfg.ObserveRequest,
		reads:     cfg.ReadCache,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.routes = compileRoutes(s.routeTable())
	return s
}

// missingDependency names the first required dependency cfg lacks, "" when it has them all.
func missingDependency(cfg Config) string {
	svc := cfg.Services
	for _, d := range []struct {
		name string
		set  bool
	}{
		{"Services.Owners", svc.Owners != nil}, {"Services.Permissions", svc.Permissions != nil},
		{"Services.Locks", svc.Locks != nil}, {"Services.LockGroups", svc.LockGroups != nil},
		{"Services.Contacts", svc.Contacts != nil}, {"Services.Cards", svc.Cards != nil},
		{"Services.Grants", svc.Grants != nil}, {"Services.IdentityProviders", svc.IdentityProviders != nil},
		{"Services.Logs", svc.Logs != nil}, {"Services.Devices", svc.Devices != nil},
		{"Services.Mobiles", svc.Mobiles != nil},
		{"Verifier", cfg.Verifier != nil},
	} {
		if !d.set {
			return d.name
		}
	}
	return ""
}

// ServeHTTP answers one /api/v1 request and writes one log line for it. The request id comes
// from the context (the server sets it around every tree); a request that reaches the Server
// without one, as when it is served on its own, gets a fresh id here, so a 500 always names one.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestid.From(r.Context())
	if id == "" {
		id = requestid.New()
		r = r.WithContext(requestid.With(r.Context(), id))
	}
	w.Header().Set(requestid.Header, id)
	rw := &responseWriter{ResponseWriter: w, status: http.StatusOK}

	s.run(rw, r)
	if s.observe != nil {
		s.observe(rw.route, rw.status, time.Since(start))
	}

	s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", rw.status),
		slog.Duration("duration", time.Since(start)))
}

// run is the one adapter: it routes, authenticates, calls the handler, and hands every error or
// panic to writeError.
func (s *Server) run(w *responseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v) // the documented way to abort a response; net/http handles it
			}
			s.writeError(w, r, fmt.Errorf("httpapi: panic: %v\n%s", v, debug.Stack()))
		}
	}()
	if err := s.dispatch(w, r); err != nil {
		s.writeError(w, r, err)
	}
}

// dispatch checks the URL's text, finds the route, checks the token unless the route is public,
// and runs the handler.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) error {
	if err := checkURLText(r); err != nil {
		return err
	}
	rt, err := s.match(r)
	if err != nil {
		return err
	}
	if rw, ok := w.(*responseWriter); ok {
		rw.route = rt.Method + " " + rt.Pattern
	}
	if !rt.Public {
		if r, err = s.authenticate(r); err != nil {
			return err
		}
	}
	if rt.Cached && s.reads != nil {
		return s.serveCached(w, r, rt)
	}
	return rt.handler(w, r)
}

// responseWriter records the status for the access log and whether the response has started, so
// that an error after the first byte is logged instead of being written into a body.
type responseWriter struct {
	http.ResponseWriter
	status  int
	started bool
	route   string // the matched route's "METHOD pattern", "" when none matched
}

// WriteHeader records the status.
func (w *responseWriter) WriteHeader(status int) {
	if !w.started {
		w.status = status
		w.started = true
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write records that the response started.
func (w *responseWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errNoEntity is returned when the service answers neither an entity nor an error.
var errNoEntity = errors.New("httpapi: service returned neither an entity nor an error")
