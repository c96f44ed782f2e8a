package service

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
)

// Sign-in throttling: after maxLoginFailures failed sign-ins for one address within
// loginFailureWindow, further attempts for it are refused without checking the password.
const (
	maxLoginFailures   = 5
	loginFailureWindow = 15 * time.Minute
)

// Sign-up limit: at most maxSignups sign-up attempts from one client network within
// signupWindow, counted in the database so that all nodes share the count. It bounds how fast
// one client can create accounts, have verification e-mails sent to any address, probe which
// addresses have accounts, and spend the server's Argon2 time.
const (
	maxSignups   = 10
	signupWindow = time.Hour
)

// What a person may choose at sign-up.
const (
	minPasswordLength = 8    // characters
	maxPasswordLength = 1024 // bytes; Argon2 hashes any length at the same cost
	// maxEmailLength is the longest forward path SMTP carries (RFC 5321 §4.5.3.1.3).
	maxEmailLength = 254
)

// SignIn returns the person whose address and password match. It refuses with
// keyward.ErrSignInThrottled an address that failed maxLoginFailures times within
// loginFailureWindow (without checking the password), with keyward.ErrSignInFailed a wrong
// address or password (and counts the failure), and with keyward.ErrEmailNotVerified a right
// password of an unverified address. The password of an unknown address is checked against a
// dummy hash, so that the response time does not tell which addresses exist. network is the
// client's network (see SignUp); it is named in the refusals' details, for the log.
func (s *Service) SignIn(ctx context.Context, email, password, network string) (*keyward.User, error) {
	now := s.now()
	n, err := s.data.CountLoginFailures(ctx, email, keyward.NewTime(now.Add(-loginFailureWindow)))
	if err != nil {
		return nil, fmt.Errorf("service: count login failures: %w", err)
	}
	if n >= maxLoginFailures {
		return nil, keyward.ErrSignInThrottled.WithDetails("%d failed sign-ins for %s within %s (from %s)", n, email, loginFailureWindow, network)
	}
	user, err := s.checkPassword(ctx, email, password)
	if err != nil {
		return nil, err
	}
	if user == nil {
		if err := s.data.RecordLoginFailure(ctx, email, keyward.NewTime(now)); err != nil {
			return nil, fmt.Errorf("service: record login failure: %w", err)
		}
		return nil, keyward.ErrSignInFailed.WithDetails("wrong address or password for %s (from %s)", email, network)
	}
	if !user.Verified {
		return nil, keyward.ErrEmailNotVerified.WithDetails("the address %s of user %s is not verified", user.Email, user.ID)
	}
	if err := s.data.ClearLoginFailures(ctx, email); err != nil {
		return nil, fmt.Errorf("service: clear login failures: %w", err)
	}
	return user, nil
}

// checkPassword returns the person with the address and password, nil when there is none.
func (s *Service) checkPassword(ctx context.Context, email, password string) (*keyward.User, error) {
	user, err := s.data.FindUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, keyward.ErrNotFound) {
		return nil, fmt.Errorf("service: find user: %w", err)
	}
	known := user != nil && user.Kind == keyward.UserPerson && user.PasswordHash != ""
	hash := dummyHash()
	if known {
		hash = user.PasswordHash
	}
	ok, err := passwordMatches(ctx, password, hash)
	if err != nil || !ok || !known {
		return nil, err
	}
	return user, nil
}

// SignUp creates a person who must verify the address before signing in (decisions §3). It
// checks the address (keyward.ErrBadEmailAddress) and the password (keyward.ErrPasswordTooShort,
// keyward.ErrPasswordTooLong) first, then the sign-up limit of the client network
// (keyward.ErrSignUpThrottled): an IPv4 address or an IPv6 /64. Only attempts that passed the
// checks count, since only those cost a password hash and may send a mail; like the sign-in
// throttle, it counts before it records, so requests racing each other may exceed the limit by
// the few that overlap. An address another user has is keyward.ErrEmailAddressInUse.
func (s *Service) SignUp(ctx context.Context, email, password, network string) (*keyward.User, error) {
	if err := checkSignUp(email, password); err != nil {
		return nil, err
	}
	if err := s.countSignUp(ctx, network); err != nil {
		return nil, err
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	return s.createUser(ctx, email, hash, false)
}

// checkSignUp refuses an address and a password a person may not choose.
func checkSignUp(email, password string) error {
	switch {
	case !plainAddress(email):
		return keyward.ErrBadEmailAddress.WithDetails("%q is not an address of the form local@domain", email)
	case utf8.RuneCountInString(password) < minPasswordLength:
		return keyward.ErrPasswordTooShort.WithDetails("the password must have at least %d characters", minPasswordLength)
	case len(password) > maxPasswordLength:
		return keyward.ErrPasswordTooLong.WithDetails("the password must have at most %d characters", maxPasswordLength)
	}
	return nil
}

// countSignUp records a sign-up attempt of the network, unless it made maxSignups attempts
// within signupWindow already.
func (s *Service) countSignUp(ctx context.Context, network string) error {
	now := s.now()
	n, err := s.data.CountSignupAttempts(ctx, network, keyward.NewTime(now.Add(-signupWindow)))
	if err != nil {
		return fmt.Errorf("service: count sign-up attempts: %w", err)
	}
	if n >= maxSignups {
		return keyward.ErrSignUpThrottled.WithDetails("%d sign-up attempts from %s within %s", n, network, signupWindow)
	}
	if err := s.data.RecordSignupAttempt(ctx, network, keyward.NewTime(now)); err != nil {
		return fmt.Errorf("service: record sign-up attempt: %w", err)
	}
	return nil
}

// plainAddress accepts "local@domain" without a display name, comments or spaces.
func plainAddress(email string) bool {
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && len(email) <= maxEmailLength && !strings.ContainsAny(email, " \t\r\n") &&
		strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".")
}
