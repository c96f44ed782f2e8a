package service_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// signInEnv is a service with a settable clock over its store.
type signInEnv struct {
	s     *service.Service
	clk   *apitest.Clock
	store *sqlstore.DB
	robot string // the address of a client's service user
}

// signInService is a service on engine with a settable clock, the verified person ada and the
// unverified person bob, both with the password "correct horse", and a client's service user.
func signInService(t *testing.T, engine sqlstore.Engine) signInEnv {
	t.Helper()
	clk := apitest.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	store := sqltest.Open(t, engine)
	s := service.New(store, service.Config{Now: clk.Now})
	hash := must(service.HashPassword("correct horse"))(t)
	must(s.CreateUser(op, keyward.UserCreate{Email: "ada@example.com", PasswordHash: hash, Verified: true}))(t)
	must(s.CreateUser(op, keyward.UserCreate{Email: "bob@example.com", PasswordHash: hash}))(t)
	_, robot, err := s.CreateClient(op, keyward.ClientCreate{Name: "robot", GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: []string{keyward.ScopeReadLogs}})
	if err != nil || robot == nil {
		t.Fatalf("service user %v: %v", robot, err)
	}
	return signInEnv{s: s, clk: clk, store: store, robot: robot.Email}
}

func wantErr(t *testing.T, err error, sentinel *keyward.Error, details string) {
	t.Helper()
	if !errors.Is(err, sentinel) || keyward.ErrorOf(err).Details != details {
		t.Errorf("err = %v, want %q with the details %q", err, sentinel.Message, details)
	}
}

func TestService_SignIn(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := signInService(t, engine)
			s := env.s
			t.Run("OK", func(t *testing.T) {
				u := must(s.SignIn(ctx, "ADA@example.com", "correct horse", "192.0.2.1"))(t)
				if u.Email != "ada@example.com" || u.Kind != keyward.UserPerson {
					t.Errorf("user %+v", u)
				}
			})
			const wrong = "wrong address or password for %s (from 192.0.2.1)"
			for name, tt := range map[string]struct{ email, password string }{
				"WrongPassword":  {"ada@example.com", "correct horsE"},
				"UnknownAddress": {"nobody@example.com", "correct horse"},
				"ServiceUser":    {env.robot, "correct horse"},
			} {
				t.Run(name, func(t *testing.T) {
					_, err := s.SignIn(ctx, tt.email, tt.password, "192.0.2.1")
					wantErr(t, err, keyward.ErrSignInFailed, strings.Replace(wrong, "%s", tt.email, 1))
				})
			}
			t.Run("Unverified", func(t *testing.T) {
				_, err := s.SignIn(ctx, "bob@example.com", "correct horse", "192.0.2.1")
				if !errors.Is(err, keyward.ErrEmailNotVerified) {
					t.Errorf("err = %v", err)
				}
			})
		})
	}
}

// TestService_SignInThrottling: five failures for an address within 15 minutes refuse it, even
// with the right password, until the window has passed; other addresses are not affected, and a
// sign-in clears the count.
func TestService_SignInThrottling(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := signInService(t, engine)
			s, clk := env.s, env.clk
			for i := range 5 {
				if _, err := s.SignIn(ctx, "ada@example.com", "guess", "192.0.2.1"); !errors.Is(err, keyward.ErrSignInFailed) {
					t.Fatalf("attempt %d: %v", i+1, err)
				}
			}
			_, err := s.SignIn(ctx, "ADA@example.com", "correct horse", "192.0.2.1")
			wantErr(t, err, keyward.ErrSignInThrottled, "5 failed sign-ins for ADA@example.com within 15m0s (from 192.0.2.1)")
			if _, err := s.SignIn(ctx, "bob@example.com", "guess", "192.0.2.1"); !errors.Is(err, keyward.ErrSignInFailed) {
				t.Errorf("another address: %v", err)
			}
			clk.Advance(15*time.Minute + time.Millisecond)
			must(s.SignIn(ctx, "ada@example.com", "correct horse", "192.0.2.1"))(t)
			for i := range 4 {
				if _, err := s.SignIn(ctx, "ada@example.com", "guess", "192.0.2.1"); !errors.Is(err, keyward.ErrSignInFailed) {
					t.Fatalf("attempt %d after the sign-in: %v", i+1, err)
				}
			}
			must(s.SignIn(ctx, "ada@example.com", "correct horse", "192.0.2.1"))(t) // the sign-in cleared the earlier failures
		})
	}
}

