// Package service implements keyward.Service: the Management API's business rules over a
// keyward.Store. Every use case checks the caller's scope and permission first, then runs in one
// transaction, so that a 200 means the whole change is committed.
package service

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
)

// Service is the Management API's use cases over a store.
type Service struct {
	store keyward.Store
	data  keyward.Tx // the store outside transactions
	now   func() time.Time
	plans *keyward.Plans
}

var _ keyward.Service = (*Service)(nil)

// Config holds what a Service depends on besides its store.
type Config struct {
	Now   func() time.Time // the clock; time.Now when nil
	Plans *keyward.Plans   // the plan catalog; keyward.BuiltinPlans() when nil
}

// New returns a Service over store.
func New(store keyward.Store, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Plans == nil {
		cfg.Plans = keyward.BuiltinPlans()
	}
	return &Service{store: store, data: store.Direct(), now: cfg.Now, plans: cfg.Plans}
}

// timestamp is the current time at wire precision.
func (s *Service) timestamp() keyward.Time { return keyward.NewTime(s.now()) }

// newID returns a new entity id.
func (s *Service) newID() string { return keyward.NewID(s.now()) }

// caller returns the authenticated principal; the HTTP layer never calls without one, but a
// missing principal must not be mistaken for a privileged one.
func caller(ctx context.Context) (*keyward.Principal, error) {
	p := keyward.PrincipalFromContext(ctx)
	if p == nil {
		return nil, keyward.ErrNoToken.WithDetails("the request carries no authenticated caller")
	}
	return p, nil
}

// requireScope checks the token's scopes: a missing scope is the seed's 401.
func requireScope(ctx context.Context, scope string) (*keyward.Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.HasScope(scope) {
		return nil, keyward.InsufficientScope(scope)
	}
	return p, nil
}

// authorize checks scope, then that the caller administers the owner account (any role, or the
// Owner role when ownerOnly). An account the caller does not administer is 403 whether or not it
// exists, so that account ids cannot be probed.
func (s *Service) authorize(ctx context.Context, ownerID, scope string, ownerOnly bool) error {
	p, err := requireScope(ctx, scope)
	if err != nil {
		return err
	}
	role, err := s.data.FindRole(ctx, ownerID, p.UserID)
	if err != nil {
		return err
	}
	switch {
	case role == "":
		return keyward.ErrForbidden.WithDetails("the caller has no permission on owner account %q", ownerID)
	case ownerOnly && role != keyward.RoleOwner:
		return keyward.ErrForbidden.WithDetails("the operation needs the Owner role on owner account %q; the caller is %s", ownerID, role)
	}
	return nil
}

// maxTextLen bounds every free-text field so that one request cannot store megabytes.
const maxTextLen = 1024

// checkText validates an optional free-text field.
func checkText(field string, v *string) error {
	if v != nil && utf8.RuneCountInString(*v) > maxTextLen {
		return keyward.Invalidf("field %q is longer than %d characters", field, maxTextLen)
	}
	return nil
}

// checkRequiredText validates a mandatory free-text field.
func checkRequiredText(field, v string) error {
	if v == "" {
		return keyward.Invalidf("field %q is required", field)
	}
	return checkText(field, &v)
}

// deref returns *p or "".
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
