package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// Cookie names. With an https issuer they carry the __Host- prefix, which makes the browser
// insist on Secure, Path=/ and no Domain, so that no sibling host can plant them.
const (
	sessionCookie    = "kw_session"
	preSessionCookie = "kw_presession"
)

// Names of the server secrets in the store, shared by every node.
const (
	// The names predate this package and stay, so that links and forms keep working across
	// an upgrade.
	secretCSRF   = "oauth.csrf"
	secretVerify = "oauth.email-verification"
)

// serverSecrets are the HMAC keys the pages use.
type serverSecrets struct {
	csrf   []byte // binds form tokens to a cookie
	verify []byte // signs e-mail verification links and resend tokens
}

func loadSecrets(ctx context.Context, store Store) (serverSecrets, error) {
	var sec serverSecrets
	for name, dst := range map[string]*[]byte{secretCSRF: &sec.csrf, secretVerify: &sec.verify} {
		v, err := store.GetSecret(ctx, name, func() string { return token.Random(32) })
		if err != nil {
			return sec, fmt.Errorf("account: load secret %s: %w", name, err)
		}
		if len(v) < 32 {
			return sec, fmt.Errorf("account: secret %s is shorter than 32 characters", name)
		}
		*dst = []byte(v)
	}
	return sec, nil
}

// mac returns the base64url HMAC-SHA256 of the parts, separated so that no two part lists
// produce the same input.
func mac(key []byte, parts ...string) string {
	h := hmac.New(sha256.New, key)
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

func macEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (s *Server) cookieName(base string) string {
	if s.secure {
		return "__Host-" + base
	}
	return base
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole host. Lax keeps the cookie off
// cross-site POSTs (a forged form cannot carry the session) while the top-level GET that brings
// a user back from a client to /connect/authorize still carries it. maxAge 0 makes a browser-
// session cookie; a negative one deletes it.
func (s *Server) setCookie(w http.ResponseWriter, base, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: s.cookieName(base), Value: value, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

func (s *Server) cookie(r *http.Request, base string) string {
	c, err := r.Cookie(s.cookieName(base))
	if err != nil {
		return ""
	}
	return c.Value
}

// preSession returns the pre-session cookie value that binds the CSRF token of the forms shown
// before sign-in, setting a new cookie when the browser has none.
func (s *Server) preSession(w http.ResponseWriter, r *http.Request) string {
	if v := s.cookie(r, preSessionCookie); len(v) == 43 {
		return v
	}
	v := token.Random(32)
	s.setCookie(w, preSessionCookie, v, 0)
	return v
}

// csrfToken is the form token for a cookie value: only a page that could read the token from
// our own response can send it back with that cookie (the synchronizer token pattern without
// server state).
func (s *Server) csrfToken(binding string) string { return mac(s.secrets.csrf, "csrf", binding) }

// checkCSRF refuses a form whose token does not belong to the cookie it came with; the page is
// shown again by the caller with the form.expired or form.cookies message.
func (s *Server) checkCSRF(binding, token string) bool {
	return binding != "" && token != "" && macEqual(s.csrfToken(binding), token)
}

// Session is a signed-in browser: its user, when the user signed in, and its cookie value, which
// binds the CSRF tokens of its forms.
type Session struct {
	User     *keyward.User
	AuthTime keyward.Time // when the user signed in: OpenID Connect's auth_time
	raw      string
}

// Current returns the request's session, or nil when the browser is signed out (no cookie, an
// unknown or expired session, or a user that no longer exists).
func (s *Server) Current(r *http.Request) (*Session, error) {
	raw := s.cookie(r, sessionCookie)
	if raw == "" {
		return nil, nil
	}
	ctx := r.Context()
	se, err := s.store.FindSession(ctx, token.Hash(raw), s.now())
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("account: find session: %w", err)
	}
	user, err := s.store.FindUserByID(ctx, se.UserID)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("account: find session user: %w", err)
	}
	return &Session{User: user, AuthTime: se.CreatedAt, raw: raw}, nil
}

// startSession signs user in with a new random session value (never one the browser brought,
// which rules out session fixation), ending the browser's previous session if any.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, user *keyward.User) error {
	ctx := r.Context()
	if old := s.cookie(r, sessionCookie); old != "" {
		if err := s.store.DeleteSession(ctx, token.Hash(old)); err != nil {
			return fmt.Errorf("account: end previous session: %w", err)
		}
	}
	raw := token.Random(32)
	now := s.cfg.Now()
	se := &keyward.Session{Hash: token.Hash(raw), UserID: user.ID, CreatedAt: keyward.NewTime(now), ExpiresAt: keyward.NewTime(now.Add(SessionLifetime))}
	if err := s.store.CreateSession(ctx, se); err != nil {
		return fmt.Errorf("account: create session: %w", err)
	}
	s.setCookie(w, sessionCookie, raw, SessionLifetime)
	return nil
}

// endSession deletes the session and its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request, se *Session) error {
	if err := s.store.DeleteSession(r.Context(), token.Hash(se.raw)); err != nil {
		return fmt.Errorf("account: delete session: %w", err)
	}
	s.setCookie(w, sessionCookie, "", -1)
	return nil
}

// CheckForm checks the CSRF token of a form posted by the signed-in browser se, returning the
// error page to show when it fails.
func (s *Server) CheckForm(r *http.Request, se *Session, form url.Values) error {
	if text := s.formRefusal(r, se.raw, form); text != "" {
		return &pageError{status: http.StatusBadRequest, title: s.t(r, "page.error.title"), view: messageView{Text: text}}
	}
	return nil
}

// FormToken is the CSRF token of the forms that the signed-in browser se posts: the portal puts
// it in its forms as the pages do.
func (s *Server) FormToken(se *Session) string { return s.csrfToken(se.raw) }

// FormTokenValid reports whether token is se's form token, in constant time.
func (s *Server) FormTokenValid(se *Session, token string) bool { return s.checkCSRF(se.raw, token) }