func TestService_SignUp(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := signInService(t, engine)
			s, store := env.s, env.store
			u := must(s.SignUp(ctx, "carol@example.com", "long enough", "192.0.2.1"))(t)
			stored := must(store.FindUserByID(ctx, u.ID))(t)
			if stored.Verified || stored.Kind != keyward.UserPerson || !service.PasswordMatches("long enough", stored.PasswordHash) {
				t.Errorf("stored user %+v", stored)
			}
			for _, tt := range []struct {
				name, email, password string
				sentinel              *keyward.Error
				details               string
			}{
				{"InUse", "CAROL@example.com", "long enough", keyward.ErrEmailAddressInUse, `the address "CAROL@example.com" belongs to another user`},
				{"BadAddress", "not an address", "long enough", keyward.ErrBadEmailAddress, `"not an address" is not an address of the form local@domain`},
				{"DisplayName", "Carol <c@example.com>", "long enough", keyward.ErrBadEmailAddress, `"Carol <c@example.com>" is not an address of the form local@domain`},
				{"NoDot", "c@localhost", "long enough", keyward.ErrBadEmailAddress, `"c@localhost" is not an address of the form local@domain`},
				{"ShortPassword", "dave@example.com", "1234567", keyward.ErrPasswordTooShort, "the password must have at least 8 characters"},
				{"LongPassword", "dave@example.com", strings.Repeat("x", 1025), keyward.ErrPasswordTooLong, "the password must have at most 1024 characters"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					_, err := s.SignUp(ctx, tt.email, tt.password, "192.0.2.1")
					wantErr(t, err, tt.sentinel, tt.details)
				})
			}
		})
	}
}

// TestService_SignUpLimit: ten sign-ups per network and hour pass the form checks; the
// eleventh is refused without creating the user, a refused form does not count, and attempts
// older than the hour leave the window.
func TestService_SignUpLimit(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := signInService(t, engine)
			s, clk, store := env.s, env.clk, env.store
			start := clk.Now()
			for range 9 {
				if err := store.RecordSignupAttempt(ctx, "192.0.2.1", keyward.NewTime(start.Add(-59*time.Minute))); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.SignUp(ctx, "short@example.com", "short", "192.0.2.1"); !errors.Is(err, keyward.ErrPasswordTooShort) {
				t.Fatalf("a refused form: %v", err)
			}
			must(s.SignUp(ctx, "tenth@example.com", "long enough", "192.0.2.1"))(t)
			if n := must(store.CountSignupAttempts(ctx, "192.0.2.1", keyward.NewTime(start.Add(-time.Hour))))(t); n != 10 {
				t.Fatalf("%d attempts recorded, want 10", n)
			}
			_, err := s.SignUp(ctx, "eleventh@example.com", "long enough", "192.0.2.1")
			wantErr(t, err, keyward.ErrSignUpThrottled, "10 sign-up attempts from 192.0.2.1 within 1h0m0s")
			if _, err := store.FindUserByEmail(ctx, "eleventh@example.com"); !errors.Is(err, keyward.ErrNotFound) {
				t.Errorf("the refused sign-up created the user: %v", err)
			}
			must(s.SignUp(ctx, "other@example.com", "long enough", "2001:db8::/64"))(t)
			clk.Advance(time.Minute + time.Millisecond) // the nine early attempts leave the window
			must(s.SignUp(ctx, "eleventh@example.com", "long enough", "192.0.2.1"))(t)
		})
	}
}
