package portal

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/i18n"
	"github.com/keyward/keyward/internal/keyward"
)

// Root is the path of the portal's home page; every page lives below it.
const Root = account.PortalPath

// Sessions is what the portal needs of the browser layer: who is signed in, the CSRF token of
// that session's forms, and where to sign in. *account.Server implements it.
type Sessions interface {
	Current(r *http.Request) (*account.Session, error)
	FormToken(se *account.Session) string
	FormTokenValid(se *account.Session, token string) bool
	LoginURL(ret string) string
}

// Config configures a Server; every field but Now and Logger is required.
type Config struct {
	// Issuer is the server's public base URL; an https issuer makes the language cookie Secure.
	Issuer   string
	Services keyward.Services
	Sessions Sessions
	// Now is the clock of "now" on the pages (access checks, log ranges); time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
}

// Server serves the portal. It is safe for concurrent use.
type Server struct {
	cfg     Config
	svc     keyward.Services
	log     *slog.Logger
	catalog *i18n.Catalog
	pages   *pageSet
	mux     *http.ServeMux
}

// New builds the portal: its templates in every language and its routes.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Sessions == nil:
		return nil, errors.New("portal: no sessions")
	case cfg.Services.Owners == nil:
		return nil, errors.New("portal: no services")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, svc: cfg.Services, log: cfg.Logger}
	var err error
	if s.catalog, err = i18n.New(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	for _, rt := range s.Routes() {
		s.mux.Handle(rt.Pattern(), s.handle(rt.handler))
	}
	s.mux.Handle(Root+"/", s.handle(func(*request) error { return keyward.ErrNotFound }))
	return s, nil
}

// ServeHTTP serves every path under Root.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// OwnsPath reports whether the portal serves the path: Root and everything below it.
func OwnsPath(path string) bool {
	return path == Root || len(path) > len(Root) && path[:len(Root)+1] == Root+"/"
}
