package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/i18n"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/mail"
)

// Lifetimes of what the pages issue.
const (
	// SessionLifetime is how long a browser stays signed in.
	SessionLifetime = 12 * time.Hour
	// VerificationLinkLifetime is how long an e-mail verification link works.
	VerificationLinkLifetime = 7 * 24 * time.Hour
)

// Paths of the pages (decisions §1), in the canonical, lower-case form requests are routed by.
const (
	pathAccount  = "/account"
	pathLogin    = "/account/login"
	pathLogout   = "/account/logout"
	pathSignup   = "/account/signup"
	pathVerify   = "/account/verify"
	pathResend   = "/account/verify/resend"
	pathWithdraw = "/account/applications/withdraw"
)

// Store is the storage the pages need; keyward.Store implements it. Lookups of a missing row
// return an error matching keyward.ErrNotFound.
type Store interface {
	FindClientByID(ctx context.Context, id string) (*keyward.Client, error)
	FindClientsByID(ctx context.Context, ids []string) ([]*keyward.Client, error)
	FindUserByID(ctx context.Context, id string) (*keyward.User, error)
	FindUserByEmail(ctx context.Context, email string) (*keyward.User, error)
	SetUserVerified(ctx context.Context, id string) error
	GetSecret(ctx context.Context, name string, newValue func() string) (string, error)

	CreateSession(ctx context.Context, s *keyward.Session) error
	FindSession(ctx context.Context, hash string, now keyward.Time) (*keyward.Session, error)
	DeleteSession(ctx context.Context, hash string) error

	FindConsent(ctx context.Context, userID, clientID string) (*keyward.Consent, error)
	FindConsents(ctx context.Context, userID string) ([]*keyward.Consent, error)

	// InTx runs fn in one transaction, committed when fn returns nil: a withdrawal deletes the
	// consent and revokes the client's token families together.
	InTx(ctx context.Context, fn func(tx keyward.Tx) error) error
}

// Accounts is what the pages ask of the business layer: who may sign in and sign up, how
// passwords are checked and how often one may try are business rules and live in the service,
// which the application hands in here. network is the client's network (see clientNetwork).
type Accounts interface {
	// SignIn returns the person whose address and password match; its refusals are
	// keyward.ErrSignInFailed, ErrSignInThrottled and ErrEmailNotVerified.
	SignIn(ctx context.Context, email, password, network string) (*keyward.User, error)
	// SignUp creates an unverified person with the address and password. Its refusals are
	// keyward.ErrBadEmailAddress, ErrPasswordTooShort, ErrPasswordTooLong, ErrSignUpThrottled and
	// ErrEmailAddressInUse.
	SignUp(ctx context.Context, email, password, network string) (*keyward.User, error)
}

// Config configures a Server. Issuer and Accounts are required; the other fields have defaults.
type Config struct {
	// Issuer is the public base URL of the server the pages belong to, as the authorization
	// server's issuer (no trailing slash): forms post to it, links and redirects point to it,
	// and an https issuer makes the cookies Secure and __Host- prefixed.
	Issuer string
	// Now is the clock of sessions, links and tokens; it defaults to time.Now.
	Now func() time.Time
	// Logger receives server-side failures and sign-in events; it defaults to slog.Default().
	Logger *slog.Logger
	// Accounts signs people in and up.
	Accounts Accounts
	// Mailer sends verification links; it defaults to a mail.LogMailer on Logger.
	Mailer mail.Mailer
	// NoSignUp turns the sign-up page off (404) on a server whose operator creates the users.
	NoSignUp bool
}

// Server serves the account pages and the browser sessions behind them. It is safe for
// concurrent use.
type Server struct {
	cfg     Config
	store   Store
	log     *slog.Logger
	catalog *i18n.Catalog // the texts of the pages
	pages   *pageSet
	secrets serverSecrets
	secure  bool // the issuer is https, so cookies are Secure and __Host- prefixed
}

// New checks cfg, loads the server secrets from store (creating them when there are none) and
// builds the pages.
func New(ctx context.Context, cfg Config, store Store) (*Server, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("account: the issuer is empty")
	case cfg.Accounts == nil:
		return nil, errors.New("account: no Accounts to sign people in with")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Mailer == nil {
		cfg.Mailer = mail.LogMailer{Logger: cfg.Logger}
	}
	s := &Server{cfg: cfg, store: store, log: cfg.Logger, secure: strings.HasPrefix(cfg.Issuer, "https://")}
	var err error
	if s.secrets, err = loadSecrets(ctx, store); err != nil {
		return nil, err
	}
	if s.catalog, err = i18n.New(); err != nil {
		return nil, fmt.Errorf("account: load texts: %w", err)
	}
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	return s, nil
}

// endpoint returns the absolute URL of a path.
func (s *Server) endpoint(path string) string { return s.cfg.Issuer + path }

// now returns the server's clock as a keyward.Time.
func (s *Server) now() keyward.Time { return keyward.NewTime(s.cfg.Now()) }
