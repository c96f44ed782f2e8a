// Package service implements the use cases of keyward.Services: Keyward's business rules over a
// keyward.Store. Every use case checks its caller first (the principal's kind, a token's scope,
// the user's permission), then runs in one transaction, so that a 200 means the whole change is
// committed.
package service

import (
	"time"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
)

// Service is Keyward's use cases over a store.
type Service struct {
	store keyward.Store
	data  keyward.Tx // the store outside transactions
	now   func() time.Time
	id    func() string
	plans *keyward.Plans
	// observeLogs is Config.ObserveLogEntries, a no-op when none was given
	observeLogs func(stored, duplicates int)
}

// Config holds what a Service depends on besides its store.
type Config struct {
	Now   func() time.Time // the clock; time.Now when nil
	NewID func() string    // the entity id generator; keyward.NewID at the clock's time when nil
	Plans *keyward.Plans   // the plan catalog; keyward.BuiltinPlans() when nil
	// ObserveLogEntries, when set, is told of every committed lock sync that uploaded log
	// entries: how many it stored and how many the lock's log held already (metrics).
	ObserveLogEntries func(stored, duplicates int)
}

// New returns a Service over store.
func New(store keyward.Store, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Plans == nil {
		cfg.Plans = keyward.BuiltinPlans()
	}
	s := &Service{store: store, data: store.Direct(), now: cfg.Now, id: cfg.NewID, plans: cfg.Plans, observeLogs: cfg.ObserveLogEntries}
	if s.observeLogs == nil {
		s.observeLogs = func(int, int) {}
	}
	if s.id == nil {
		s.id = func() string { return keyward.NewID(s.now()) }
	}
	return s
}

// Services is s as the use cases by resource, for the adapters.
func (s *Service) Services() keyward.Services {
	return keyward.Services{Users: s, Owners: s, Permissions: s, Locks: s, LockGroups: s, Contacts: s, Cards: s,
		Grants: s, IdentityProviders: s, Clients: s, Logs: s, Devices: s, Mobiles: s}
}

// timestamp is the current time at wire precision.
func (s *Service) timestamp() keyward.Time { return keyward.NewTime(s.now()) }

// newID returns a new entity id.
func (s *Service) newID() string { return s.id() }

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
